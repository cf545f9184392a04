"""Life in the sandbox: candidates respond, reviewers score, comment and decide; webhooks fire."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import transaction

from . import events, knobs
from . import seed_data as d
from .models import (
    CHOICE_ANSWER_TYPES,
    IDV_ANSWER_TYPES,
    Answer,
    Comment,
    CriterionScore,
    IdvSession,
    Interview,
    Organisation,
    Participant,
    ParticipantStatus,
    SandboxUser,
    Score,
    Transcript,
)
from .seed import ANSWERED

MEDIA = {"video": "mp4", "audio": "mp3", "file": "pdf"}


def _now() -> datetime:
    return datetime.now(UTC)


def _reviewer(participant: Participant, rng: random.Random) -> SandboxUser:
    return rng.choice(list(SandboxUser.objects.filter(organisation=participant.organisation)))


def invite(org: Organisation, rng: random.Random) -> Participant:
    interview = rng.choice(list(Interview.objects.filter(organisation=org)))
    first, last = rng.choice(d.FIRST_NAMES), rng.choice(d.LAST_NAMES)
    now = _now()
    return Participant.objects.create(
        organisation=org,
        interview=interview,
        name=f"{first} {last}",
        email=f"{first.lower()}.{rng.randint(1000, 99999)}@{rng.choice(d.EMAIL_DOMAINS)}",
        phone=f"+447{rng.randint(100000000, 999999999)}",
        status=ParticipantStatus.INVITED,
        invite_code=f"{rng.getrandbits(24):06x}",
        created_at=now,
        updated_at=now,
    )


def respond(participant: Participant, rng: random.Random, base: str | None = None) -> Participant:
    """The candidate answers every question; a new_response webhook fires."""
    city, country, code = rng.choice(d.CITIES)
    language = d.COUNTRY_LANGUAGE.get(code, "en")
    now = _now()
    with transaction.atomic():
        participant.answers.all().delete()
        for question in participant.interview.questions.prefetch_related("options"):
            kind = question.answer_type
            answer = Answer.objects.create(
                participant=participant,
                question=question,
                media_extension=MEDIA.get(kind),
                text=rng.choice(d.TEXT_ANSWERS) if kind == "text" else None,
                spent_time=rng.randint(20, 180),
                created_at=now,
                updated_at=now,
            )
            if kind in ("video", "audio"):
                Transcript.objects.create(
                    answer=answer,
                    text=" ".join(rng.sample(d.TRANSCRIPTS[language], k=2)),
                    language=language,
                    confidence=round(rng.uniform(0.8, 0.98), 2),
                )
            if kind in CHOICE_ANSWER_TYPES:
                options = list(question.options.all())
                answer.selected_options.set(rng.sample(options, k=1))
            if kind in IDV_ANSWER_TYPES:
                passed = rng.random() < 0.75
                IdvSession.objects.update_or_create(
                    participant=participant,
                    defaults={
                        "check_type": kind,
                        "share_code": "SIM-" + f"{rng.randint(100, 999)}-{rng.randint(100, 999)}",
                        "passed": passed,
                        "failed_checks": [] if passed else ["ai_face_match"],
                        "document_number": str(rng.randint(100000000, 999999999)),
                        "date_of_birth": date(rng.randint(1970, 2004), 5, 17),
                        "created_at": now,
                    },
                )
        participant.status = ParticipantStatus.COMPLETED
        participant.summary = rng.choice(d.SUMMARIES)
        participant.city, participant.country_name, participant.country_code = city, country, code
        participant.updated_at = now
        participant.save()
    events.new_response(participant, base or knobs.current().public_base_url)
    return participant


def score(participant: Participant, rng: random.Random) -> Score:
    criteria = list(participant.interview.criteria.all())
    values = [Decimal(rng.randint(1, 5)) for _ in criteria] or [Decimal(rng.randint(1, 5))]
    with transaction.atomic():
        item = Score.objects.create(
            participant=participant,
            scored_by=_reviewer(participant, rng),
            general_score=(sum(values) / len(values)).quantize(Decimal("0.01")),
            scored_at=_now(),
        )
        for criterion, value in zip(criteria, values, strict=False):
            CriterionScore.objects.create(score=item, criterion=criterion, value=value)
    events.new_score(item)
    return item


def comment(participant: Participant, rng: random.Random) -> Comment:
    item = Comment.objects.create(
        participant=participant,
        author=_reviewer(participant, rng),
        text=rng.choice(d.COMMENTS),
        created_at=_now(),
    )
    events.new_comment(item)
    return item


def decide(participant: Participant, rng: random.Random, base: str | None = None) -> Participant:
    reviewer = _reviewer(participant, rng)
    participant.status = rng.choice((ParticipantStatus.ACCEPTED, ParticipantStatus.REJECTED))
    participant.status_changed_by = reviewer.email
    participant.status_changed_at = participant.updated_at = _now()
    participant.save()
    events.status_changed(participant, base or knobs.current().public_base_url)
    return participant


def step(org: Organisation, rng: random.Random) -> str:
    """One thing happens; returns a line describing it."""
    waiting = Participant.objects.filter(
        organisation=org, status__in=(ParticipantStatus.INVITED, ParticipantStatus.STARTED)
    )
    answered = Participant.objects.filter(organisation=org, status__in=ANSWERED)
    roll = rng.random()
    if roll < 0.15 or not waiting.exists():
        p = invite(org, rng)
        return f"invited {p.name} to {p.interview.title}"
    if roll < 0.55:
        p = respond(rng.choice(list(waiting.order_by("-created_at")[:50])), rng)
        return f"{p.name} responded to {p.interview.title} (new_response)"
    completed = list(answered.order_by("-updated_at")[:50])
    if not completed:
        return "nothing to review yet"
    return _reviewed(rng.choice(completed), rng, roll, scored_below=0.75, commented_below=0.92)


def _reviewed(
    p: Participant, rng: random.Random, roll: float, *, scored_below: float, commented_below: float
) -> str:
    """A reviewer scores, comments on or decides on ``p``, as ``roll`` falls."""
    if roll < scored_below:
        s = score(p, rng)
        return f"{s.scored_by.full_name} scored {p.name} {s.general_score} (new_score)"
    if roll < commented_below:
        c = comment(p, rng)
        return f"{c.author.full_name} commented on {p.name} (new_comment)"
    decide(p, rng)
    return f"{p.name} was {p.status.lower()} (status_change)"


def tick(rng: random.Random | None = None) -> str:
    """The demo's scheduled life: in each organisation that has webhooks, one thing the
    dashboard hears of through them (so every team and agency client sees life). Half the
    time a candidate responds (one is invited first when none is waiting), else one is
    scored, commented on or decided. "" when no organisation has webhooks."""
    rng = rng or random.Random()
    organisations = Organisation.objects.filter(webhooks__isnull=False).distinct()
    return "; ".join(f"{org.name}: {_lively(org, rng)}" for org in organisations.order_by("pk"))


def _lively(org: Organisation, rng: random.Random) -> str:
    roll = rng.random()
    completed = list(
        Participant.objects.filter(organisation=org, status=ParticipantStatus.COMPLETED).order_by(
            "-updated_at"
        )[:50]
    )
    if roll < 0.5 or not completed:
        waiting = list(
            Participant.objects.filter(
                organisation=org,
                status__in=(ParticipantStatus.INVITED, ParticipantStatus.STARTED),
            ).order_by("-created_at")[:50]
        )
        if not waiting and not Interview.objects.filter(organisation=org).exists():
            return "no jobs to respond to yet"
        p = respond(rng.choice(waiting) if waiting else invite(org, rng), rng)
        return f"{p.name} responded to {p.interview.title} (new_response)"
    return _reviewed(rng.choice(completed), rng, roll, scored_below=0.7, commented_below=0.9)
