"""Template tags and filters of the dashboard's pages."""

from __future__ import annotations

import datetime
import functools

from django import template
from django.conf import settings
from django.utils import formats
from django.utils.html import format_html_join
from django.utils.translation import get_language

from dashboard.email_forms import DELAY_CHOICES
from dashboard.links import web_url as _web_url
from dashboard.models import MemberPreferences
from dashboard.permissions import teams_of
from dashboard.presenters import decisions as words
from dashboard.views.session import CURRENT_TEAM_SESSION_KEY
from willo_integration.services.decisions import undo_seconds
from willo_integration.services.notes import mentions_unseen_count
from willo_integration.services.preferences import preferences_of

register = template.Library()


@register.simple_tag
def sandbox_enabled() -> bool:
    """Whether this site serves the Willo sandbox (the staff's Sandbox page exists)."""
    return settings.WILLO_SANDBOX_ENABLED


@register.simple_tag(takes_context=True)
def team_switcher(context) -> dict:
    """The requester's teams and the current one, for the team switcher."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"teams": [], "current": None}
    teams = list(teams_of(request.user).only("name", "slug", "is_parent"))
    current_slug = request.session.get(CURRENT_TEAM_SESSION_KEY)
    current = next((t for t in teams if t.slug == current_slug), None)
    return {"teams": teams, "current": current}


@register.simple_tag(takes_context=True)
def mentions_unseen(context) -> int:
    """How many of the requester's mentions are not seen yet: the header's badge (one
    query, made only where the header is drawn, never for an HTMX partial)."""
    request = context.get("request")
    if request is None:
        return 0
    return mentions_unseen_count(request.user)


@register.simple_tag(takes_context=True)
def member_preferences(context) -> MemberPreferences:
    """The requester's preferences (the defaults when signed out): one query, made where
    base.html draws the body, whose data attributes the shortcuts' and players' scripts read."""
    user = getattr(context.get("request"), "user", None)  # none on a page of an error
    if user is None:
        return MemberPreferences()
    return preferences_of(user)


@register.filter
def constant_words(value) -> str:
    """``ID_DOCUMENT_FACE_MATCH`` -> ``ID document face match``: Willo's constants for people."""
    if not value:
        return ""
    words = str(value).replace("_", " ").replace("-", " ").split()
    spoken = [w if w.upper() in ACRONYMS else w.lower() for w in words]
    text = " ".join(spoken)
    return text[:1].upper() + text[1:]


ACRONYMS = {"ID", "IDV", "RTW", "DBS", "GPG45", "UK", "NFC"}


@register.filter
def web_url(value) -> str:
    """A URL from Willo if it is http(s), else "": the only way one reaches an href or src."""
    return _web_url(value)


@register.filter
def duration(seconds) -> str:
    """Seconds as ``1 min 05 s``."""
    if seconds is None or seconds == "":
        return ""
    seconds = int(seconds)
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


@register.filter
def status_slug(status) -> str:
    """A CSS modifier for a candidate status (``status--accepted``)."""
    return str(status or "unknown").lower().replace(" ", "-")


@register.filter(expects_localtime=True)
def day(value, pattern="j M Y") -> str:
    """``value|date:pattern`` for a pattern with no time of day, worked out once per day.

    A table shows the same few days over and over, and Django's date formatting costs
    about 0.1 ms a value: three dates on each of 25 rows were a fifth of the job page.
    """
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        return ""
    return _day(value, pattern, get_language())


@functools.lru_cache(maxsize=1024)
def _day(value: datetime.date, pattern: str, language: str | None) -> str:
    return formats.date_format(value, pattern)


@register.inclusion_tag("dashboard/_freshness.html")
def freshness_note(freshness) -> dict:
    """The "as of HH:MM" line every page with cached data carries, and Willo's notice."""
    return {"freshness": freshness}


@register.simple_tag(takes_context=True)
def agency_banner(context) -> dict | None:
    """The client organisation this page works in, and the team's other clients to switch
    to; None outside a child organisation."""
    request = context.get("request")
    choice = getattr(request, "agency_choice", None)
    if choice is None:
        return None
    team = choice.child.team
    return {
        "team": team,
        "child": choice.child,
        "relation": choice.relation,
        "others": team.child_organisations.exclude(pk=choice.child.pk).only("key", "name"),
    }


@register.filter
def decision_words(decision) -> words.DecisionWords:
    """What state the decision is in, in words (see dashboard/presenters/decisions.py)."""
    return words.decision_words(decision)


@register.simple_tag
def decision_choices(participant, decision) -> list[words.Choice]:
    return words.decision_choices(participant, decision)


@register.simple_tag
def decision_undo_seconds() -> int:
    """How long a decision can be undone before it is sent to Willo."""
    return undo_seconds()


@register.simple_tag
def email_delay_options(chosen) -> str:
    """The <option>s of when a candidate's email goes, ``chosen`` (hours) selected."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if value == str(chosen) else "", label)
            for value, label in DELAY_CHOICES
        ),
    )
