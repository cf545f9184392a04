"""Selectors for participants (candidates): the job's table, pipeline, CSV and one candidate."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from willo_integration.client import NotFoundError
from willo_integration.models import CachedInterview, CachedParticipant, Source
from willo_integration.services.blind import (
    blind_review_on,
    candidate_numbers,
    pseudonym,
    revealed_keys,
)
from willo_integration.services.cache_writer import interview_store, participant_store
from willo_integration.services.errors import (
    WILLO_FAILURES,
    ParticipantNotFound,
    WilloUnavailable,
)
from willo_integration.services.freshness import (
    Freshness,
    is_stale,
    log_failure,
    stale_notice,
    unavailable_message,
)
from willo_integration.services.reads import Budget, read_shared
from willo_integration.services.retry_policy import next_attempt_in
from willo_integration.services.reviews import ReviewTally, reviews_tallies, tally_annotation
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import QueryDict

logger = logging.getLogger("willo_integration.services")

ORDERINGS = {
    "-created_at": "Newest",
    "created_at": "Oldest",
    "name": "Name A–Z",  # noqa: RUF001
    "-name": "Name Z–A",  # noqa: RUF001
    "-average_score": "Highest score",
    "average_score": "Lowest score",
    "-responded_at": "Latest response",
    # The team's own reviews (hidden ones sort last, as unknown).
    "-team_in_favour": "Most Yes from the team",
    "-team_rating": "Highest team rating",
}
# Orderings and filters on the team's reviews need to know who is looking.
REVIEW_ORDERINGS = {"-team_in_favour", "-team_rating"}
# Blind review finds and sorts no one by name.
NAME_ORDERINGS = {"name", "-name"}
DEFAULT_ORDERING = "-created_at"
# What the table, pipeline and CSV read: never the detail payload.
LIST_FIELDS = (
    "id",
    "team_id",
    "scope",
    "key",
    "interview_id",
    "interview_key",
    "name",
    "email",
    "phone",
    "custom_id",
    "location",
    "status",
    "status_changed_at",
    "created_at",
    "responded_at",
    "average_score",
    "score_count",
    "has_identity_check",
    "fetched_at",
)
# What a pipeline card shows.
PIPELINE_FIELDS = ("id", "key", "name", "email", "average_score")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class ParticipantFilters:
    status: str = ""
    q: str = ""
    score_min: float | None = None
    score_max: float | None = None
    responded_from: date | None = None
    responded_to: date | None = None
    has_identity_check: bool | None = None
    in_favour_min: int | None = None  # at least this many Strong yes or Yes from the team
    ordering: str = DEFAULT_ORDERING

    def blind(self) -> ParticipantFilters:
        """These filters for a member who reviews blind: no name search, no name order."""
        ordering = DEFAULT_ORDERING if self.ordering in NAME_ORDERINGS else self.ordering
        return replace(self, q="", ordering=ordering)

    @classmethod
    def from_query(cls, data: QueryDict) -> tuple[ParticipantFilters, dict[str, str]]:
        """Filters from a query string; invalid values are ignored and reported by field."""
        errors: dict[str, str] = {}
        values: dict[str, object] = {}
        status = data.get("status", "").strip()
        if status and status not in CachedParticipant.STATUSES:
            errors["status"] = "Choose one of the statuses."
        elif status:
            values["status"] = status
        values["q"] = data.get("q", "").strip()[:200]
        for name in ("score_min", "score_max"):
            raw = data.get(name, "").strip()
            if raw:
                try:
                    values[name] = float(raw)
                except ValueError:
                    errors[name] = "Enter a number."
        for name in ("responded_from", "responded_to"):
            raw = data.get(name, "").strip()
            if raw:
                try:
                    values[name] = date.fromisoformat(raw)
                except ValueError:
                    errors[name] = "Enter a date as YYYY-MM-DD."
        raw = data.get("in_favour_min", "").strip()
        if raw:
            try:
                values["in_favour_min"] = int(raw)
            except ValueError:
                errors["in_favour_min"] = "Enter a whole number."
            else:
                if values["in_favour_min"] < 1:
                    errors["in_favour_min"] = "Enter 1 or more."
                    del values["in_favour_min"]
        raw = data.get("has_identity_check", "").strip().lower()
        if raw in _TRUE:
            values["has_identity_check"] = True
        elif raw in _FALSE:
            values["has_identity_check"] = False
        elif raw:
            errors["has_identity_check"] = "Choose yes or no."
        ordering = data.get("ordering", "").strip()
        if ordering and ordering not in ORDERINGS:
            errors["ordering"] = "Choose one of the orderings."
        elif ordering:
            values["ordering"] = ordering
        return cls(**values), errors

    def as_query(self) -> str:
        """The filters that differ from the defaults, urlencoded (for links)."""
        pairs: list[tuple[str, str]] = []
        for field in fields(self):
            value = getattr(self, field.name)
            if value == field.default:
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, float):
                value = f"{value:g}"
            pairs.append((field.name, str(value)))
        return urlencode(pairs)


def _scoped(scope: Scope) -> QuerySet[CachedParticipant]:
    return CachedParticipant.objects.filter(team=scope.team, scope=scope.key)


def _filtered(
    scope: Scope,
    interview: CachedInterview | int,
    filters: ParticipantFilters,
    viewer: AbstractBaseUser | None = None,
) -> QuerySet[CachedParticipant]:
    """The job's candidates as filtered; the team's review tallies (as ``viewer`` may see
    them) only where a filter or the ordering needs them."""
    rows = _scoped(scope).filter(interview=interview)
    if viewer is not None:
        wanted = set()
        if filters.in_favour_min is not None:
            wanted.add("team_in_favour")
        if filters.ordering in REVIEW_ORDERINGS:
            wanted.add(filters.ordering.lstrip("-"))
        for name in sorted(wanted):
            rows = rows.annotate(**{name: tally_annotation(name, scope=scope, viewer=viewer)})
        if filters.in_favour_min is not None:
            rows = rows.filter(team_in_favour__gte=filters.in_favour_min)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(email__icontains=filters.q))
    if filters.score_min is not None:
        rows = rows.filter(average_score__gte=filters.score_min)
    if filters.score_max is not None:
        rows = rows.filter(average_score__lte=filters.score_max)
    if filters.responded_from is not None:
        rows = rows.filter(responded_at__date__gte=filters.responded_from)
    if filters.responded_to is not None:
        rows = rows.filter(responded_at__date__lte=filters.responded_to)
    if filters.has_identity_check is not None:
        rows = rows.filter(has_identity_check=filters.has_identity_check)
    return rows


def _ordering(filters: ParticipantFilters, viewer: AbstractBaseUser | None) -> str:
    ordering = filters.ordering if filters.ordering in ORDERINGS else DEFAULT_ORDERING
    if ordering in REVIEW_ORDERINGS and viewer is None:
        return DEFAULT_ORDERING
    return ordering


def _order_by(ordering: str) -> list:
    return order_by(ordering if ordering in ORDERINGS else DEFAULT_ORDERING)


def order_by(ordering: str) -> list:
    """``ordering`` (a field, "-" first for descending) with nulls last, then pk."""
    name = ordering.lstrip("-")
    column = (
        F(name).desc(nulls_last=True) if ordering.startswith("-") else F(name).asc(nulls_last=True)
    )
    return [column, "pk"]


def participant_list(
    *,
    scope: Scope,
    interview: CachedInterview,
    filters: ParticipantFilters,
    viewer: AbstractBaseUser | None = None,
) -> QuerySet[CachedParticipant]:
    """The job's candidates, filtered and ordered; one query whatever the number of rows.

    Only the LIST_FIELDS are loaded (reading another field costs a query per row). A
    ``viewer`` is needed to filter or sort by the team's reviews (``reviews_tallies`` gives
    what the rows shown carry).
    """
    return (
        _filtered(scope, interview, filters, viewer)
        .only(*LIST_FIELDS)
        .order_by(*_order_by(_ordering(filters, viewer)))
    )


@dataclass(frozen=True)
class PipelineColumn:
    status: str
    total: int
    members: list[CachedParticipant]
    query: str  # the table filtered to this status, other filters kept

    @property
    def more(self) -> int:
        return self.total - len(self.members)


def participant_pipeline(
    *,
    scope: Scope,
    interview: CachedInterview,
    filters: ParticipantFilters,
    per_column: int = 8,
    viewer: AbstractBaseUser | None = None,
) -> list[PipelineColumn]:
    """A column per status with its count and first ``per_column`` candidates; the status
    filter is ignored since every status has its column."""
    filters = replace(filters, status="")
    base = _filtered(scope, interview, filters, viewer)
    totals = base.aggregate(
        **{
            f"n{i}": Count("pk", filter=Q(status=status))
            for i, status in enumerate(CachedParticipant.STATUSES)
        }
    )
    listed = participant_list(scope=scope, interview=interview, filters=filters, viewer=viewer)
    columns = []
    for i, status in enumerate(CachedParticipant.STATUSES):
        total = totals[f"n{i}"]
        members = listed.filter(status=status).only(*PIPELINE_FIELDS)
        rows = list(members[:per_column]) if total else []
        query = replace(filters, status=status).as_query()
        columns.append(PipelineColumn(status=status, total=total, members=rows, query=query))
    return columns


def participant_get(*, scope: Scope, key: str) -> tuple[CachedParticipant, Freshness]:
    """One candidate with answers; the detail is fetched inline when missing or stale.

    ParticipantNotFound if neither the cache nor Willo knows them; WilloUnavailable if Willo fails
    and nothing is cached.
    """
    row = _scoped(scope).filter(key=key).select_related("interview").first()
    if row is not None and not is_stale(row.detail_fetched_at):
        return row, Freshness(as_of=row.detail_fetched_at)
    return participant_refresh(scope=scope, key=key, cached=row)


def participant_refresh(
    *, scope: Scope, key: str, cached: CachedParticipant | None = None
) -> tuple[CachedParticipant, Freshness]:
    """The candidate's detail fetched from Willo now (new media links included).

    If Willo fails, the ``cached`` row is returned with a notice saying how old it is.
    """
    try:
        with scope.client(retry=False) as willo:
            payload = willo.participants.retrieve(key)
    except NotFoundError as exc:
        log_failure("participant detail", repr(scope), exc)
        _scoped(scope).filter(key=key).delete()
        raise ParticipantNotFound from None
    except WILLO_FAILURES as exc:
        log_failure("participant detail", repr(scope), exc)
        if cached is None:
            cached = _scoped(scope).filter(key=key).select_related("interview").first()
        if cached is None:
            raise WilloUnavailable(unavailable_message(exc)) from exc
        as_of = cached.detail_fetched_at or cached.fetched_at
        notice = stale_notice(exc, as_of)
        return cached, Freshness(
            as_of=as_of, notice=notice, retry_after=getattr(exc, "retry_after", None)
        )
    interview = None
    if payload.interview is not None:
        interview = (
            CachedInterview.objects.filter(
                team=scope.team, scope=scope.key, key=payload.interview.key
            ).first()
            # Known only by reference so far: store what the payload says of it.
            or interview_store(scope=scope, payload=payload.interview, source=Source.READ)
        )
    participant_store(scope=scope, payload=payload, source=Source.READ, interview=interview)
    row = _scoped(scope).select_related("interview").get(key=key)
    return row, Freshness(as_of=row.detail_fetched_at or timezone.now())


@dataclass(frozen=True)
class Reread:
    """A re-read's outcome: refreshed, missing (deleted in Willo) or stale; and, while
    Willo is not answering, the countdown to try again after."""

    state: str
    retry_in: float | None = None


def participant_reread(*, scope: Scope, key: str, attempt: int, may_wait: bool) -> Reread:
    """Re-read a candidate a webhook payload could not be ordered against (the task's
    body): again after the backoff while Willo is not answering, up to the last attempt.
    ``may_wait`` is False where nothing can wait (an eager task): stale it stays."""
    try:
        _row, freshness = participant_refresh(scope=scope, key=key)
    except ParticipantNotFound:
        return Reread("missing")  # deleted in Willo: participant_refresh dropped the row
    except WilloUnavailable:
        freshness = Freshness(as_of=None, notice="unavailable")
    if not freshness.notice:
        return Reread("refreshed")
    if not may_wait:
        return Reread("stale")
    return Reread("stale", next_attempt_in(attempt, retry_after=freshness.retry_after))


def participant_refetch(
    *, scope: Scope, key: str, budget: Budget | None = None
) -> tuple[CachedParticipant, Freshness]:
    """A member's re-read of the candidate (a media link that would not play): shares a
    read of them in flight or done within WILLO_REFRESH_COALESCE_SECONDS, and spends
    ``budget`` only when it reads Willo itself."""
    shared = read_shared(
        scope=scope,
        what="participant",
        key=key,
        read=lambda: participant_refresh(scope=scope, key=key)[1],
        budget=budget,
    )
    row = _scoped(scope).filter(key=key).select_related("interview").first()
    if row is None:
        raise ParticipantNotFound
    return row, shared.value


def participant_neighbours(
    *,
    scope: Scope,
    participant: CachedParticipant,
    filters: ParticipantFilters,
    viewer: AbstractBaseUser | None = None,
) -> tuple[str | None, str | None]:
    """The keys before and after ``participant`` in the job's filtered, ordered list.

    Two keyset queries (the next row after its sort value, the last row before it), so the
    cost does not grow with the job's candidates. (None, None) if the filters exclude it.
    """
    if participant.interview_id is None:
        return None, None
    rows = _filtered(scope, participant.interview_id, filters, viewer)
    unfiltered = filters == ParticipantFilters(ordering=filters.ordering)
    if not unfiltered and not rows.filter(pk=participant.pk).exists():
        return None, None
    ordering = _ordering(filters, viewer)
    if ordering in REVIEW_ORDERINGS:  # the row's tally, as this viewer may see it
        name = ordering.lstrip("-")
        value = rows.filter(pk=participant.pk).values_list(name, flat=True).first()
    else:
        value = getattr(participant, ordering.lstrip("-"))
    return keyset_neighbours(rows, ordering=ordering, value=value, pk=participant.pk)


def keyset_neighbours(
    rows: QuerySet[CachedParticipant], *, ordering: str, value, pk: int
) -> tuple[str | None, str | None]:
    """The keys of the rows just before and after the position (``value``, ``pk``) in
    ``rows`` ordered by ``ordering`` (nulls last, then pk): two keyset queries, whatever
    the number of rows. The row at the position itself need not be among ``rows``."""
    name = ordering.lstrip("-")
    descending = ordering.startswith("-")
    if value is None:  # nulls sort last
        after = Q(**{f"{name}__isnull": True, "pk__gt": pk})
        before = Q(**{f"{name}__isnull": False}) | Q(**{f"{name}__isnull": True, "pk__lt": pk})
    else:
        beyond, short = ("lt", "gt") if descending else ("gt", "lt")
        tie = Q(**{name: value})
        after = (
            Q(**{f"{name}__{beyond}": value})
            | (tie & Q(pk__gt=pk))
            | Q(**{f"{name}__isnull": True})
        )
        before = Q(**{f"{name}__{short}": value}) | (tie & Q(pk__lt=pk))
    column = F(name)
    backwards = [
        column.asc(nulls_first=True) if descending else column.desc(nulls_first=True),
        "-pk",
    ]
    keys = rows.values_list("key", flat=True)
    following = keys.filter(after).order_by(*order_by(ordering)).first()
    preceding = keys.filter(before).order_by(*backwards).first()
    return preceding, following


def interview_participant_keys(
    *, scope: Scope, interview: CachedInterview, keys: Iterable[str]
) -> list[str]:
    """Those of ``keys`` that are candidates of the job in this scope, by name."""
    return list(
        _scoped(scope)
        .filter(interview=interview, key__in=set(keys))
        .order_by("name", "key")
        .values_list("key", flat=True)
    )


def interview_candidates(
    *, scope: Scope, interview: CachedInterview, keys: Iterable[str]
) -> tuple[list[CachedParticipant], Freshness]:
    """Those of ``keys`` that are candidates of the job in this scope, in the order given,
    with their answers (fetched again where stale, as a candidate's page would; one that
    Willo no longer has drops out), and how fresh the oldest of them is."""
    keys = list(dict.fromkeys(keys))
    cached = {
        row.key: row
        for row in _scoped(scope)
        .filter(interview=interview, key__in=keys)
        .select_related("interview")
    }
    rows, freshness = [], []
    for key in (key for key in keys if key in cached):
        row = cached[key]
        if is_stale(row.detail_fetched_at):
            try:
                row, fresh = participant_refresh(scope=scope, key=key, cached=row)
            except ParticipantNotFound:
                continue
        else:
            fresh = Freshness(as_of=row.detail_fetched_at)
        rows.append(row)
        freshness.append(fresh)
    oldest = min(freshness, key=lambda f: f.as_of or timezone.now(), default=Freshness(None))
    notice = next((f for f in freshness if f.notice), oldest)
    return rows, notice


CSV_HEADER = [
    "Key",
    "Name",
    "Email",
    "Phone",
    "Status",
    "Average score",
    "Scores",
    "Invited at",
    "Responded at",
    "Identity check",
    "Location",
    "Custom ID",
    "Team: Strong yes",
    "Team: Yes",
    "Team: No",
    "Team: Strong no",
    "Team rating",
    "Team ratings",
]
HIDDEN = "hidden until you recommend"


def participants_csv_rows(
    *,
    scope: Scope,
    interview: CachedInterview,
    filters: ParticipantFilters,
    viewer: AbstractBaseUser,
) -> Iterator[list[str]]:
    """The filtered list as CSV rows, header first; cells are safe to open in a spreadsheet.
    The team's review columns say "hidden" where independent review hides them."""
    yield CSV_HEADER
    blind = blind_review_on(scope=scope, viewer=viewer)
    if blind:
        filters = filters.blind()
    rows = participant_list(scope=scope, interview=interview, filters=filters, viewer=viewer)
    for chunk in _chunks(rows.iterator(chunk_size=2000), 2000):
        keys = [row.key for row in chunk]
        tallies = reviews_tallies(scope=scope, keys=keys, viewer=viewer)
        masked: dict[str, str] = {}
        if blind:
            numbers = candidate_numbers(
                scope=scope, candidates=[(r.key, r.interview_key) for r in chunk]
            )
            revealed = revealed_keys(scope=scope, viewer=viewer, keys=keys)
            masked = {k: pseudonym(numbers.get(k)) for k in keys if k not in revealed}
        yield from (_csv_row(row, tallies[row.key], masked.get(row.key)) for row in chunk)


def _chunks(rows: Iterator[CachedParticipant], size: int) -> Iterator[list[CachedParticipant]]:
    chunk: list[CachedParticipant] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _csv_row(
    row: CachedParticipant, tally: ReviewTally | None, masked_as: str | None = None
) -> list[str]:
    """``masked_as``: blind review's name for the candidate, whose identity stays out."""
    name, email, phone, location, custom_id = (
        (masked_as, "", "", "", "")
        if masked_as is not None
        else (row.name, row.email, row.phone, row.location, row.custom_id)
    )
    return [
        _cell(value)
        for value in (
            row.key,
            name,
            email,
            phone,
            row.status,
            "" if row.average_score is None else f"{row.average_score:g}",
            str(row.score_count),
            _when(row.created_at),
            _when(row.responded_at),
            "yes" if row.has_identity_check else "no",
            location,
            custom_id,
            *_review_cells(tally),
        )
    ]


def _review_cells(tally: ReviewTally | None) -> list[str]:
    if tally is None:
        return [HIDDEN] * 6
    average = "" if tally.rating_average is None else f"{tally.rating_average:.1f}"
    counts = [str(count) for _value, _label, count in tally.bars()]
    return [*counts, average, str(tally.rating_count)]


def _when(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
