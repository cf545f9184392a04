"""Screen a job's candidates by correct answers: a preview of those with N or more wrong
answers, then *Reject these*, confirmed, through the usual decision and email."""

from __future__ import annotations

import logging
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dashboard.client_ip import client_ip_address
from dashboard.email_forms import delay_label
from dashboard.forms import NO_EMAIL, RejectForm, ScreenForm
from dashboard.models import actor_label
from dashboard.presenters.blind import Masking, masking_for
from dashboard.presenters.decisions import decisions_words
from dashboard.presenters.participants import candidates_url
from dashboard.views.scoping import HtmxHttpRequest, job_for, scope_for
from willo_integration.models import CachedInterview
from willo_integration.services.decisions import undo_seconds
from willo_integration.services.interviews import interview_cached
from willo_integration.services.scope import Scope
from willo_integration.services.screening import (
    Screen,
    ScreenRejection,
    interview_has_rejection_template,
    interview_screen,
    interview_screen_reject,
    interview_screenable_questions,
    question_correct_texts,
)

logger = logging.getLogger("dashboard.screening")

MAX_LISTED = 500  # one Reject these at most (a POST carries a field per candidate)


@require_http_methods(["GET", "POST"])
@login_required
def job_screen(request: HtmxHttpRequest, slug: str, interview_key: str) -> HttpResponse:
    """GET ``?n=N``: the preview (N defaults to every question screened); POST: reject
    those previewed who still have N or more wrong answers, then back to the job with the
    result, where each rejection has its Undo."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    if request.method == "POST":
        return _reject(request, membership, scope, interview_key)
    interview, freshness = job_for(scope, interview_key)
    questions = len(interview_screenable_questions(interview=interview))
    emails = interview_has_rejection_template(scope=scope, interview=interview)
    data = request.GET if "n" in request.GET else None
    choose = ScreenForm(data, questions=questions, initial={"n": questions})
    initial = {"email": str(scope.team.email_delay_hours) if emails else NO_EMAIL}
    form = RejectForm(questions=questions, emails=emails, initial=initial)
    return _page(request, membership, scope, interview, freshness, choose, form, emails)


def _reject(request: HtmxHttpRequest, membership, scope: Scope, interview_key: str) -> HttpResponse:
    interview = interview_cached(scope=scope, key=interview_key)  # decisions never wait
    if interview is None:
        raise Http404("No such job here.")
    questions = len(interview_screenable_questions(interview=interview))
    emails = interview_has_rejection_template(scope=scope, interview=interview)
    form = RejectForm(request.POST, questions=questions, emails=emails)
    if not form.is_valid():
        choose = ScreenForm(request.POST, questions=questions)
        return _page(request, membership, scope, interview, None, choose, form, emails, 400)
    outcome = interview_screen_reject(
        scope=scope,
        interview=interview,
        min_wrong=form.cleaned_data["n"],
        participant_keys=request.POST.getlist("keys")[:MAX_LISTED],
        email_delay_hours=form.email_delay_hours(),
        actor=request.user,
        ip_address=client_ip_address(request),
    )
    logger.info(
        "screen of %s at %d wrong by %s: %d rejected, %d left out, %d emails",
        interview.key, form.cleaned_data["n"], actor_label(request.user),
        len(outcome.decisions), len(outcome.left_out), len(outcome.emailed),
    )  # fmt: skip
    level = messages.SUCCESS if outcome.decisions else messages.WARNING
    messages.add_message(request, level, _result_text(scope, request.user, outcome, form))
    return redirect(_job_url(scope, interview))


def _page(
    request: HtmxHttpRequest,
    membership,
    scope: Scope,
    interview: CachedInterview,
    freshness,
    choose: ScreenForm,
    form: RejectForm,
    emails: bool,
    status: int | None = None,
) -> HttpResponse:
    """The screen page: the preview at the N chosen (none while N is refused)."""
    questions = interview_screenable_questions(interview=interview)
    refused = choose.is_bound and not choose.is_valid()
    screen = None
    if questions and not refused:
        n = choose.cleaned_data["n"] if choose.is_bound else len(questions)
        screen = interview_screen(scope=scope, interview=interview, min_wrong=n)
    context = {
        "membership": membership,
        "team": scope.team,
        "interview": interview,
        "freshness": freshness,
        "questions": questions,
        "screened_questions": [(q, question_correct_texts(question=q)) for q in questions],
        "choose": choose,
        "form": form,
        "emails": emails,
        "undo_seconds": undo_seconds(),
        "candidates_url": candidates_url(scope.team.slug),
        "job_url": _job_url(scope, interview),
        **(_screen_context(scope, request.user, screen) if screen else {}),
    }
    template = "dashboard/interviews/screen.html"
    return render(request, template, context, status=status or (400 if refused else 200))


def _screen_context(scope: Scope, viewer, screen: Screen) -> dict:
    """The preview as this member may see it (blind review masks the candidates)."""
    matching = screen.matching
    listed = matching[:MAX_LISTED]
    rows = [c.participant for c in listed] + screen.not_fetched
    masking = masking_for(scope=scope, viewer=viewer, rows=rows)
    return {
        "screen": screen,
        "matching": [replace(c, participant=masking.show(c.participant)) for c in listed],
        "more": len(matching) - len(listed),
        "not_fetched": masking.show_all(screen.not_fetched),
        "blind": masking.on,
    }


def _result_text(scope: Scope, viewer, outcome: ScreenRejection, form: RejectForm) -> str:
    """How many were rejected (and how to undo), the emails queued, and who was skipped
    and why, names as this member may see them."""
    shown = [left.participant for left in outcome.left_out if left.participant is not None]
    masking = masking_for(scope=scope, viewer=viewer, rows=[*outcome.rejected, *shown])
    parts = []
    if outcome.decisions:
        parts.append(decisions_words(masking.decisions(outcome.decisions)).text + ".")
        if any(d.in_undo_window for d in outcome.decisions):
            parts.append("Undo any of them in the job's table before the countdown ends.")
    else:
        parts.append("No one was rejected.")
    delay = form.email_delay_hours()
    if delay is not None:
        count = len(outcome.emailed)
        when = delay_label(delay)
        parts.append(f"{count} rejection email{pluralize(count)} queued, to go {when}.")
    if outcome.not_emailed:
        names = {d.participant_key: d.participant_name for d in outcome.decisions}
        parts.append(
            "No email for "
            + _listed(masking, [(key, names.get(key, ""), why) for key, why in outcome.not_emailed])
            + "."
        )
    if outcome.left_out:
        listed = [
            (left.key, left.participant.name if left.participant else "", left.why)
            for left in outcome.left_out
        ]
        parts.append("Not rejected: " + _listed(masking, listed) + ".")
    return " ".join(parts)


def _listed(masking: Masking, entries: list[tuple[str, str, str]]) -> str:
    """``entries`` (key, name, why) as "Name (why); ...", a candidate unknown here unnamed."""
    return "; ".join(
        f"{masking.name(key, name) if name else 'a candidate not of this job'} ({why})"
        for key, name, why in entries
    )


def _job_url(scope: Scope, interview: CachedInterview) -> str:
    return reverse(
        "dashboard:interview_detail",
        kwargs={"slug": scope.team.slug, "interview_key": interview.key},
    )
