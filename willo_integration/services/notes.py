"""Notes on a candidate by the team's members, and the @mentions in them.

A note stays in this dashboard (Willo never hears of it). ``@username`` mentions a member
of the note's team; an ``@`` inside a word (``ada@example.com``) is not a mention. A
mention of anyone else, unknown or not a member, refuses the note, naming them, and
nothing is stored; the same words whether or not such a user exists elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from dashboard.models import NOTE_MAX_CHARACTERS, Membership, Mention, Note, actor_username
from willo_integration.services.changes import changes_mark
from willo_integration.services.member_emails import mention_emails_queue
from willo_integration.services.scope import candidate_in_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from dashboard.models import Team
    from willo_integration.services.scope import Scope

# "@" at the start or after anything a username cannot hold, then the name; a name
# followed by another "@" is an email address's local part, not a mention.
MENTION = re.compile(r"(?<![\w.@+-])@([\w.+-]++)(?!@)")
MENTIONS_PER_PAGE = 30


class NoteRejected(ValueError):
    """The note cannot be stored as written; the message is for the person writing it."""


def mention_names(text: str) -> list[str]:
    """The names ``text`` mentions, in order, once each (case aside), trailing dots off."""
    names: dict[str, str] = {}
    for match in MENTION.finditer(text):
        name = match.group(1).rstrip(".")
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """Where each ``@name`` is in ``text``: (start, end, name), the "@" included."""
    spans = []
    for match in MENTION.finditer(text):
        name = match.group(1).rstrip(".")
        if name:
            spans.append((match.start(), match.start() + 1 + len(name), name))
    return spans


def mentioned_members(team: Team, text: str) -> list:
    """The team's members ``text`` mentions (users); NoteRejected naming every other name."""
    names = mention_names(text)
    if not names:
        return []
    members = {
        m.user.get_username(): m.user
        for m in Membership.objects.filter(team=team).select_related("user")
    }
    folded: dict[str, list] = {}
    for username, user in members.items():
        folded.setdefault(username.casefold(), []).append(user)
    found, outsiders = [], []
    for name in names:
        same = folded.get(name.casefold(), [])
        user = members.get(name) or (same[0] if len(same) == 1 else None)
        if user is None:
            outsiders.append(f"@{name}")
        elif user not in found:
            found.append(user)
    if outsiders:
        listed = ", ".join(outsiders)
        verb = "is not a member" if len(outsiders) == 1 else "are not members"
        raise NoteRejected(
            f"{listed} {verb} of {team.name}: mention members of the team only "
            "(@ and their username)."
        )
    return found


def note_text(text: str) -> str:
    """The text as stored: one line ending ("\\n", as a browser counts it), no space around."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def note_check(team: Team, text: str) -> list:
    """What note_add checks before storing anything (``text`` as note_text gives it): the
    length, then the mentions; the members mentioned."""
    if not text.strip():
        raise NoteRejected("Write the note first.")
    if len(text) > NOTE_MAX_CHARACTERS:
        raise NoteRejected(
            f"A note can be at most {NOTE_MAX_CHARACTERS:,} characters; this one has {len(text):,}."
        )
    return mentioned_members(team, text)


def note_add(*, scope: Scope, participant_key: str, author: AbstractBaseUser, text: str) -> Note:
    """Store a note on the scope's cached candidate with its mentions and their emails (to
    go at the next drain), in one transaction.

    ParticipantNotFound if the scope has no such candidate cached; NoteRejected (nothing
    stored) for an empty or too long text or a mention of anyone but the team's members.
    The author mentioning themselves is no mention."""
    text = note_text(text)
    candidate = candidate_in_scope(scope, participant_key)
    mentioned = [user for user in note_check(scope.team, text) if user.pk != author.pk]
    with transaction.atomic():
        note = Note.objects.create(
            team=scope.team,
            scope=scope.key,
            participant_key=candidate.key,
            participant_name=candidate.name,
            author=author,
            author_username=actor_username(author),
            text=text,
        )
        Mention.objects.bulk_create(Mention(note=note, user=user) for user in mentioned)
        if mentioned:  # their emails are committed with the note (the outbox)
            mention_emails_queue(scope=scope, note=note)
        changes_mark(scope=scope, participant_keys=[candidate.key])
    return note


def participant_notes(*, scope: Scope, participant_key: str) -> list[Note]:
    """The candidate's notes, newest first, each with its mentions (and their users)."""
    return list(
        Note.objects.filter(team=scope.team, scope=scope.key, participant_key=participant_key)
        .prefetch_related(Prefetch("mentions", Mention.objects.select_related("user")))
        .order_by("-created_at", "-pk")
    )


def _mentions_of(user) -> QuerySet[Mention]:
    """``user``'s mentions in the teams they are a member of now."""
    return Mention.objects.filter(user=user, note__team__memberships__user=user)


@dataclass(frozen=True)
class MentionsPage:
    page: Page  # of Mention, each with its note and the note's team
    unseen: int  # on this page, before it was shown


def mentions_of(user, *, page: int | str = 1, mark_seen: bool = False) -> MentionsPage:
    """``user``'s mentions across their teams, newest first, a page of them; with
    ``mark_seen`` the page's unseen ones are marked seen (they keep ``seen_at`` None in
    what is returned, so the page can say they are new)."""
    rows = (
        _mentions_of(user).select_related("note", "note__team").order_by("-note__created_at", "-pk")
    )
    shown = Paginator(rows, MENTIONS_PER_PAGE).get_page(page)
    shown.object_list = list(shown.object_list)
    unseen = [m.pk for m in shown.object_list if m.seen_at is None]
    if mark_seen and unseen:
        mention_seen(user, mention_ids=unseen)
    return MentionsPage(page=shown, unseen=len(unseen))


def mention_seen(user, *, mention_ids: list[int]) -> int:
    """Mark ``user``'s mentions ``mention_ids`` seen (others' are left alone)."""
    return Mention.objects.filter(user=user, pk__in=mention_ids, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )


def mentions_unseen_count(user) -> int:
    """How many of ``user``'s mentions in their teams are not seen yet (one query)."""
    if not user.is_authenticated:
        return 0
    return _mentions_of(user).filter(seen_at__isnull=True).count()
