"""A member's review of a candidate: saved here, never sent to Willo."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from dashboard.forms import ReviewForm
from dashboard.presenters.blind import masking_for
from dashboard.presenters.participants import answer_views, questions_of
from dashboard.presenters.review_queue import recommendation_buttons
from dashboard.presenters.reviews import review_panel_context
from dashboard.views.scoping import HtmxHttpRequest, safe_url, scope_for, wants_partial
from willo_integration.services.reviews import (
    RATINGS,
    ReviewInvalid,
    answer_rate,
    recommendation_give,
    review_save,
)
from willo_integration.services.scope import candidate_in_scope

logger = logging.getLogger("dashboard.reviews")


@require_POST
@login_required
def participant_review(request: HtmxHttpRequest, slug: str, participant_key: str) -> HttpResponse:
    """Save my review (recommendation, review note, answer ratings); viewers may not (403).
    A form error answers 400 with the panel and nothing is stored."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    participant = candidate_in_scope(scope, participant_key)  # no review waits for Willo
    answers = answer_views(participant.participant(), questions_of(participant))
    form = ReviewForm(request.POST, answer_keys=[a.key for a in answers if a.key])
    status = 400
    if form.is_valid():
        try:
            review_save(
                scope=scope,
                participant_key=participant.key,
                reviewer=request.user,
                recommendation=form.cleaned_data["recommendation"],
                note=form.cleaned_data["note"],
                ratings=form.ratings(),
                answer_keys=form.answer_keys,
            )
        except ReviewInvalid as invalid:
            for name, error in invalid.errors.items():
                form.add_error(name if name in form.fields else None, error)
        else:
            status = 200
    if not wants_partial(request):
        url = reverse(
            "dashboard:participant_detail",
            kwargs={"slug": scope.team.slug, "participant_key": participant.key},
        )
        if status == 200:
            messages.success(request, "Review saved. It stays in this dashboard.")
            return redirect(f"{url}#review")
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{url}#review")
    context = {
        "membership": membership,
        "team": scope.team,
        "participant": participant,
        "can_review": True,
        "review_form": form,
        "review_saved": status == 200,
        **review_panel_context(
            scope,
            participant.key,
            request.user,
            answers,
            posted=None if status == 200 else request.POST,
        ),
    }
    return render(request, "dashboard/participants/detail.html#review", context, status=status)


@require_POST
@login_required
def participant_recommend(
    request: HtmxHttpRequest, slug: str, participant_key: str
) -> HttpResponse:
    """Give my recommendation alone (POST recommendation=), keeping my ratings and review
    note: review mode's one key. HTMX: the recommendation bar, and the event that opens the
    next candidate; without JavaScript, on to ``next`` (a page of this site) or back."""
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    participant = candidate_in_scope(scope, participant_key)
    chosen = request.POST.get("recommendation", "")
    try:
        recommendation_give(
            scope=scope, participant_key=participant.key, reviewer=request.user,
            recommendation=chosen,
        )  # fmt: skip
    except ReviewInvalid as invalid:
        logger.info("recommendation of %s refused: %s", participant.key, invalid)
        error, status = invalid.errors["recommendation"], 400
    else:
        error, status = "", 200
    if not wants_partial(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "Recommendation saved. It stays in this dashboard.")
        back = "" if error else safe_url(request, request.POST.get("next", ""))
        if not back:
            back = reverse(
                "dashboard:participant_detail",
                kwargs={"slug": scope.team.slug, "participant_key": participant.key},
            )
        return redirect(back)
    context = {
        "team": scope.team,
        "participant": participant,
        "recommendation_buttons": recommendation_buttons("" if error else chosen),
        "recommend_url": request.path,
        "next_url": safe_url(request, request.POST.get("next", "")),
        "queue_url": "",
        "recommend_error": error,
        "recommend_saved": not error,
    }
    response = render(
        request, "dashboard/review/candidate.html#recommendation", context, status=status
    )
    if not error:
        trigger_client_event(response, "review-recommended", {"recommendation": chosen})
    return response


@require_POST
@login_required
def participant_rate(request: HtmxHttpRequest, slug: str, participant_key: str) -> HttpResponse:
    """Rate one answer (POST answer=<key>, rating=1..5, or "" to clear), keeping the rest of
    my review: comparing candidates rates answer by answer. Then back to ``next``."""
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    participant = candidate_in_scope(scope, participant_key)
    answers = answer_views(participant.participant(), questions_of(participant))
    answer_key = request.POST.get("answer", "")
    value = request.POST.get("rating", "")
    try:
        answer_rate(
            scope=scope,
            participant_key=participant.key,
            reviewer=request.user,
            answer_key=answer_key,
            rating=_posted_rating(value),
            answer_keys=[a.key for a in answers if a.key],
        )
    except ReviewInvalid as invalid:
        logger.info("rating of %s refused: %s", participant.key, invalid)
        message = next(iter(invalid.errors.values()))
        if wants_partial(request):
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        messages.error(request, message)
    else:
        if wants_partial(request):
            return _rating_form(request, scope, participant, answer_key, _posted_rating(value))
        messages.success(request, "Rating saved. It stays in this dashboard.")
    back = safe_url(request, request.POST.get("next", "")) or reverse(
        "dashboard:participant_detail",
        kwargs={"slug": scope.team.slug, "participant_key": participant.key},
    )
    return redirect(back)


def _posted_rating(value: str) -> int | None:
    """ "" clears the rating; what is not a number is 0, which the service refuses."""
    if value == "":
        return None
    return int(value) if value.isdigit() and len(value) <= 2 else 0


def _rating_form(request, scope, participant, answer_key: str, rating: int | None):
    """Compare's rating form of the answer, with my rating as it is now kept."""
    number = request.POST.get("number", "")
    masking = masking_for(scope=scope, viewer=request.user, rows=[participant])
    context = {
        "rate_url": request.path,
        "answer_key": answer_key,
        "my_rating": rating,
        "who": masking.show(participant).name,
        "number": int(number) if number.isdigit() and len(number) <= 3 else "",
        "ratings": list(RATINGS),
        "here": safe_url(request, request.POST.get("next", "")).split("#", 1)[0],
    }
    return render(request, "dashboard/interviews/compare.html#rate", context)
