"""What a share's pages show the hiring manager: the shortlist, and one candidate at a time
with their answers (media through the dashboard), transcripts and AI summary; their name
(or blind review's "Candidate <number>"), contact details only when the recruiter allowed
them, never an identity check, a Willo link, a status, a score or the team's reviews."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.urls import reverse

from dashboard.models import Share, ShareVerdict
from dashboard.presenters.blind import NOT_BLIND, Masking
from dashboard.presenters.participants import AnswerView, answer_views
from willo_integration.models import CachedParticipant
from willo_integration.services.blind import candidate_numbers
from willo_integration.services.preferences import SPEEDS
from willo_integration.services.shares import share_scope


@dataclass
class SharedAnswer(AnswerView):
    """An answer whose media plays from the share's own URL, not Willo's link."""

    proxied_url: str = ""

    @property
    def media_url(self) -> str:
        return self.proxied_url


@dataclass(frozen=True)
class Contact:
    email: str
    phone: str
    location: str


@dataclass
class SharedCandidateView:
    key: str
    position: int  # 1-based, in the recruiter's order
    name: str
    url: str
    verdict: ShareVerdict | None
    contact: Contact | None = None
    summary: str = ""
    answers: list[SharedAnswer] | None = None


def share_masking(share: Share, rows: list[CachedParticipant]) -> Masking:
    """Blind review's masking for a blind share (nobody is revealed), none otherwise."""
    if not share.blind:
        return NOT_BLIND
    numbers = candidate_numbers(
        scope=share_scope(share), candidates=[(row.key, row.interview_key) for row in rows]
    )
    return Masking(on=True, numbers=numbers)


def shortlist(
    token: str, share: Share, rows: list[CachedParticipant], verdicts: dict[str, ShareVerdict]
) -> list[SharedCandidateView]:
    masking = share_masking(share, rows)
    return [
        SharedCandidateView(
            key=row.key,
            position=position,
            name=masking.show(row).name or "(no name)",
            url=reverse("share:candidate", kwargs={"token": token, "participant_key": row.key}),
            verdict=verdicts.get(row.key),
        )
        for position, row in enumerate(rows, start=1)
    ]


def shared_candidate_view(
    token: str, share: Share, entry: SharedCandidateView, row: CachedParticipant
) -> SharedCandidateView:
    """``entry`` of the shortlist with what the manager may see of the candidate."""
    masking = share_masking(share, [row])
    shown = masking.show(row)
    payload = shown.participant()
    if share.show_contact_details and not masking.on:
        entry.contact = Contact(row.email or "", row.phone or "", row.location or "")
    entry.summary = (payload.summary if payload else "") or ""
    questions = row.interview.questions() if row.interview else []
    if payload is not None:  # None: not fetched from Willo (yet)
        entry.answers = [
            _proxied(token, row.key, view)
            for view in answer_views(payload, questions)
            if view.kind != "identity"
        ]
    return entry


def _proxied(token: str, participant_key: str, view: AnswerView) -> SharedAnswer:
    url = ""
    if view.kind in ("video", "audio", "file") and not view.media_state:
        url = reverse(
            "share:media",
            kwargs={"token": token, "participant_key": participant_key, "answer_key": view.key},
        )
    values = {f.name: getattr(view, f.name) for f in fields(view)}
    return SharedAnswer(**values, proxied_url=url)


def share_page_context(token: str, share: Share, candidates: list[SharedCandidateView]) -> dict:
    return {
        "share": share,
        "token": token,
        "team_name": share.team.name,
        "job_title": share.interview_title or "a job",
        "candidates": candidates,
        "verdicts": ShareVerdict.Verdict.choices,
        "speeds": SPEEDS,
        "given": sum(1 for c in candidates if c.verdict is not None),
        "shortlist_url": reverse("share:page", kwargs={"token": token}),
    }
