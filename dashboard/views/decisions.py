"""Accept and reject: on the candidate page, per table row, in bulk; and retrying a failure."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from dashboard.client_ip import client_ip_address
from dashboard.models import Decision
from dashboard.views.interviews import job_results_context
from dashboard.views.participants import candidate_live_url
from dashboard.views.scoping import (
    HtmxHttpRequest,
    candidate_for,
    candidates_url,
    job_for,
    scope_for,
    wants_partial,
)
from willo_integration.models import CachedParticipant
from willo_integration.services.decisions import (
    decision_retry as retry_decision,
)
from willo_integration.services.decisions import (
    participant_decide as decide_participant,
)
from willo_integration.services.decisions import (
    participants_decide,
)

STATUSES = {"Accepted": "accepted", "Rejected": "rejected"}


def decision_notice(decision: Decision) -> str:
    """What the recruiter is told right after deciding: never "done" when it is not."""
    verb = STATUSES.get(decision.status, decision.status.lower())
    name = decision.participant_name or "The candidate"
    if decision.state == Decision.State.SENT:
        return f"{name} {verb}."
    if decision.state == Decision.State.FAILED:
        reason = decision.last_error or "unknown error"
        return f"Willo did not accept the decision for {name}: {reason}."
    return (
        f"{name} will be {verb}: Willo has not confirmed yet, "
        "so the decision is pending and will be sent again automatically."
    )


def _bulk_notice(decisions: list[Decision], status: str) -> str:
    verb = STATUSES[status].capitalize()
    noun = "acceptance" if status == "Accepted" else "rejection"
    sent = sum(d.state == Decision.State.SENT for d in decisions)
    pending = sum(d.state == Decision.State.PENDING for d in decisions)
    failed = sum(d.state == Decision.State.FAILED for d in decisions)
    parts = []
    if sent:
        parts.append(f"{verb} {sent} candidate{pluralize(sent)}.")
    if pending:
        parts.append(
            f"{pending} {noun}{pluralize(pending)} pending: being sent to Willo, "
            "shown as pending until Willo confirms."
        )
    if failed:
        parts.append(f"{failed} failed: see the table to retry.")
    return " ".join(parts)


def _answer(request, *, membership, scope, participant: CachedParticipant, decision: Decision):
    participant.refresh_from_db()
    notice = decision_notice(decision)
    if wants_partial(request) and request.POST.get("view") == "row":
        participant.latest_decision = decision
        response = render(
            request,
            "dashboard/interviews/detail.html#row",
            {
                "membership": membership,
                "team": scope.team,
                "participant": participant,
                "can_decide": True,
                "row_notice": notice,
                "filter_query": request.POST.get("filter_query", ""),
                "candidates_url": candidates_url(scope.team.slug),
            },
        )
    elif wants_partial(request):
        response = render(
            request,
            "dashboard/participants/detail.html#decision",
            {
                "membership": membership,
                "team": scope.team,
                "participant": participant,
                "decision": decision,
                "can_decide": True,
                "notice": notice,
                "live_url": candidate_live_url(scope.team.slug, participant.key),
            },
        )
    else:
        level = messages.SUCCESS if decision.state == Decision.State.SENT else messages.WARNING
        messages.add_message(request, level, notice)
        return redirect(
            reverse(
                "dashboard:participant_detail",
                kwargs={"slug": scope.team.slug, "participant_key": participant.key},
            )
        )
    trigger_client_event(response, "candidates-changed")
    return response


@require_POST
@login_required
def participant_decide(request: HtmxHttpRequest, slug: str, participant_key: str) -> HttpResponse:
    """Accept or reject one candidate (POST status=Accepted|Rejected)."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    participant, _freshness = candidate_for(scope, participant_key)
    status = request.POST.get("status", "")
    if status not in STATUSES:
        return HttpResponseBadRequest("status must be Accepted or Rejected")
    decision = decide_participant(
        scope=scope,
        participant_key=participant.key,
        status=status,
        actor=request.user,
        ip_address=client_ip_address(request),
    )
    return _answer(
        request, membership=membership, scope=scope, participant=participant, decision=decision
    )


@require_POST
@login_required
def decision_retry(request: HtmxHttpRequest, slug: str, decision_id: int) -> HttpResponse:
    """Send a failed decision to Willo again."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    failed = get_object_or_404(Decision, pk=decision_id, team=scope.team, scope=scope.key)
    participant, _freshness = candidate_for(scope, failed.participant_key)
    decision = retry_decision(scope=scope, decision_id=failed.pk, actor=request.user)
    return _answer(
        request, membership=membership, scope=scope, participant=participant, decision=decision
    )


@require_POST
@login_required
def participants_decide_bulk(
    request: HtmxHttpRequest, slug: str, interview_key: str
) -> HttpResponse:
    """Accept or reject the selected candidates of a job (POST keys=...&status=...)."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    interview, _freshness = job_for(scope, interview_key)
    status = request.POST.get("status", "")
    if status not in STATUSES:
        return HttpResponseBadRequest("status must be Accepted or Rejected")
    wanted = set(request.POST.getlist("keys"))
    keys = list(
        CachedParticipant.objects.filter(
            team=scope.team, scope=scope.key, interview=interview, key__in=wanted
        )
        .order_by("name", "key")
        .values_list("key", flat=True)
    )
    if keys:
        decisions = participants_decide(
            scope=scope,
            participant_keys=keys,
            status=status,
            actor=request.user,
            ip_address=client_ip_address(request),
        )
        notice = _bulk_notice(decisions, status)
    else:
        notice = "Select at least one candidate of this job first."
    if not wants_partial(request):
        messages.info(request, notice)
        return redirect(
            reverse(
                "dashboard:interview_detail",
                kwargs={"slug": scope.team.slug, "interview_key": interview.key},
            )
        )
    # The filter the table was showing; the POST's own "status" is the decision.
    shown = QueryDict(request.POST.get("filter_query", ""))
    context = job_results_context(
        request, membership=membership, scope=scope, interview=interview, data=shown
    )
    context["bulk_notice"] = notice
    response = render(request, "dashboard/interviews/detail.html#results", context)
    trigger_client_event(response, "candidates-changed")
    return response
