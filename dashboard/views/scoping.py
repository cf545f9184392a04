"""What every page of a team starts with: the membership, and the Willo scope it acts in."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from dashboard.models import Membership
from dashboard.permissions import team_for_request
from dashboard.views.session import AGENCY_SCOPE_SESSION_KEY, CURRENT_TEAM_SESSION_KEY
from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.services.errors import WilloUnavailable
from willo_integration.services.freshness import Freshness
from willo_integration.services.interviews import interview_get
from willo_integration.services.participants import participant_get, participant_refetch
from willo_integration.services.reads import Budget
from willo_integration.services.scope import NotAChild, Scope, child_choice


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def scope_for(
    request: HttpRequest, slug: str, *, min_role: str | None = None
) -> tuple[Membership, Scope]:
    """The requester's membership of ``slug`` (404/403 as team_for_request) and its scope."""
    membership = team_for_request(request, slug, min_role=min_role)
    if request.session.get(CURRENT_TEAM_SESSION_KEY) != membership.team.slug:
        request.session[CURRENT_TEAM_SESSION_KEY] = membership.team.slug  # saves the session
    return membership, scope_for_request(request, membership)


def scope_for_request(request: HttpRequest, membership: Membership) -> Scope:
    """The scope the browser session chose for this team: its own organisation, or a
    child organisation (agency teams). Checked on every request: a choice that is not one
    of this team's children any more is dropped, and the request answers 404."""
    team = membership.team
    chosen = request.session.get(AGENCY_SCOPE_SESSION_KEY, {}).get(team.slug)
    if not chosen:
        return Scope(team=team)
    try:
        if not team.is_parent:
            raise NotAChild(f"{team.slug!r} is not an agency team.")
        choice = child_choice(team, chosen.get("child", ""), chosen.get("relation", ""))
    except NotAChild:
        agency_choice_set(request, team.slug, None)
        raise Http404("No such client organisation here.") from None
    request.agency_choice = choice  # for the banner
    return choice.scope()


def agency_choice_set(request: HttpRequest, slug: str, choice: dict[str, str] | None) -> None:
    """Remember (or forget) the child organisation the session works in for team ``slug``."""
    choices = dict(request.session.get(AGENCY_SCOPE_SESSION_KEY, {}))
    if choice:
        choices[slug] = choice
    else:
        choices.pop(slug, None)
    request.session[AGENCY_SCOPE_SESSION_KEY] = choices


def wants_partial(request: HtmxHttpRequest) -> bool:
    """An HTMX swap, not a full page: history restores and boosted links need the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def safe_url(request: HttpRequest, url: str) -> str:
    """``url`` if it is a page of this site (a ``next`` or a Referer), else ""."""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else ""


def job_for(scope: Scope, key: str) -> tuple[CachedInterview, Freshness]:
    """The scope's job ``key``; 404 when neither the cache nor Willo knows it here."""
    try:
        return interview_get(scope=scope, key=key)
    except WilloUnavailable as unavailable:
        # Not cached for this team and Willo cannot confirm it: nothing to show.
        raise Http404(f"No such job here. {unavailable}") from None


def candidate_for(
    scope: Scope, key: str, *, refresh: bool = False, budget: Budget | None = None
) -> tuple[CachedParticipant, Freshness]:
    """The scope's candidate ``key`` (``refresh``: read from Willo again, or shared with a
    read of them just made); 404 when neither the cache nor Willo knows them here."""
    try:
        if refresh:
            return participant_refetch(scope=scope, key=key, budget=budget)
        return participant_get(scope=scope, key=key)
    except WilloUnavailable as unavailable:
        raise Http404(f"No such candidate here. {unavailable}") from None
