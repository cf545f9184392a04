"""Compare candidates of a job side by side (``?c=<key>&c=<key>``, 2 to 6 of them)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

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
    or keys that are not candidates of this job (named as asked, nothing more said of them)."""
    membership, scope = scope_for(request, slug)
    interview, _freshness = job_for(scope, interview_key)
    given = [k.strip() for k in request.GET.getlist("c") if k.strip()]
    asked = list(dict.fromkeys(given))
    repeated = [k for k in asked if given.count(k) > 1]
    problems, participants, refused, freshness = [], [], [], None
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
                f"Not compared: {_listed(refused)} "
                f"{'is not a candidate' if len(refused) == 1 else 'are not candidates'} of "
                "this job (or no longer in Willo)."
            )
        if len(participants) < MIN_COMPARED:
            problems.append(
                f"Choose {MIN_COMPARED} to {MAX_COMPARED} candidates of this job to compare "
                "them: tick them in the job's table, then Compare selected."
            )
    compared = not problems
    if problems:
        logger.info("compare in %r refused: %s", scope, " ".join(problems))
    job_url = reverse(
        "dashboard:interview_detail",
        kwargs={"slug": scope.team.slug, "interview_key": interview.key},
    )
    others = [p.key for p in participants]
    context = {
        "membership": membership,
        "team": scope.team,
        "interview": interview,
        "problems": problems,
        # Some keys refused, enough left: the comparison of those, one click away.
        "others_url": f"{request.path}?{urlencode([('c', k) for k in others])}"
        if refused and MIN_COMPARED <= len(others) <= MAX_COMPARED
        else "",
        "others_count": len(others),
        "repeated": _listed(repeated) if compared else "",
        "freshness": freshness,
        "can_decide": membership.has_role("recruiter"),
        "can_review": membership.has_role("recruiter"),
        "job_url": job_url,
        "here": request.get_full_path(),
        "share_url": reverse(
            "dashboard:share_new", kwargs={"slug": scope.team.slug, "interview_key": interview.key}
        )
        + f"?{urlencode([('c', k) for k in others])}",
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


def _listed(keys: list[str]) -> str:
    """Keys as asked (never a name: a refused key may be another team's), shortened."""
    shown = [k if len(k) <= KEY_LENGTH else k[:KEY_LENGTH] + "…" for k in keys]
    return ", ".join(shown)
