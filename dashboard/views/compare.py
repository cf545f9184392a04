"""Compare candidates of a job side by side (``?c=<key>&c=<key>``, 2 to 6 of them)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dashboard.presenters.compare import MAX_COMPARED, MIN_COMPARED, compare_context
from dashboard.views.limits import answers_read_limit
from dashboard.views.scoping import HtmxHttpRequest, job_for, scope_for
from willo_integration.services.participants import interview_candidates

logger = logging.getLogger("dashboard.compare")

KEY_LENGTH = 64  # a participant key is at most this long; anything longer is no key


@require_GET
@login_required
@answers_read_limit
def interview_compare(request: HtmxHttpRequest, slug: str, interview_key: str) -> HttpResponse:
    """The chosen candidates side by side; a clear message (400) for too few, too many,
    or keys that are not candidates of this job."""
    membership, scope = scope_for(request, slug)
    interview, _freshness = job_for(scope, interview_key)
    asked = list(dict.fromkeys(k.strip() for k in request.GET.getlist("c") if k.strip()))
    problems, participants, freshness = [], [], None
    if len(asked) > MAX_COMPARED:
        problems.append(
            f"Compare at most {MAX_COMPARED} candidates at once: you chose {len(asked)}. "
            "Go back to the job and choose fewer."
        )
    else:
        keys = [k for k in asked if len(k) <= KEY_LENGTH]
        participants, freshness = interview_candidates(scope=scope, interview=interview, keys=keys)
        found = {p.key for p in participants}
        refused = [k for k in asked if k not in found]
        if refused:
            problems.append(
                f"Not compared: {len(refused)} of the chosen candidates "
                f"{'is not a candidate' if len(refused) == 1 else 'are not candidates'} of "
                "this job (or no longer in Willo)."
            )
        if len(participants) < MIN_COMPARED:
            problems.append(
                f"Choose {MIN_COMPARED} to {MAX_COMPARED} candidates of this job to compare "
                "them: tick them in the job's table, then Compare selected."
            )
    compared = len(participants) >= MIN_COMPARED and len(asked) <= MAX_COMPARED
    if problems:
        logger.info("compare in %r refused in part: %s", scope, " ".join(problems))
    context = {
        "membership": membership,
        "team": scope.team,
        "interview": interview,
        "problems": problems,
        "freshness": freshness,
        "can_decide": membership.has_role("recruiter"),
        "can_review": membership.has_role("recruiter"),
        "job_url": reverse(
            "dashboard:interview_detail",
            kwargs={"slug": scope.team.slug, "interview_key": interview.key},
        ),
        "here": request.get_full_path(),
    }
    if compared:
        context |= compare_context(
            scope=scope, interview=interview, participants=participants, viewer=request.user
        )
    return render(
        request,
        "dashboard/interviews/compare.html",
        context,
        status=200 if compared else 400,
    )
