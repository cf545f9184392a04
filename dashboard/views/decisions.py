"""Accept and reject: on the candidate page, per table row, in bulk; undo and retry.

No view here waits for Willo: the service records the decision and a task sends it once
its undo window has passed. Every answer carries the result notice, swapped into the
page's notice region (outside what the live refresh fetches again), where it stays until
dismissed and, while a decision is pending, fetches itself again when the page changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from dashboard.client_ip import client_ip_address
from dashboard.models import Decision, actor_label
from dashboard.presenters.blind import masking_for
from dashboard.presenters.decisions import (
    DecisionWords,
    decision_panel_context,
    decisions_words,
    undo_report,
)
from dashboard.presenters.jobs import job_results_context
from dashboard.presenters.participants import candidates_url
from dashboard.views.scoping import HtmxHttpRequest, safe_url, scope_for, wants_partial
from willo_integration.models import CachedParticipant
from willo_integration.services.decision_emails import EmailOffer, decision_email_offer
from willo_integration.services.decisions import (
    DECISION_STATUSES,
    DecisionNotUndoable,
    decisions_list,
    participant_latest_decision,
    participants_decide,
)
from willo_integration.services.decisions import decision_retry as retry_decision
from willo_integration.services.decisions import decision_undo as undo_decision
from willo_integration.services.decisions import decisions_undo as undo_decisions
from willo_integration.services.decisions import participant_decide as decide_participant
from willo_integration.services.interviews import interview_cached
from willo_integration.services.participants import interview_participant_keys
from willo_integration.services.reviews import participant_tally
from willo_integration.services.scope import Scope, candidate_in_scope

logger = logging.getLogger("dashboard.decisions")

LEVELS = {
    "success": messages.SUCCESS,
    "warning": messages.WARNING,
    "error": messages.ERROR,
    "info": messages.INFO,
}
MAX_IDS = 500  # a bulk decision covers one page of the table at most
BAD_STATUS = f"status must be {' or '.join(DECISION_STATUSES)}"


@dataclass(frozen=True)
class Notice:
    """The result of a decision, an undo or a retry, as the notice region shows it."""

    words: DecisionWords
    live_url: str = ""  # set while a decision is pending: the notice fetches itself again
    undo_url: str = ""
    undo_ids: tuple[int, ...] = ()  # Undo all: the decisions still undoable
    retry_url: str = ""
    about: str = ""  # whom an Undo or Retry button acts on, for its accessible name
    email: EmailOffer = field(default_factory=EmailOffer)  # offered, or said to be queued


def _notice(scope: Scope, decisions: list[Decision]) -> Notice:
    slug = scope.team.slug
    words = decisions_words(decisions)
    email = decision_email_offer(scope=scope, decisions=decisions)
    ids = [("decision_id", str(d.pk)) for d in decisions]
    live_url = ""
    if any(d.state == Decision.State.PENDING for d in decisions):
        url = reverse("dashboard:decisions_notice", kwargs={"slug": slug})
        live_url = f"{url}?{urlencode(ids)}"
    if len(decisions) == 1:
        decision = decisions[0]
        return Notice(
            words=words,
            live_url=live_url,
            undo_url=_url("dashboard:decision_undo", slug, decision)
            if decision.in_undo_window
            else "",
            retry_url=_url("dashboard:decision_retry", slug, decision)
            if decision.state == Decision.State.FAILED
            else "",
            about=words.about,
            email=email,
        )
    undoable = tuple(d.pk for d in decisions if d.in_undo_window)
    return Notice(
        words=words,
        live_url=live_url,
        undo_url=reverse("dashboard:decisions_undo", kwargs={"slug": slug}) if undoable else "",
        undo_ids=undoable,
        email=email,
    )


def _url(name: str, slug: str, decision: Decision) -> str:
    return reverse(name, kwargs={"slug": slug, "decision_id": decision.pk})


def _notice_html(request: HtmxHttpRequest, scope: Scope, notice: Notice, *, oob: bool) -> str:
    return render_to_string(
        "dashboard/_decision_notice.html",
        {"notice": notice, "team": scope.team, "oob": oob},
        request,
    )


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values[:MAX_IDS] if v.isdigit()]


def _decision(scope: Scope, decision_id: int) -> Decision:
    found = decisions_list(scope=scope, decision_ids=[decision_id])
    if not found:
        raise Http404("No such decision.")
    return found[0]


def _back(scope: Scope, participant: CachedParticipant, view: str, filter_query: str) -> str:
    """Where a form posted without JavaScript returns to: the table or the candidate."""
    if view == "row" and participant.interview_key:
        url = reverse(
            "dashboard:interview_detail",
            kwargs={"slug": scope.team.slug, "interview_key": participant.interview_key},
        )
        return f"{url}?{filter_query}" if filter_query else url
    return reverse(
        "dashboard:participant_detail",
        kwargs={"slug": scope.team.slug, "participant_key": participant.key},
    )


def _answer(
    request: HtmxHttpRequest,
    *,
    membership,
    scope: Scope,
    participant: CachedParticipant,
    notice: Notice,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The part of the page that asked (the panel, the row or the notice), the notice with it."""
    view = request.POST.get("view", "panel")
    filter_query = request.POST.get("filter_query", "")
    if not wants_partial(request):
        messages.add_message(request, LEVELS[notice.words.tone], notice.words.text)
        onward = safe_url(request, request.POST.get("next", "")) if status < 400 else ""
        return redirect(onward or _back(scope, participant, view, filter_query))
    masking = masking_for(scope=scope, viewer=request.user, rows=[participant])
    if view == "notice":
        html = _notice_html(request, scope, notice, oob=False)
    elif view == "row":
        participant.latest_decision = participant_latest_decision(
            scope=scope, participant_key=participant.key
        )
        participant.team_tally = participant_tally(
            scope=scope, participant_key=participant.key, viewer=request.user
        )
        context = {
            "membership": membership,
            "team": scope.team,
            "participant": masking.show(participant),
            "can_decide": True,
            "row_error": error,
            "filter_query": filter_query,
            "candidates_url": candidates_url(scope.team.slug),
        }
        html = render_to_string("dashboard/interviews/detail.html#row", context, request)
        html += _notice_html(request, scope, notice, oob=True)
    else:
        panel = decision_panel_context(scope, participant)
        context = {
            "membership": membership,
            "team": scope.team,
            "participant": masking.show(participant),
            "can_decide": True,
            "panel_error": error,
            **panel,
            "decision": masking.decisions([panel["decision"]])[0],
            "history": masking.decisions(panel["history"]),
        }
        html = render_to_string("dashboard/participants/detail.html#decision", context, request)
        html += _notice_html(request, scope, notice, oob=True)
    response = HttpResponse(html, status=status)
    trigger_client_event(response, "candidates-changed")
    return response


