"""What a job's page shows: its results (pipeline, table, bulk form) and its refresh state;
and what the jobs list says of candidates never fetched."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.paginator import Paginator
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import date_format

from dashboard.presenters.blind import masking_for
from dashboard.presenters.candidate_filters import active_filters, no_candidates_sentence
from dashboard.presenters.participants import candidates_url
from willo_integration import schemas
from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.services import participants as participant_services
from willo_integration.services.blind import blind_review_on
from willo_integration.services.decisions import participants_latest_decisions
from willo_integration.services.interviews import (
    interview_participants_stale,
    interview_refresh_progress,
    interview_refresh_running,
    interviews_refresh_running,
)
from willo_integration.services.participants import (
    ParticipantFilters,
    participant_list,
    participant_pipeline,
)
from willo_integration.services.reviews import reviews_tallies
from willo_integration.services.scope import Scope
from willo_integration.services.shares import interview_shared, participants_share_verdicts

TABLE_PER_PAGE = 25

# Column -> (ordering on first click, the opposite ordering).
SORTABLE = {
    "name": ("name", "-name"),
    "score": ("-average_score", "average_score"),
    "responded": ("-responded_at", "responded_at"),
    "invited": ("-created_at", "created_at"),
}


def page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _results_url(scope: Scope, interview: CachedInterview, query: str, number: int) -> str:
    url = reverse(
        "dashboard:interview_detail",
        kwargs={"slug": scope.team.slug, "interview_key": interview.key},
    )
    params = [part for part in (query, f"page={number}" if number > 1 else "") if part]
    return f"{url}?{'&'.join(params)}" if params else url


def _sort_link(query: str, current: str, first: str, other: str) -> dict[str, str]:
    """The query that sorts by a column (toggling when it already does) and its aria-sort."""
    data = QueryDict(query, mutable=True)
    data.pop("page", None)
    data["ordering"] = other if current == first else first
    aria = ""
    if current in (first, other):
        aria = "descending" if current.startswith("-") else "ascending"
    return {"query": data.urlencode(), "aria": aria}


def job_results_context(*, membership, scope: Scope, interview: CachedInterview, data) -> dict:
    """Everything the job page's results partial (pipeline, table, bulk form) shows."""
    filters, errors = ParticipantFilters.from_query(data)
    viewer = membership.user
    blind = blind_review_on(scope=scope, viewer=viewer)
    if blind:
        filters = filters.blind()
    queryset = participant_list(scope=scope, interview=interview, filters=filters, viewer=viewer)
    paginator = Paginator(queryset, TABLE_PER_PAGE)
    page = paginator.get_page(page_number(data.get("page")))
    rows: list[CachedParticipant] = list(page.object_list)
    decisions = participants_latest_decisions(scope=scope, keys=[p.key for p in rows])
    pipeline = participant_pipeline(
        scope=scope, interview=interview, filters=filters, viewer=viewer
    )
    members = [p for column in pipeline for p in column.members]
    tallies = reviews_tallies(scope=scope, keys=[p.key for p in rows + members], viewer=viewer)
    for participant in rows:
        participant.latest_decision = decisions.get(participant.key)
    for participant in rows + members:
        participant.team_tally = tallies[participant.key]
    shared = interview_shared(scope=scope, interview_key=interview.key)
    if shared:
        verdicts = participants_share_verdicts(scope=scope, keys=[p.key for p in rows])
        for participant in rows:
            participant.manager_verdicts = verdicts[participant.key]
    if blind:
        masking = masking_for(scope=scope, viewer=viewer, rows=rows + members)
        rows = masking.show_all(rows)
        pipeline = [replace(c, members=masking.show_all(c.members)) for c in pipeline]
    query = filters.as_query()
    active = active_filters(filters)
    sort = {
        column: _sort_link(query, filters.ordering, descending_first, ascending)
        for column, (descending_first, ascending) in SORTABLE.items()
    }
    return {
        "membership": membership,
        "team": scope.team,
        "interview": interview,
        "filters": filters,
        "blind": blind,
        "shared": shared,
        "filter_errors": errors,
        "filter_query": query,
        "active_filters": active,
        "no_candidates": no_candidates_sentence(active) if active else "",
        # Never fetched: the counts are what is known so far (from webhooks, or a first
        # fetch storing them as Willo lists them), not the job's candidates.
        "candidates_fetched": interview.participants_fetched_at is not None,
        "fetching": interview_refresh_running(scope=scope, key=interview.key),
        "page": page,
        "rows": rows,
        "pipeline": pipeline,
        "statuses": CachedParticipant.STATUSES,
        "sort": sort,
        "orderings": {
            value: label
            for value, label in participant_services.ORDERINGS.items()
            if not (blind and value in participant_services.NAME_ORDERINGS)
        },
        "can_decide": membership.has_role("recruiter"),
        "candidates_url": candidates_url(scope.team.slug),
        # Where #results fetches itself when a candidate changed: this filter, this page.
        "results_url": _results_url(scope, interview, query, page.number),
        "export_url": reverse(
            "dashboard:interview_export",
            kwargs={"slug": scope.team.slug, "interview_key": interview.key},
        )
        + (f"?{query}" if query else ""),
    }


def refresh_state(scope: Scope, interview: CachedInterview) -> dict:
    """Whether the job's candidate list should be, or is being, fetched from Willo."""
    progress = interview_refresh_progress(scope=scope, key=interview.key)
    running = progress is not None and progress.running
    return {
        "needs_refresh": interview_participants_stale(interview=interview),
        "refreshing": running,
        "progress": progress,
        "refresh_error": progress.error if progress is not None and not running else "",
        "auto_refresh": interview.participants_fetched_at is None and progress is None,
    }


def jobs_fetching_mark(scope: Scope, jobs: list[CachedInterview]) -> None:
    """Set ``fetching`` on each job of the list whose candidates are being fetched now."""
    fetching = interviews_refresh_running(scope=scope, keys=[job.key for job in jobs])
    for job in jobs:
        job.fetching = job.key in fetching


def job_deadline(detail: schemas.Interview | None) -> str:
    """The job's deadline in words, in the time zone Willo names for it when it names a
    real one (Willo sends the moment in UTC); "" when the job has none."""
    settings = detail.settings if detail is not None else None
    if settings is None or settings.deadline is None:
        return ""
    zone_name = settings.deadline_timezone or ""
    try:
        zone = ZoneInfo(zone_name) if zone_name else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None:
        zone, zone_name = UTC, "UTC"
    moment = settings.deadline
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{date_format(moment.astimezone(zone), 'j M Y H:i')} {zone_name}"
