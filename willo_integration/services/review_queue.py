"""A member's review queue: the responded candidates waiting for them.

In the queue: candidates who have completed their interview (Willo's status Completed),
with no decision on its way to Willo (one in its undo window or being sent), whom the
member has not given a recommendation. Oldest response first, or newest. Everything a
member does in the queue (a recommendation, a decision) takes the candidate out of it;
an undone decision puts them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from dashboard.models import Decision, Review
from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.services.participants import LIST_FIELDS, keyset_neighbours, order_by
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import QueryDict

RESPONDED = "Completed"
ORDERS = {"oldest": "responded_at", "newest": "-responded_at"}
ORDER_LABELS = {"oldest": "Oldest response first", "newest": "Newest response first"}
DEFAULT_ORDER = "oldest"
LISTED = 50  # the queue page lists this many; the count says how many there are


@dataclass(frozen=True)
class QueueFilter:
    """Which queue: one job's (by key) or the team's, and in which order."""

    job: str = ""
    order: str = DEFAULT_ORDER

    @classmethod
    def from_query(cls, data: QueryDict) -> QueueFilter:
        """From ``?job=<key>&order=oldest|newest``; an unknown order is the default."""
        order = data.get("order", "").strip()
        return cls(
            job=data.get("job", "").strip()[:64],
            order=order if order in ORDERS else DEFAULT_ORDER,
        )

    def as_query(self) -> str:
        pairs = [("job", self.job)] if self.job else []
        if self.order != DEFAULT_ORDER:
            pairs.append(("order", self.order))
        return urlencode(pairs)


@dataclass(frozen=True)
class QueueJob:
    key: str
    title: str
    waiting: int


@dataclass(frozen=True)
class Queue:
    """The queue as its page shows it."""

    filter: QueueFilter
    left: int
    done_today: int  # candidates the member recommended or decided today (in this queue)
    listed: list[CachedParticipant]
    jobs: list[QueueJob]  # the jobs with candidates waiting for the member
    # What the queue cannot know yet: no job fetched at all, or jobs whose candidates were
    # never fetched from Willo (their responses are not counted above).
    jobs_known: bool = True
    unfetched: tuple[tuple[str, str], ...] = ()  # (key, title)

    @property
    def progress_percent(self) -> int:
        total = self.left + self.done_today
        return round(100 * self.done_today / total) if total else 100


def _responded(scope: Scope, job: str) -> QuerySet[CachedParticipant]:
    rows = CachedParticipant.objects.filter(team=scope.team, scope=scope.key, status=RESPONDED)
    return rows.filter(interview_key=job) if job else rows


def _waiting(scope: Scope, viewer: AbstractBaseUser, job: str) -> QuerySet[CachedParticipant]:
    on_its_way = Decision.objects.filter(
        team=scope.team,
        scope=scope.key,
        participant_key=OuterRef("key"),
        state=Decision.State.PENDING,
    )
    recommended = Review.objects.filter(
        team=scope.team, scope=scope.key, participant_key=OuterRef("key"), reviewer=viewer
    ).exclude(recommendation="")
    return _responded(scope, job).exclude(Exists(on_its_way)).exclude(Exists(recommended))


def _done_today(scope: Scope, viewer: AbstractBaseUser, job: str) -> int:
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    reviewed = Review.objects.filter(
        team=scope.team, scope=scope.key, reviewer=viewer, updated_at__gte=midnight
    ).exclude(recommendation="")
    decided = Decision.objects.filter(
        team=scope.team,
        scope=scope.key,
        actor=viewer,
        created_at__gte=midnight,
        state__in=(Decision.State.PENDING, Decision.State.SENT),
    )
    if job:
        keys = CachedParticipant.objects.filter(
            team=scope.team, scope=scope.key, interview_key=job
        ).values("key")
        reviewed = reviewed.filter(participant_key__in=keys)
        decided = decided.filter(participant_key__in=keys)
    done = set(reviewed.values_list("participant_key", flat=True))
    done.update(decided.values_list("participant_key", flat=True))
    return len(done)


def review_queue(*, scope: Scope, viewer: AbstractBaseUser, queue: QueueFilter) -> Queue:
    """The member's queue: how many wait, the first of them, and the jobs they are in."""
    waiting = _waiting(scope, viewer, queue.job)
    listed = list(
        waiting.select_related("interview")
        .only(*LIST_FIELDS, "interview__title")
        .order_by(*order_by(ORDERS[queue.order]))[:LISTED]
    )
    per_job = (
        _waiting(scope, viewer, "")
        .values("interview_key", "interview__title")
        .annotate(waiting=Count("pk"))
        .order_by("interview__title", "interview_key")
    )
    jobs = [
        QueueJob(row["interview_key"], row["interview__title"] or "Untitled job", row["waiting"])
        for row in per_job
        if row["interview_key"]
    ]
    known = CachedInterview.objects.filter(team=scope.team, scope=scope.key)
    if queue.job:
        known = known.filter(key=queue.job)
    unfetched = known.filter(participants_fetched_at__isnull=True).order_by("title", "key")
    return Queue(
        filter=queue,
        left=len(listed) if len(listed) < LISTED else waiting.count(),
        done_today=_done_today(scope, viewer, queue.job),
        listed=listed,
        jobs=jobs,
        jobs_known=queue.job != "" or known.exists(),
        unfetched=tuple((j.key, j.title or "Untitled job") for j in unfetched.only("key", "title")),
    )


def queue_first(*, scope: Scope, viewer: AbstractBaseUser, queue: QueueFilter) -> str | None:
    """The key of the first candidate waiting, None when the queue is empty."""
    rows = _waiting(scope, viewer, queue.job).order_by(*order_by(ORDERS[queue.order]))
    return rows.values_list("key", flat=True).first()


@dataclass(frozen=True)
class QueuePlace:
    """Where a candidate stands in the member's queue."""

    previous_key: str | None
    next_key: str | None
    left: int  # waiting, this candidate left out
    done_today: int

    @property
    def progress_percent(self) -> int:
        total = self.left + self.done_today
        return round(100 * self.done_today / total) if total else 100


def queue_place(
    *,
    scope: Scope,
    viewer: AbstractBaseUser,
    queue: QueueFilter,
    participant: CachedParticipant,
) -> QueuePlace:
    """The candidates before and after ``participant`` in the queue, whether or not they
    are still in it (one just reviewed keeps its place: *previous* from the next one goes
    back to them), and how many wait besides them."""
    waiting = _waiting(scope, viewer, queue.job)
    ordering = ORDERS[queue.order]
    previous_key, next_key = keyset_neighbours(
        waiting, ordering=ordering, value=participant.responded_at, pk=participant.pk
    )
    if next_key is None:  # past the end: back to the first still waiting (skipped ones)
        rows = waiting.exclude(pk=participant.pk).order_by(*order_by(ordering))
        next_key = rows.values_list("key", flat=True).first()
    return QueuePlace(
        previous_key=previous_key,
        next_key=next_key,
        left=waiting.exclude(pk=participant.pk).count(),
        done_today=_done_today(scope, viewer, queue.job),
    )
