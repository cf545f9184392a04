"""Review mode: the member's queue of responded candidates, and one candidate at a time
made for reviewing (see static/js/review.js for the keys, prefetching and auto-advance)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dashboard.forms import ReviewForm
from dashboard.presenters.blind import masking_for
from dashboard.presenters.live import live_context
from dashboard.presenters.review_queue import (
    queue_orders,
    queue_url,
    review_page_context,
    review_url,
)
from dashboard.views.limits import answers_read_limit
from dashboard.views.scoping import HtmxHttpRequest, candidate_for, scope_for
from willo_integration.services.review_queue import (
    QueueFilter,
    queue_first,
    queue_place,
    review_queue,
)


@require_GET
@login_required
def review_queue_view(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The queue: how many wait for me, my progress today, the first of them; ``?start=1``
    opens the first in review mode (or comes back here when none is left)."""
    membership, scope = scope_for(request, slug)
    queue = QueueFilter.from_query(request.GET)
    if request.GET.get("start") == "1":
        first = queue_first(scope=scope, viewer=request.user, queue=queue)
        if first is not None:
            return redirect(review_url(scope.team.slug, first, queue))
        return redirect(queue_url(scope.team.slug, queue))
    waiting = review_queue(scope=scope, viewer=request.user, queue=queue)
    masking = masking_for(scope=scope, viewer=request.user, rows=waiting.listed)
    context = {
        "membership": membership,
        "team": scope.team,
        "queue": waiting,
        "listed": masking.show_all(waiting.listed),
        "blind": masking.on,
        "orders": queue_orders(queue),
        "start_url": _start_url(scope.team.slug, queue),
        # One job's queue: its candidates can be compared (2 to 6, ticked in the list). Only
        # a job of the queue: ``?job=`` is what was typed, maybe no key at all ("a/b").
        "compare_url": reverse(
            "dashboard:interview_compare",
            kwargs={"slug": scope.team.slug, "interview_key": queue.job},
        )
        if queue.job and any(job.key == queue.job for job in waiting.jobs)
        else "",
        "can_review": membership.has_role("recruiter"),
        **live_context(scope),
    }
    return render(request, "dashboard/review/queue.html", context)


def _start_url(slug: str, queue: QueueFilter) -> str:
    url = queue_url(slug, queue)
    return url + ("&" if "?" in url else "?") + "start=1"


@require_GET
@login_required
@answers_read_limit
def review_candidate(request: HtmxHttpRequest, slug: str, participant_key: str) -> HttpResponse:
    """One candidate in review mode, with the queue's previous and next."""
    membership, scope = scope_for(request, slug)
    queue = QueueFilter.from_query(request.GET)
    participant, freshness = candidate_for(scope, participant_key)
    place = queue_place(scope=scope, viewer=request.user, queue=queue, participant=participant)
    context = review_page_context(
        scope=scope, participant=participant, viewer=request.user, queue=queue, place=place
    )
    context.update(
        membership=membership,
        team=scope.team,
        freshness=freshness,
        can_review=membership.has_role("recruiter"),
        can_decide=membership.has_role("recruiter"),
        review_form=ReviewForm(answer_keys=[a.key for a in context["answers"] if a.key]),
        **live_context(scope, participant.key),
    )
    return render(request, "dashboard/review/candidate.html", context)
