"""Jobs (Willo interviews): the team's list, a job's candidates, export, invite and refresh."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from dashboard.views.changes import live_context
from dashboard.views.limits import answers_read_limit, member_budget
from dashboard.views.scoping import (
    HtmxHttpRequest,
    candidates_url,
    job_for,
    scope_for,
    wants_partial,
)
from willo_integration.client import AuthenticationError, WilloError
from willo_integration.models import CachedParticipant
from willo_integration.services import interviews as interview_services
from willo_integration.services import participants as participant_services
from willo_integration.services.freshness import WilloUnavailable, unavailable_message
from willo_integration.services.interviews import (
    interview_list,
    interview_participants_stale,
    interview_refresh_progress,
    interview_refresh_start,
    interviews_refresh_shared,
    last_visit_extend,
    last_visit_touch,
)
from willo_integration.services.invitations import InviteError, participant_invite
from willo_integration.services.participants import (
    ParticipantFilters,
    participant_list,
    participant_pipeline,
    participants_csv_rows,
    participants_latest_decisions,
)
from willo_integration.services.scope import Scope

PER_PAGE = 25
TABLE_PER_PAGE = 25
SINCE_SESSION_KEY = "dashboard_jobs_visit"
VISIT_GAP = timedelta(minutes=30)  # away longer than this, and the next view starts a visit
VISIT_RECORD_EVERY = timedelta(minutes=5)
FETCHED_SESSION_KEY = "dashboard_jobs_fetched"


class JobListForm(forms.Form):
    q = forms.CharField(label="Search jobs", required=False, max_length=200)
    department = forms.ChoiceField(label="Department", required=False)
    ordering = forms.ChoiceField(
        label="Order by", required=False, choices=list(interview_services.ORDERINGS.items())
    )

    def __init__(self, *args, departments: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "All departments"), *departments]


class InviteForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    email = forms.EmailField(label="Email")
    phone = forms.CharField(
        label="Phone (optional)",
        required=False,
        max_length=40,
        help_text="International format, e.g. +44 7700 900123.",
    )
    send_notifications = forms.BooleanField(
        label="Send Willo's invitation email and reminders", required=False, initial=True
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        digits = phone.replace(" ", "").replace("-", "")
        if phone and not (digits.lstrip("+").isdigit() and 7 <= len(digits.lstrip("+")) <= 15):
            raise forms.ValidationError(
                "Enter a phone number of 7 to 15 digits, e.g. +44 7700 900123."
            )
        return phone


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


@require_GET
@login_required
@vary_on_headers("HX-Request")
def interview_list_view(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The team's jobs: counts per status, new responses since the last visit."""
    membership, scope = scope_for(request, slug)
    since = _visit_since(request, scope)
    q = request.GET.get("q", "").strip()[:200]
    ordering = request.GET.get("ordering", "title")
    if ordering not in interview_services.ORDERINGS:
        ordering = "title"
    department = request.GET.get("department", "")
    listing = interview_list(
        scope=scope,
        search=q,
        department=department,
        ordering=ordering,
        page=_page_number(request.GET.get("page")),
        per_page=PER_PAGE,
        since=since,
    )
    form = JobListForm(request.GET or None, departments=listing.departments)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "membership": membership,
        "team": scope.team,
        "listing": listing,
        "page": listing.page,
        "freshness": listing.freshness,
        "form": form,
        "since": since,
        "base_query": query.urlencode(),
        "filtered": bool(q or department),
        "fetched_once": request.session.get(f"{FETCHED_SESSION_KEY}:{scope.team.pk}:{scope.key}"),
    }
    template = "dashboard/interviews/list.html"
    if wants_partial(request):
        template += "#jobs"
    return render(request, template, context)


