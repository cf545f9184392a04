"""What the candidate page's Notes section and the Mentions page show.

A note's text is cut into plain pieces and @mentions, so the template highlights the
mentions while escaping every piece: no user text is ever marked safe.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from dashboard.forms import NoteForm
from dashboard.models import NOTE_MAX_CHARACTERS, Membership, Mention, Note
from dashboard.permissions import members_of
from dashboard.presenters.blind import Redactor, masking_for
from willo_integration.services.blind import blind_review_on, candidates_named
from willo_integration.services.notes import MentionsPage, mention_spans, participant_notes
from willo_integration.services.scope import Scope


@dataclass(frozen=True)
class Piece:
    text: str
    mention: bool = False  # "@name" of a member the note mentions (or of its author)


@dataclass(frozen=True)
class NoteView:
    note: Note
    pieces: list[Piece]


def note_pieces(note: Note) -> list[Piece]:
    """The note's text in pieces; a piece is a mention when it names a member the note
    mentions (or its author): what was checked when it was written."""
    named = {m.user.get_username().casefold() for m in note.mentions.all()}
    if note.author_username:
        named.add(note.author_username.casefold())
    pieces, at = [], 0
    for start, end, name in mention_spans(note.text):
        if name.casefold() not in named:
            continue
        if start > at:
            pieces.append(Piece(note.text[at:start]))
        pieces.append(Piece(note.text[start:end], mention=True))
        at = end
    if at < len(note.text):
        pieces.append(Piece(note.text[at:]))
    return pieces


def notes_context(
    *,
    membership: Membership,
    scope: Scope,
    participant_key: str,
    form: NoteForm | None = None,
    draft: str | None = None,
    added: Note | None = None,
    with_form: bool = True,
) -> dict:
    """The Notes section: the notes newest first and, for members who may write (and
    ``with_form``), the form: ``form`` as posted, else ``draft`` (a note refused without
    JavaScript) checked again to show what is wrong, else empty."""
    context: dict = {
        "notes": [
            NoteView(note=note, pieces=note_pieces(note))
            for note in participant_notes(scope=scope, participant_key=participant_key)
        ],
        "can_write_notes": membership.has_role("recruiter"),
    }
    if context["can_write_notes"] and with_form:
        if form is None:
            data = {"text": draft} if draft is not None else None
            form = NoteForm(data, team=scope.team)
        context |= {
            "note_form": form,
            "note_added": added,
            "note_max": f"{NOTE_MAX_CHARACTERS:,}",
            "mentionable": [
                m.user.get_username()
                for m in members_of(scope.team)
                if m.user_id != membership.user_id
            ],
        }
    return context


@dataclass(frozen=True)
class MentionView:
    mention: Mention
    candidate_name: str
    new: bool  # not seen before this page showed it
    candidate_url: str
    # An agency's note: open it through the switch into the note's client organisation.
    switch_url: str = ""


def mentions_context(listing: MentionsPage, viewer) -> dict:
    """The Mentions page: a page of the user's mentions across their teams, newest first,
    the ones not seen before marked new; candidates named as blind review lets ``viewer``."""
    views = []
    names = _candidate_names(listing.page.object_list, viewer)
    for mention in listing.page.object_list:
        note = mention.note
        team = note.team
        views.append(
            MentionView(
                mention=mention,
                candidate_name=names.get(note.pk, note.participant_name),
                new=mention.seen_at is None,
                candidate_url=reverse(
                    "dashboard:participant_detail",
                    kwargs={"slug": team.slug, "participant_key": note.participant_key},
                ),
                switch_url=reverse("dashboard:agency_switch", kwargs={"slug": team.slug})
                if team.is_parent
                else "",
            )
        )
    return {"mentions": views, "page": listing.page, "new_count": listing.unseen}


def _candidate_names(mentions, viewer) -> dict[int, str]:
    """By note: its candidate as ``viewer`` may see them in the note's team and scope,
    for the notes whose team or member reviews blind."""
    names: dict[int, str] = {}
    by_scope: dict[tuple[int, str], list[Note]] = {}
    for mention in mentions:
        by_scope.setdefault((mention.note.team_id, mention.note.scope), []).append(mention.note)
    for notes in by_scope.values():
        scope = Scope(team=notes[0].team, child_key=notes[0].scope)
        if not blind_review_on(scope=scope, viewer=viewer):
            continue
        rows = candidates_named(scope=scope, keys=[n.participant_key for n in notes])
        masking = masking_for(scope=scope, viewer=viewer, rows=rows)
        redactors = {row.key: masking.redactor(row) for row in rows}
        for note in notes:
            names[note.pk] = masking.name(note.participant_key, note.participant_name)
            note.text = redactors.get(note.participant_key, Redactor())(note.text)
    return names
