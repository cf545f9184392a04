"""Jobs (Willo interviews): the team's list, a job's candidates, export, invite and refresh."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from dashboard.forms import InviteForm, JobListForm
from dashboard.presenters.email_templates import job_emails_context
from dashboard.presenters.jobs import (
    job_deadline,
    job_results_context,
    jobs_fetching_mark,
    page_number,
    refresh_state,
)
from dashboard.presenters.live import live_context
from dashboard.views.limits import answers_read_limit, member_budget
from dashboard.views.scoping import HtmxHttpRequest, job_for, scope_for, wants_partial
from willo_integration.client import AuthenticationError, WilloError
from willo_integration.services import interviews as interview_services
from willo_integration.services.errors import WilloUnavailable
from willo_integration.services.freshness import unavailable_message
from willo_integration.services.interviews import (
    interview_cached,
    interview_list,
    interview_refresh_start,
    interviews_refresh_shared,
    last_visit_extend,
    last_visit_touch,
)
from willo_integration.services.invitations import InviteError, participant_invite
from willo_integration.services.member_emails import job_followed
from willo_integration.services.participants import ParticipantFilters, participants_csv_rows
from willo_integration.services.scope import Scope
from willo_integration.services.shares import interview_shares

PER_PAGE = 25
SINCE_SESSION_KEY = "dashboard_jobs_visit"
VISIT_GAP = timedelta(minutes=30)  # away longer than this, and the next view starts a visit
VISIT_RECORD_EVERY = timedelta(minutes=5)
FETCHED_SESSION_KEY = "dashboard_jobs_fetched"


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
        page=page_number(request.GET.get("page")),
        per_page=PER_PAGE,
        since=since,
    )
    jobs_fetching_mark(scope, listing.page.object_list)
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
        if wants_partial(request):
            return render(
                request,
                "dashboard/interviews/list.html#fetch-failed",
                {"membership": membership, "team": scope.team, "error": message},
            )
        if not isinstance(error, AuthenticationError):
            # A refused key: the jobs page says so itself; once is enough.
            messages.warning(request, message)
        return redirect(url)
    if wants_partial(request):
        return HttpResponseClientRefresh()
    return redirect(url)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def interview_detail(request: HtmxHttpRequest, slug: str, interview_key: str) -> HttpResponse:
    """A job: its questions and settings, its candidates as a pipeline and a table."""
    membership, scope = scope_for(request, slug)
    interview, freshness = job_for(scope, interview_key)
    context = job_results_context(
        membership=membership, scope=scope, interview=interview, data=request.GET
    )
    detail = interview.interview()
    context |= {
        "freshness": freshness,
        "detail": detail,
        "deadline": job_deadline(detail),
        "questions": interview.questions(),
        "invite_form": InviteForm(initial={"send_notifications": True}),
        **live_context(scope),
        **refresh_state(scope, interview),
        "followed": job_followed(scope=scope, interview_key=interview.key, member=request.user),
    }
    if membership.has_role("recruiter"):
        context["shares"] = interview_shares(scope=scope, interview_key=interview.key)
        context |= job_emails_context(scope=scope, interview_key=interview.key)
    template = "dashboard/interviews/detail.html"
    if wants_partial(request):
        template += "#results"
    return render(request, template, context)


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
    rows = participants_csv_rows(
        scope=scope, interview=interview, filters=filters, viewer=request.user
    )
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
            form.add_willo_errors(error.field_errors)
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
    context |= job_results_context(membership=membership, scope=scope, interview=interview, data={})
    detail = interview.interview()
    context |= {
        "freshness": freshness,
        "detail": detail,
        "deadline": job_deadline(detail),
        "questions": interview.questions(),
        **refresh_state(scope, interview),
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
        if not wants_partial(request):
            return redirect(job_url)
    interview = interview_cached(scope=scope, key=interview.key) or interview
    state = refresh_state(scope, interview)
    finished = state["progress"] is not None and not state["refreshing"]
    if finished and not state["refresh_error"]:
        if wants_partial(request):
            return HttpResponseClientRefresh()
        return redirect(job_url)
    if not wants_partial(request):
        return redirect(job_url)
    response = render(
        request,
        "dashboard/interviews/detail.html#refresh",
        {"membership": membership, "team": scope.team, "interview": interview, **state},
    )
    if state["refreshing"] and interview.participants_fetched_at is None:
        # A first fetch: the results show its progress (and fetch themselves while it runs).
        trigger_client_event(response, "candidates-fetching")
    return response
