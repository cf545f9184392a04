"""The cache writer: the one module that writes cached interviews and participants, and
Willo's comments and scores.

Every payload from Willo (a list row, a detail, a webhook, an invite's answer, a decision's
PATCH answer) reaches the cache through here, under one set of rules: only the fields a
payload carries are written, strings are made storable, and a candidate's payload older
than the cached row changes nothing (README, "Ordering of writes to the cache"). One
candidate is a batch of one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from willo_integration import schemas
from willo_integration.models import (
    CachedInterview,
    CachedParticipant,
    Source,
    StatusChange,
    WilloComment,
    WilloScore,
)
from willo_integration.schemas import DECISION_STATUSES, IDENTITY_ANSWER_TYPES
from willo_integration.services.changes import changes_mark
from willo_integration.services.scope import Scope
from willo_integration.text import storable, storable_json

logger = logging.getLogger("willo_integration.services")

ANSWERED_STATUSES = frozenset({"Completed", *DECISION_STATUSES})


def interview_store(
    *, scope: Scope, payload: schemas.Interview, source: str, detail: bool = False
) -> CachedInterview:
    """Upsert one interview; ``detail`` when the payload is the full GET /interviews/{key}/."""
    now = timezone.now()
    fields: dict[str, Any] = {"source": source, "fetched_at": now}
    sent = payload.model_fields_set
    if "title" in sent:
        fields["title"] = _text(payload.title, 500)
    if "department" in sent:
        fields["department_key"] = _text(payload.department and payload.department.key, 64)
        fields["department_name"] = _text(payload.department and payload.department.name, 200)
    if "owner" in sent:
        fields["owner_name"] = _text(payload.owner and payload.owner.full_name, 200)
        fields["owner_email"] = _text(payload.owner and payload.owner.email, 254)
    if "invite_link" in sent:
        fields["invite_link"] = _text(payload.invite_link, 500)
    if "created_at" in sent:
        fields["created_at"] = payload.created_at
    if detail:
        fields["detail"] = storable_json(
            payload.model_dump(mode="json", by_alias=True, exclude_unset=True)
        )
        fields["detail_fetched_at"] = now
    row, _ = CachedInterview.objects.update_or_create(
        team=scope.team, scope=scope.key, key=payload.key, defaults=fields
    )
    return row


def participant_store(
    *,
    scope: Scope,
    payload: schemas.Participant,
    source: str,
    interview: CachedInterview | None = None,
) -> CachedParticipant:
    """Upsert one participant: the batch write of one. The cached row, written or (the
    payload being older, or unordered) as it was."""
    rows, _written = _write(scope, [payload], source, interview=interview, known_only=False)
    return rows[payload.key]


def participants_store(
    *,
    scope: Scope,
    payloads: list[schemas.Participant],
    source: str,
    interview: CachedInterview | None = None,
    known_only: bool = False,
) -> list[CachedParticipant]:
    """Upsert many participants in a few queries: one locked read of those cached, one of
    their jobs, one insert of the new ones, an update per changed one. The rows written.

    Payloads apply in order, so a later one for the same candidate wins unless it is older.
    ``interview``: the job they are all candidates of. ``known_only``: update candidates
    already cached, never add one (a decision's answer for someone erased meanwhile).
    """
    _rows, written = _write(scope, payloads, source, interview=interview, known_only=known_only)
    return written


def _write(
    scope: Scope,
    payloads: list[schemas.Participant],
    source: str,
    *,
    interview: CachedInterview | None,
    known_only: bool,
    again: bool = True,
) -> tuple[dict[str, CachedParticipant], list[CachedParticipant]]:
    """The cached row of each payload's candidate, and those written. If another writer
    inserts one of the new candidates meanwhile, the batch is written again over the rows
    now there (so the ordering check still holds)."""
    now = timezone.now()
    with transaction.atomic():
        rows = {
            row.key: row
            for row in CachedParticipant.objects.select_for_update().filter(
                team=scope.team, scope=scope.key, key__in={p.key for p in payloads}
            )
        }
        stored: set[str] = set(rows)
        changed: dict[str, CachedParticipant] = {}
        moves: list[StatusChange] = []
        for payload in payloads:
            row = rows.get(payload.key)
            if row is None and known_only:
                continue
            order = _order(payload, row, source)
            if row is not None and order != NEWER:
                _not_stored(scope, row.key, source, order)
                continue
            if row is None:
                rows[payload.key] = row = CachedParticipant(
                    team=scope.team, scope=scope.key, key=payload.key
                )
            before = row.status
            _merge(row, payload, source, now)
            if before and row.status and row.status != before:  # a move, not a first sight
                moves.append(_move(scope, row, before, source, now))
            changed[row.key] = row
        _place(scope, changed.values(), interview)
        try:
            with transaction.atomic():
                CachedParticipant.objects.bulk_create(
                    [row for key, row in changed.items() if key not in stored]
                )
        except IntegrityError:
            if not again:
                raise
            return _write(
                scope, payloads, source, interview=interview, known_only=known_only, again=False
            )
        for key in changed.keys() & stored:
            changed[key].save()
        StatusChange.objects.bulk_create(moves)
        if changed:  # an older payload moves no marker: open pages would refetch for nothing
            changes_mark(scope=scope, participant_keys=changed)
    return rows, list(changed.values())


def _move(
    scope: Scope, row: CachedParticipant, before: str, source: str, now: datetime
) -> StatusChange:
    """The candidate's move to ``row.status``, for their timeline."""
    return StatusChange(
        team=scope.team,
        scope=scope.key,
        participant_key=row.key,
        status=row.status,
        previous=before,
        changed_at=row.status_changed_at or now,
        changed_by=row.status_changed_by,
        source=source,
    )


def _place(scope: Scope, rows, interview: CachedInterview | None) -> None:
    """Put each row in its job: ``interview`` when given, else the cached job its
    ``interview_key`` names (one query for the lot)."""
    if interview is not None:
        for row in rows:
            row.interview = interview
            row.interview_key = interview.key
        return
    homeless = [row for row in rows if row.interview_id is None and row.interview_key]
    if not homeless:
        return
    jobs = {
        job.key: job
        for job in CachedInterview.objects.filter(
            team=scope.team, scope=scope.key, key__in={row.interview_key for row in homeless}
        )
    }
    for row in homeless:
        if row.interview_key in jobs:
            row.interview = jobs[row.interview_key]


def _merge(
    row: CachedParticipant, payload: schemas.Participant, source: str, now: datetime
) -> None:
    """Write what ``payload`` carries onto ``row`` (not saved)."""
    sent = payload.model_fields_set
    wire = storable_json(payload.model_dump(mode="json", by_alias=True, exclude_unset=True))
    is_detail = "answers" in sent
    _apply(row, payload, sent)
    if is_detail or not row.detail:
        row.detail = wire
    else:
        row.detail = {**row.detail, **wire}
    if is_detail:
        row.detail_fetched_at = now
    row.source = source
    row.fetched_at = now


NEWER, OLDER, UNORDERED = "newer", "older", "unordered"


def _order(payload: schemas.Participant, row: CachedParticipant | None, source: str) -> str:
    """Whether ``payload`` describes the candidate later than ``row`` does: NEWER (store
    it), OLDER or UNORDERED (keep the row). README, "Ordering of writes to the cache".

    By ``updated_at`` when both carry it, then ``status_changed_at``. A read of Willo
    (list row, detail, invite answer) is Willo's state now: newer unless its own stamps
    say otherwise. A webhook may come late, or again: without ``updated_at`` it is newer
    only when its status change is later than anything the row knows of, and against a
    row without ``updated_at`` (a list row) only when it was updated after that read.
    """
    if row is None:
        return NEWER
    if payload.updated_at and row.updated_at and payload.updated_at != row.updated_at:
        return NEWER if payload.updated_at > row.updated_at else OLDER
    if _before(payload.status_changed_at, row.status_changed_at):
        return OLDER
    if source != Source.WEBHOOK or (payload.updated_at and row.updated_at):
        return NEWER
    if payload.updated_at:  # the row was read without one (a list row, an invite answer)
        return NEWER if payload.updated_at >= row.fetched_at else UNORDERED
    known = [t for t in (row.updated_at, row.status_changed_at) if t is not None]
    changed = payload.status_changed_at
    if changed is not None and known and all(changed > t for t in known):
        return NEWER
    return UNORDERED


def _before(new: datetime | None, old: datetime | None) -> bool:
    return new is not None and old is not None and new < old


def _not_stored(scope: Scope, key: str, source: str, order: str) -> None:
    if order == OLDER:
        logger.info("willo participant %s: ignored an older payload (%s)", key, source)
        return
    logger.info(
        "willo participant %s: a %s payload that cannot be ordered against the cached row; "
        "re-read from Willo instead",
        key,
        source,
    )
    reread_later(scope=scope, key=key)


def reread_later(*, scope: Scope, key: str) -> None:
    """Re-read the candidate from Willo once the current transaction commits (a task)."""
    from willo_integration.tasks import participant_refresh_task

    def enqueue() -> None:
        try:
            participant_refresh_task.delay(scope.team.pk, scope.key, scope.relation, key)
        except Exception:  # the broker is down: the next sync or page view re-reads it
            logger.exception("willo participant %s: the re-read could not be enqueued", key)

    transaction.on_commit(enqueue)


def _apply(row: CachedParticipant, payload: schemas.Participant, sent: set[str]) -> None:
    for name, limit in (("name", 200), ("email", 254), ("phone", 64), ("custom_id", 200)):
        if name in sent:
            setattr(row, name, _text(getattr(payload, name), limit))
    if "location" in sent:
        place = payload.location
        parts = [place.city, place.country_name] if place else []
        row.location = _text(", ".join(p for p in parts if p), 300)
    if "status" in sent:
        row.status = _text(str(payload.status or ""), 32)
    if "status_changed_by" in sent:
        row.status_changed_by = _text(payload.status_changed_by, 254)
    for name in ("status_changed_at", "created_at", "updated_at"):
        if name in sent:
            setattr(row, name, getattr(payload, name))
    if "interview" in sent and payload.interview is not None:
        interview_key = _text(payload.interview.key, 64)
        if row.interview_key != interview_key:
            row.interview = None
        row.interview_key = interview_key
    if "score" in sent:
        score = payload.score
        row.average_score = score.average_score_snapshot if score else None
        row.score_count = (score.average_score_count or 0) if score else 0
    elif "avg_score" in sent and payload.avg_score is not None:
        row.average_score = float(payload.avg_score)
    if "answers" in sent:
        row.has_identity_check = any(
            str(answer.answer_type or "") in IDENTITY_ANSWER_TYPES for answer in payload.answers
        )
        answered = [a.created_at for a in payload.answers if a.created_at is not None]
        if answered:
            row.responded_at = min(answered)
        elif row.status in ANSWERED_STATUSES:
            row.responded_at = row.responded_at or payload.updated_at


# -- Willo's comments and scores (new_comment, new_score deliveries) ------------------------


def willo_comment_store(
    *, scope: Scope, participant_key: str, comment: schemas.Comment, fallback_key: str
) -> WilloComment:
    """Store a comment from a new_comment delivery: one row per comment key, updated when
    it is delivered again. ``fallback_key`` (the delivery's event id) stands in for a
    comment sent without a key."""
    author = comment.author
    fields = {
        "participant_key": _willo_key(participant_key, "participant"),
        "text": storable(comment.text or ""),
        "author_key": _text(author and author.key, 64),
        "author_name": _text(author and author.full_name, 200),
        "author_email": _text(author and author.email, 254),
        "created_at": comment.created_at,
        "received_at": timezone.now(),
    }
    row, _ = WilloComment.objects.update_or_create(
        team=scope.team,
        scope=scope.key,
        key=_willo_key(comment.key or fallback_key, "comment"),
        defaults=fields,
    )
    changes_mark(scope=scope, participant_keys=[row.participant_key])
    return row


def willo_score_store(
    *, scope: Scope, participant_key: str, score: schemas.Score, fallback_key: str
) -> WilloScore:
    """Store a scorecard from a new_score delivery: one row per score key, updated (its
    criteria replaced) when it is delivered again; ``fallback_key`` as for a comment."""
    scorer = score.scored_by
    criteria = sorted(
        score.scores_by_criteria,
        key=lambda item: (
            item.scorecard_criteria is None or item.scorecard_criteria.order is None,
            (item.scorecard_criteria and item.scorecard_criteria.order) or 0,
        ),
    )
    fields = {
        "participant_key": _willo_key(participant_key, "participant"),
        "general_score": _score_column(score.general_score),
        "scored_at": score.scored_at,
        "scored_by_key": _text(scorer and scorer.key, 64),
        "scored_by_name": _text(scorer and scorer.full_name, 200),
        "scored_by_email": _text(scorer and scorer.email, 254),
        "criteria": [_criterion(item) for item in criteria],
        "received_at": timezone.now(),
    }
    row, _ = WilloScore.objects.update_or_create(
        team=scope.team,
        scope=scope.key,
        key=_willo_key(score.key or fallback_key, "score"),
        defaults=fields,
    )
    changes_mark(scope=scope, participant_keys=[row.participant_key])
    return row


def _criterion(item: schemas.CriterionScore) -> dict[str, Any]:
    criterion = item.scorecard_criteria
    return {
        "text": storable((criterion and criterion.text) or ""),
        "description": storable((criterion and criterion.description) or ""),
        "order": criterion.order if criterion else None,
        "is_optional": criterion.is_optional if criterion else None,
        "score": None if item.score is None else str(item.score),  # as Willo sent it
    }


SCORE_LIMIT = Decimal("9999999.99")  # what WilloScore.general_score holds


def _score_column(value: Decimal | None) -> Decimal | None:
    """A score as its column holds it (two decimals, as Willo sends them); None, logged,
    when it does not fit."""
    if value is None:
        return None
    if not value.is_finite() or abs(value) > SCORE_LIMIT:
        logger.warning("willo score of %s does not fit its column: stored without it", value)
        return None
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _willo_key(value: str, what: str) -> str:
    """A key as Willo makes them; ValueError (the delivery fails) for anything else."""
    if not value or len(value) > 64 or storable(value) != value:
        raise ValueError(f"the {what}'s key is not a Willo key")
    return value


def _text(value: str | None, limit: int) -> str:
    """A payload's string as a column stores it: storable, cut to the column's length."""
    return storable(value or "")[:limit]
