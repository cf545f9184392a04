"""Read-through fill of the cache: interviews, an interview's participants and their details.

The full sync and reconciliation are issue 6; these are what pages need on a miss.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from willo_integration import schemas
from willo_integration.client import MAX_PAGE_SIZE, NotFoundError, WilloClient
from willo_integration.models import CachedInterview, CachedParticipant, Source
from willo_integration.schemas import DECISION_STATUSES, IDENTITY_ANSWER_TYPES
from willo_integration.services.changes import changes_mark
from willo_integration.services.scope import Scope
from willo_integration.text import storable, storable_json

logger = logging.getLogger("willo_integration.services")

DETAIL_WORKERS = 4  # parallel detail requests; the client's limiter still bounds the rate
ANSWERED_STATUSES = frozenset({"Completed", *DECISION_STATUSES})


def interviews_refresh(*, scope: Scope) -> int:
    """Every interview of the scope (list pages), upserted; returns how many.

    Interviews Willo no longer lists are dropped once the whole list has been read.
    """
    started = timezone.now()
    seen: set[str] = set()
    with scope.client(retry=False) as willo:
        for item in willo.interviews.list(page_size=MAX_PAGE_SIZE):
            interview_store(scope=scope, payload=item, source=Source.READ)
            seen.add(item.key)
    CachedInterview.objects.filter(
        team=scope.team, scope=scope.key, fetched_at__lt=started
    ).exclude(key__in=seen).delete()
    return len(seen)


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


def interview_refresh(
    *,
    scope: Scope,
    key: str,
    details: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """The interview's detail, every participant of it and (``details``) each one's detail.

    Detail requests run a few at a time through ``WilloClient.concurrently``; rows are
    written on this thread. Returns how many participants Willo listed.
    """
    with scope.client(retry=False) as willo:
        return _interview_fill(scope, willo, key, details=details, progress=progress)


def _interview_fill(
    scope: Scope,
    willo: WilloClient,
    key: str,
    *,
    details: bool,
    progress: Callable[[int, int], None] | None,
) -> int:
    interview = interview_store(
        scope=scope,
        payload=willo.interviews.retrieve(key),
        source=Source.READ,
        detail=True,
    )
    keys: list[str] = []
    for item in willo.participants.list(interview=key, page_size=MAX_PAGE_SIZE):
        participant_store(scope=scope, payload=item, source=Source.READ, interview=interview)
        keys.append(item.key)
    total = len(keys)
    if progress:
        progress(0, total)
    if details and keys:
        fetch = _detail_fetcher(willo)
        for done, fetched in enumerate(
            willo.concurrently(fetch, keys, max_workers=DETAIL_WORKERS), start=1
        ):
            if fetched is not None:
                participant_store(
                    scope=scope, payload=fetched, source=Source.READ, interview=interview
                )
            if progress:
                progress(done, total)
    CachedInterview.objects.filter(pk=interview.pk).update(participants_fetched_at=timezone.now())
    return total


def _detail_fetcher(willo: WilloClient) -> Callable[[str], schemas.Participant | None]:
    def fetch(key: str) -> schemas.Participant | None:
        try:
            return willo.participants.retrieve(key)
        except NotFoundError:
            # Deleted between the list and the detail request.
            logger.info("willo participant %s vanished during refresh", key)
            return None

    return fetch


def participant_store(
    *,
    scope: Scope,
    payload: schemas.Participant,
    source: str,
    interview: CachedInterview | None = None,
) -> CachedParticipant:
    """Upsert one participant from any payload (list item, detail, webhook, PATCH answer).

    Only the fields the payload carries are written, and a payload older than the cached
    one changes nothing; a webhook payload that cannot be ordered against the cached row
    changes nothing either and asks for a re-read instead (README, "Ordering of writes
    to the cache").
    """
    with transaction.atomic():
        row = (
            CachedParticipant.objects.select_for_update()
            .filter(team=scope.team, scope=scope.key, key=payload.key)
            .first()
        )
        order = _order(payload, row, source)
        if row is not None and order != NEWER:
            _not_stored(scope, row.key, source, order)
            return row
        if row is None:
            row = CachedParticipant(team=scope.team, scope=scope.key, key=payload.key)
        _merge(row, payload, source, timezone.now())
        if interview is None and row.interview_id is None and row.interview_key:
            interview = CachedInterview.objects.filter(
                team=scope.team, scope=scope.key, key=row.interview_key
            ).first()
        if interview is not None:
            row.interview = interview
            row.interview_key = interview.key
        row.save()
        changes_mark(scope=scope, participant_keys=[row.key])
    return row


def participants_store(
    *, scope: Scope, payloads: list[schemas.Participant], source: str
) -> list[CachedParticipant]:
    """Upsert many participants as ``participant_store`` does each, in a few queries: one
    locked read of those cached, one of their interviews, one insert of the new ones, an
    update per changed one. A burst of webhooks is applied this way; the rows written
    are returned.

    Payloads apply in order, so a later one for the same candidate wins unless it is older.
    If another writer inserts one of the new candidates meanwhile, each payload of the
    batch is stored on its own instead (so that check still holds).
    """
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
        for payload in payloads:
            row = rows.get(payload.key)
            order = _order(payload, row, source)
            if row is not None and order != NEWER:
                _not_stored(scope, row.key, source, order)
                continue
            if row is None:
                rows[payload.key] = row = CachedParticipant(
                    team=scope.team, scope=scope.key, key=payload.key
                )
            _merge(row, payload, source, now)
            changed[row.key] = row
        wanted = {
            r.interview_key for r in changed.values() if r.interview_id is None and r.interview_key
        }
        interviews = (
            {
                interview.key: interview
                for interview in CachedInterview.objects.filter(
                    team=scope.team, scope=scope.key, key__in=wanted
                )
            }
            if wanted
            else {}
        )
        for row in changed.values():
            if row.interview_id is None and row.interview_key in interviews:
                row.interview = interviews[row.interview_key]
        try:
            with transaction.atomic():
                CachedParticipant.objects.bulk_create(
                    [row for key, row in changed.items() if key not in stored]
                )
        except IntegrityError:
            return [
                participant_store(scope=scope, payload=payload, source=source)
                for payload in payloads
            ]
        for key in changed.keys() & stored:
            changed[key].save()
        if changed:  # as participant_store: an older payload moves no marker
            changes_mark(scope=scope, participant_keys=changed)
    return list(changed.values())


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


def _text(value: str | None, limit: int) -> str:
    """A payload's string as a column stores it: storable, cut to the column's length."""
    return storable(value or "")[:limit]