@require_POST
@login_required
def participant_decide(request: HtmxHttpRequest, slug: str, participant_key: str) -> HttpResponse:
    """Accept or reject one candidate (POST status=Accepted|Rejected): recorded, sent later."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    participant = candidate_in_scope(scope, participant_key)
    status = request.POST.get("status", "")
    if status not in DECISION_STATUSES:
        return HttpResponseBadRequest(BAD_STATUS)
    decision = decide_participant(
        scope=scope,
        participant_key=participant.key,
        status=status,
        actor=request.user,
        ip_address=client_ip_address(request),
    )
    return _answer(
        request,
        membership=membership,
        scope=scope,
        participant=participant,
        notice=_notice(scope, [decision]),
    )


@require_POST
@login_required
def decision_undo(request: HtmxHttpRequest, slug: str, decision_id: int) -> HttpResponse:
    """Cancel a decision in its undo window: Willo never hears of it. 409 once it is sent."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    decision = _decision(scope, decision_id)
    participant = candidate_in_scope(scope, decision.participant_key)
    try:
        undone = undo_decision(scope=scope, decision_id=decision.pk, actor=request.user)
    except DecisionNotUndoable as refused:
        reason = str(refused)
        logger.info(
            "undo of decision %s by %s refused: %s",
            decision.pk, actor_label(request.user), reason,
        )  # fmt: skip
        return _answer(
            request,
            membership=membership,
            scope=scope,
            participant=participant,
            notice=Notice(words=DecisionWords("refused", reason, reason)),
            error=reason,
            status=409,
        )
    return _answer(
        request,
        membership=membership,
        scope=scope,
        participant=participant,
        notice=_notice(scope, [undone]),
    )