def _visit_since(request: HtmxHttpRequest, scope: Scope) -> datetime:
    """Where "new responses" count from: the end of the recruiter's previous visit to these
    jobs (or the start of this one, on a first visit).

    A visit lasts while they come back within ``VISIT_GAP``; it is kept in the session and
    its end recorded at most every ``VISIT_RECORD_EVERY``, so browsing writes nothing on
    most views.
    """
    key = f"{SINCE_SESSION_KEY}:{scope.team.pk}:{scope.key}"
    now = timezone.now()
    visit = request.session.get(key)
    away = now - datetime.fromisoformat(visit["seen"]) if isinstance(visit, dict) else None
    if away is not None and away < VISIT_GAP:
        if away >= VISIT_RECORD_EVERY:
            last_visit_extend(user=request.user, scope=scope, at=now)
            request.session[key] = {**visit, "seen": now.isoformat()}
        return datetime.fromisoformat(visit["since"])
    since = last_visit_touch(user=request.user, scope=scope, at=now) or now
    request.session[key] = {"since": since.isoformat(), "seen": now.isoformat()}
    return since


@require_POST
@login_required
@answers_read_limit
def interviews_refresh_view(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Fetch the team's jobs from Willo now (first visit, or the recruiter asked)."""
    membership, scope = scope_for(request, slug)
    request.session[f"{FETCHED_SESSION_KEY}:{scope.team.pk}:{scope.key}"] = True
    url = reverse("dashboard:interview_list", kwargs={"slug": scope.team.slug})
    try:
        interviews_refresh_shared(scope=scope, budget=member_budget(request))
    except (WilloError, WilloUnavailable) as error:
        message = unavailable_message(error)
        if request.htmx:
            return render(
                request,
                "dashboard/interviews/list.html#fetch-failed",
                {"membership": membership, "team": scope.team, "error": message},
            )
        if not isinstance(error, AuthenticationError):
            # A refused key: the jobs page says so itself; once is enough.
            messages.warning(request, message)
        return redirect(url)
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(url)


def _results_url(scope: Scope, interview, query: str, page_number: int) -> str:
    url = reverse(
        "dashboard:interview_detail",
        kwargs={"slug": scope.team.slug, "interview_key": interview.key},
    )
    params = [part for part in (query, f"page={page_number}" if page_number > 1 else "") if part]
    return f"{url}?{'&'.join(params)}" if params else url


# Column -> (ordering on first click, the opposite ordering).
SORTABLE = {
    "name": ("name", "-name"),
    "score": ("-average_score", "average_score"),
    "responded": ("-responded_at", "responded_at"),
    "invited": ("-created_at", "created_at"),
}


def _sort_link(query: str, current: str, first: str, other: str) -> dict[str, str]:
    """The query that sorts by a column (toggling when it already does) and its aria-sort."""
    data = QueryDict(query, mutable=True)
    data.pop("page", None)
    data["ordering"] = other if current == first else first
    aria = ""
    if current in (first, other):
        aria = "descending" if current.startswith("-") else "ascending"
    return {"query": data.urlencode(), "aria": aria}


def job_results_context(
    request: HtmxHttpRequest, *, membership, scope: Scope, interview, data
) -> dict:
    """Everything the job page's results partial (pipeline, table, bulk form) shows."""
    filters, errors = ParticipantFilters.from_query(data)
    queryset = participant_list(scope=scope, interview=interview, filters=filters)
    paginator = Paginator(queryset, TABLE_PER_PAGE)
    page = paginator.get_page(_page_number(data.get("page")))
    rows: list[CachedParticipant] = list(page.object_list)
    decisions = participants_latest_decisions(scope=scope, keys=[p.key for p in rows])
    for participant in rows:
        participant.latest_decision = decisions.get(participant.key)
    pipeline = participant_pipeline(scope=scope, interview=interview, filters=filters)
    query = filters.as_query()
    sort = {
        column: _sort_link(query, filters.ordering, descending_first, ascending)
        for column, (descending_first, ascending) in SORTABLE.items()
    }
    return {
        "membership": membership,
        "team": scope.team,
        "interview": interview,
        "filters": filters,
        "filter_errors": errors,
        "filter_query": query,
        "page": page,
        "rows": rows,
        "pipeline": pipeline,
        "statuses": CachedParticipant.STATUSES,
        "sort": sort,
        "orderings": participant_services.ORDERINGS,
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


@require_GET
@login_required
@vary_on_headers("HX-Request")
def interview_detail(request: HtmxHttpRequest, slug: str, interview_key: str) -> HttpResponse:
    """A job: its questions and settings, its candidates as a pipeline and a table."""
    membership, scope = scope_for(request, slug)
    interview, freshness = job_for(scope, interview_key)
    context = job_results_context(
        request, membership=membership, scope=scope, interview=interview, data=request.GET
    )
    context |= {
        "freshness": freshness,
        "detail": interview.interview(),
        "questions": interview.questions(),
        "invite_form": InviteForm(initial={"send_notifications": True}),
        **live_context(scope),
        **_refresh_state(scope, interview),
    }
    template = "dashboard/interviews/detail.html"
    if wants_partial(request):
        template += "#results"
    return render(request, template, context)


def _refresh_state(scope: Scope, interview) -> dict:
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


def _csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    for row in rows:
        yield writer.writerow(row)


@require_GET
@login_required
def interview_export(request: HtmxHttpRequest, slug: str, interview_key: str) -> HttpResponse:
    """The job's candidates under the current filter, as CSV."""
    _membership, scope = scope_for(request, slug)
    interview, _freshness = job_for(scope, interview_key)
    filters, _errors = ParticipantFilters.from_query(request.GET)
    rows = participants_csv_rows(scope=scope, interview=interview, filters=filters)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="candidates-{interview.key}-{stamp}.csv"'
    )
    return response


@require_POST
@login_required
def interview_invite(request: HtmxHttpRequest, slug: str, interview_key: str) -> HttpResponse:
    """Invite a candidate; our validation and Willo's own errors are shown in the form."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    interview, freshness = job_for(scope, interview_key)
    form = InviteForm(request.POST)
    invited = None
    message = ""
    if form.is_valid():
        try:
            invited = participant_invite(
                scope=scope,
                interview_key=interview.key,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                send_notifications=form.cleaned_data["send_notifications"],
                actor=request.user,
            )
        except InviteError as error:
            message = error.message
            for field, field_errors in error.field_errors.items():
                target = field if field in form.fields else None
                for text in field_errors:
                    form.add_error(target, text)
    context = {
        "membership": membership,
        "team": scope.team,
        "interview": interview,
        "invite_form": InviteForm(initial={"send_notifications": True}) if invited else form,
        "invited": invited,
        "invite_message": message,
    }
    if wants_partial(request):
        response = render(request, "dashboard/interviews/detail.html#invite", context)
        if invited is not None:
            trigger_client_event(response, "candidates-changed")
        return response
    if invited is not None:
        return redirect(
            reverse(
                "dashboard:interview_detail",
                kwargs={"slug": scope.team.slug, "interview_key": interview.key},
            )
        )
    context |= job_results_context(
        request, membership=membership, scope=scope, interview=interview, data={}
    )
    context |= {
        "freshness": freshness,
        "detail": interview.interview(),
        "questions": interview.questions(),
        **_refresh_state(scope, interview),
    }
    return render(request, "dashboard/interviews/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@login_required
@answers_read_limit
def interview_refresh(request: HtmxHttpRequest, slug: str, interview_key: str) -> HttpResponse:
    """POST: fetch the job's candidates from Willo in the background; GET: how far it got."""
    membership, scope = scope_for(request, slug)
    interview, _freshness = job_for(scope, interview_key)
    job_url = reverse(
        "dashboard:interview_detail",
        kwargs={"slug": scope.team.slug, "interview_key": interview.key},
    )
    if request.method == "POST":
        # A second click while one is queued or running (or just done) starts nothing:
        # the partial below says it is running, or the page shows what it fetched.
        interview_refresh_start(scope=scope, key=interview.key, budget=member_budget(request))
        if not request.htmx:
            return redirect(job_url)
    interview.refresh_from_db()
    state = _refresh_state(scope, interview)
    finished = state["progress"] is not None and not state["refreshing"]
    if finished and not state["refresh_error"]:
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect(job_url)
    if not request.htmx:
        return redirect(job_url)
    return render(
        request,
        "dashboard/interviews/detail.html#refresh",
        {"membership": membership, "team": scope.team, "interview": interview, **state},
    )
