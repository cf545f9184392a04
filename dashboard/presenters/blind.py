"""What blind review shows of a candidate: "Candidate <number>" instead of their name, and
none of their email, phone, location, avatar, custom ID or Willo's links; what they said
(transcripts, text answers, the AI summary) with their name and contact details taken out.

Pages build a ``Masking`` for the candidates they show, then show each through it: a
candidate the member has not revealed becomes a ``MaskedCandidate``, which templates read
like the cached row. Services always get the real row.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from willo_integration import schemas
from willo_integration.models import CachedParticipant
from willo_integration.services.blind import (
    blind_review_on,
    candidate_numbers,
    pseudonym,
    revealed_keys,
)
from willo_integration.services.scope import Scope

# What identifies a candidate on the cached row and in Willo's payload.
HIDDEN_FIELDS = frozenset(
    {
        "email",
        "phone",
        "location",
        "custom_id",
        "avatar_remote_link",
        "showcase_link",
        "overview_link",
        "invite_link",
        "detail",
        "list_item",
    }
)
NAME_PLACEHOLDER = "[name]"
CONTACT_PLACEHOLDER = "[contact details]"
PLACE_PLACEHOLDER = "[place]"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Redactor:
    """Takes a candidate's name, email and phone out of what they (or others) wrote."""

    names: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # the parts of the candidate's location ("Leeds")

    @classmethod
    def of(
        cls, *, name: str = "", email: str = "", phone: str = "", location: str = ""
    ) -> Redactor:
        words = {w for w in re.findall(r"[^\W\d_][\w'-]*", name or "") if len(w) >= 2}
        digits = re.sub(r"\D", "", phone or "")
        contacts = tuple(c for c in (email, phone, digits if len(digits) >= 6 else "") if c)
        places = {p.strip() for p in (location or "").split(",") if len(p.strip()) >= 2}
        return cls(_longest_first(words), contacts, _longest_first(places))

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        for contact in self.contacts:
            text = re.sub(re.escape(contact), CONTACT_PLACEHOLDER, text, flags=re.IGNORECASE)
        text = EMAIL.sub(CONTACT_PLACEHOLDER, text)
        text = _whole_words(self.places, PLACE_PLACEHOLDER, text)
        return _whole_words(self.names, NAME_PLACEHOLDER, text)


def _longest_first(words) -> tuple[str, ...]:
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def _whole_words(words: tuple[str, ...], placeholder: str, text: str) -> str:
    if not words:
        return text
    pattern = "|".join(re.escape(w) for w in words)
    return re.sub(rf"(?<!\w)(?:{pattern})(?!\w)", placeholder, text, flags=re.IGNORECASE)


def redactor_of(row: CachedParticipant) -> Redactor:
    return Redactor.of(name=row.name, email=row.email, phone=row.phone, location=row.location)


def masked_payload(
    payload: schemas.Participant | None, name: str, redact: Redactor
) -> schemas.Participant | None:
    """Willo's payload with only what does not identify the candidate (an allowlist, so a
    field Willo adds later stays hidden), their words redacted."""
    if payload is None:
        return None
    return schemas.Participant.model_construct(
        key=payload.key,
        name=name,
        status=payload.status,
        status_changed_by=payload.status_changed_by,
        status_changed_at=payload.status_changed_at,
        summary=redact(payload.summary),
        interview=payload.interview,
        department=payload.department,
        created_at=payload.created_at,
        updated_at=payload.updated_at,
        score=payload.score,
        answers=[_masked_answer(answer, redact) for answer in payload.answers],
    )


def _masked_answer(answer: schemas.Answer, redact: Redactor) -> schemas.Answer:
    transcript = answer.transcript
    if transcript is not None and transcript.text:
        transcript = transcript.model_copy(update={"text": redact(transcript.text)})
    return answer.model_copy(
        update={"text": redact(answer.text), "transcript": transcript, "additional_info": None}
    )


def masked_decision(decision, name: str):
    """A copy of the decision (shown, never saved) that names the candidate ``name``."""
    shown = copy.copy(decision)
    shown.participant_name = name
    return shown


class MaskedCandidate:
    """A cached candidate as a blind member sees them; reads like the row otherwise."""

    def __init__(self, row: CachedParticipant, number: int | None) -> None:
        self._row = row
        self.name = pseudonym(number)
        self.redact = redactor_of(row)

    def __getattr__(self, attribute: str):
        if attribute in HIDDEN_FIELDS:
            return None
        value = getattr(self._row, attribute)
        if attribute == "latest_decision" and value is not None:  # set on table rows
            return masked_decision(value, self.name)
        return value

    def __str__(self) -> str:
        return self.name

    def participant(self) -> schemas.Participant | None:
        return masked_payload(self._row.participant(), self.name, self.redact)


@dataclass
class Masking:
    """Blind review for one member and the candidates one page shows."""

    on: bool = False
    numbers: dict[str, int] = field(default_factory=dict)
    revealed: set[str] = field(default_factory=set)

    def hides(self, key: str) -> bool:
        return self.on and key not in self.revealed

    def show(self, row):
        """The candidate as this member may see them (the row itself unless masked)."""
        if row is None or not self.hides(row.key):
            return row
        return MaskedCandidate(row, self.numbers.get(row.key))

    def show_all(self, rows: Iterable) -> list:
        return [self.show(row) for row in rows]

    def name(self, key: str, name: str) -> str:
        """A name kept elsewhere (a decision, a note) as this member may see it."""
        return pseudonym(self.numbers.get(key)) if self.hides(key) else name

    def decisions(self, decisions: Iterable) -> list:
        """Decisions as this member may see them (a colleague's names the candidate)."""
        return [
            masked_decision(d, self.name(d.participant_key, ""))
            if d is not None and self.hides(d.participant_key)
            else d
            for d in decisions
        ]

    def redact_reviews(self, row: CachedParticipant, reviews) -> None:
        """Colleagues' review notes (``CandidateReviews.others``) without the candidate's
        name: the rows are shown only, never saved from a page."""
        if self.hides(row.key):
            redact = self.redactor(row)
            for review in reviews.others:
                review.note = redact(review.note)

    def redactor(self, row: CachedParticipant) -> Redactor:
        return redactor_of(row) if self.hides(row.key) else Redactor()


NOT_BLIND = Masking()


def masking_for(*, scope: Scope, viewer, rows: Iterable[CachedParticipant]) -> Masking:
    """The masking of ``rows`` for ``viewer``: two queries when blind, none otherwise."""
    if not blind_review_on(scope=scope, viewer=viewer):
        return NOT_BLIND
    rows = [row for row in rows if row is not None]
    keys = [row.key for row in rows]
    return Masking(
        on=True,
        numbers=candidate_numbers(
            scope=scope, candidates=[(row.key, row.interview_key) for row in rows]
        ),
        revealed=revealed_keys(scope=scope, viewer=viewer, keys=keys),
    )