@require_POST
@login_required
def decision_retry(request: HtmxHttpRequest, slug: str, decision_id: int) -> HttpResponse:
    """Send a failed decision to Willo again (by a task, like the first time)."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    failed = _decision(scope, decision_id)
    participant = candidate_in_scope(scope, failed.participant_key)
    decision = retry_decision(scope=scope, decision_id=failed.pk, actor=request.user)
    return _answer(
        request,
        membership=membership,
        scope=scope,
        participant=participant,
        notice=_notice(scope, [decision]),
    )


@require_POST
@login_required
def participants_decide_bulk(
    request: HtmxHttpRequest, slug: str, interview_key: str
) -> HttpResponse:
    """Accept or reject the selected candidates of a job (POST keys=...&status=...)."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    interview = interview_cached(scope=scope, key=interview_key)
    if interview is None:
        raise Http404("No such job here.")
    status = request.POST.get("status", "")
    if status not in DECISION_STATUSES:
        return HttpResponseBadRequest(BAD_STATUS)
    keys = interview_participant_keys(
        scope=scope, interview=interview, keys=request.POST.getlist("keys")[:MAX_IDS]
    )
    if keys:
        decisions = participants_decide(
            scope=scope,
            participant_keys=keys,
            status=status,
            actor=request.user,
            ip_address=client_ip_address(request),
        )
        notice = _notice(scope, decisions)
    else:
        text = "Select at least one candidate of this job first."
        notice = Notice(words=DecisionWords("refused", text, text))
    if not wants_partial(request):
        messages.add_message(request, LEVELS[notice.words.tone], notice.words.text)
        return redirect(
            reverse(
                "dashboard:interview_detail",
                kwargs={"slug": scope.team.slug, "interview_key": interview.key},
            )
        )
    # The filter the table was showing; the POST's own "status" is the decision.
    shown = QueryDict(request.POST.get("filter_query", ""))
    context = job_results_context(
        membership=membership, scope=scope, interview=interview, data=shown
    )
    html = render_to_string("dashboard/interviews/detail.html#results", context, request)
    response = HttpResponse(html + _notice_html(request, scope, notice, oob=True))
    trigger_client_event(response, "candidates-changed")
    return response


@require_POST
@login_required
def decisions_undo(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Undo all of a bulk decision that Willo has not heard of (POST decision_id=..., one
    per decision); the notice says how many could not be undone, and why."""
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    outcome = undo_decisions(
        scope=scope, decision_ids=_ids(request.POST.getlist("decision_id")), actor=request.user
    )
    if outcome.refused:
        logger.info(
            "undo all by %s: %d undone, %d refused",
            actor_label(request.user),
            len(outcome.undone),
            len(outcome.refused),
        )
    notice = Notice(words=undo_report(outcome))
    if not wants_partial(request):
        messages.add_message(request, LEVELS[notice.words.tone], notice.words.text)
        return redirect(reverse("dashboard:interview_list", kwargs={"slug": scope.team.slug}))
    response = HttpResponse(
        _notice_html(request, scope, notice, oob=False), status=200 if outcome.undone else 409
    )
    trigger_client_event(response, "candidates-changed")
    return response


@require_GET
@login_required
def decisions_notice(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The notice of decisions (GET decision_id=..., one per decision) as they are now: what
    a notice fetches while one is pending, so it says *sent* or *failed* as that happens."""
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    ids = _ids(request.GET.getlist("decision_id"))
    decisions = decisions_list(scope=scope, decision_ids=ids)
    if not decisions:  # none of this scope (or all erased): the notice stays as it is
        return HttpResponse(status=204)
    notice = _notice(scope, decisions)
    return HttpResponse(_notice_html(request, scope, notice, oob=False))
