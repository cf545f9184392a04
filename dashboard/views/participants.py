"""A candidate (a Willo participant): contact details, answers, transcripts, scores, the
decision, Willo's comments and scores, the team's reviews and notes, the timeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard.forms import ReviewForm
from dashboard.presenters.blind import masking_for
from dashboard.presenters.candidate import candidate_panels_context
from dashboard.presenters.live import live_context
from dashboard.presenters.outbox import candidate_emails_context
from dashboard.presenters.participants import answer_views, questions_of
from dashboard.views.limits import answers_read_limit, member_budget
from dashboard.views.scoping import HtmxHttpRequest, candidate_for, scope_for, wants_partial
from dashboard.views.session import note_draft_take
from willo_integration.services.participants import ParticipantFilters, participant_neighbours


@require_GET
@login_required
@vary_on_headers("HX-Request")
@answers_read_limit
def participant_detail(request: HtmxHttpRequest, slug: str, participant_key: str) -> HttpResponse:
    """The candidate page; with ``?answer=<key>`` (HTMX) just that answer, its media link
    fetched again from Willo when ``refetch=1`` (the player could not play the old one)."""
    membership, scope = scope_for(request, slug)
    answer_key = request.GET.get("answer", "")
    if answer_key and wants_partial(request):
        refetch = request.GET.get("refetch") == "1"
        participant, freshness = candidate_for(
            scope, participant_key, refresh=refetch, budget=member_budget(request)
        )
        participant = masking_for(scope=scope, viewer=request.user, rows=[participant]).show(
            participant
        )
        views = answer_views(participant.participant(), questions_of(participant))
        view = next((v for v in views if v.key == answer_key), None)
        if view is None:
            raise Http404("No such answer.")
        return render(
            request,
            "dashboard/participants/detail.html#answer",
            {
                "team": scope.team,
                "participant": participant,
                "item": view,
                "refetched": refetch,
                "freshness": freshness,
            },
        )
    if request.GET.get("part") == "live" and wants_partial(request):
        participant, _freshness = candidate_for(scope, participant_key)
        masking = masking_for(scope=scope, viewer=request.user, rows=[participant])
        shown = masking.show(participant)
        payload = shown.participant()
        answers = answer_views(payload, questions_of(participant))
        return render(
            request,
            "dashboard/participants/_live.html",
            {
                "membership": membership,
                "team": scope.team,
                "participant": shown,
                "payload": payload,
                "can_decide": membership.has_role("recruiter"),
                **candidate_panels_context(
                    membership=membership,
                    scope=scope,
                    participant=participant,
                    answers=answers,
                    viewer=request.user,
                    masking=masking,
                    with_form=False,
                ),
            },
        )
    participant, freshness = candidate_for(scope, participant_key)
    filters, _errors = ParticipantFilters.from_query(request.GET)
    masking = masking_for(scope=scope, viewer=request.user, rows=[participant])
    if masking.on:
        filters = filters.blind()
    previous_key, next_key = participant_neighbours(
        scope=scope, participant=participant, filters=filters, viewer=request.user
    )
    query = filters.as_query()
    suffix = f"?{query}" if query else ""

    def candidate_url(key: str | None) -> str:
        if key is None:
            return ""
        url = reverse(
            "dashboard:participant_detail",
            kwargs={"slug": scope.team.slug, "participant_key": key},
        )
        return url + suffix

    shown = masking.show(participant)
    payload = shown.participant()
    interview = participant.interview
    answers = answer_views(payload, questions_of(participant))
    can_review = membership.has_role("recruiter")
    context = {
        "membership": membership,
        "team": scope.team,
        "participant": shown,
        "blind": masking.on,
        "masked": masking.hides(participant.key),
        "payload": payload,
        "interview": interview,
        "answers": answers,
        "can_review": can_review,
        "review_form": ReviewForm(answer_keys=[a.key for a in answers if a.key]),
        "freshness": freshness,
        "can_decide": membership.has_role("recruiter"),
        "previous_url": candidate_url(previous_key),
        "next_url": candidate_url(next_key),
        "filter_query": query,
        "job_url": (
            reverse(
                "dashboard:interview_detail",
                kwargs={"slug": scope.team.slug, "interview_key": interview.key},
            )
            + suffix
            if interview is not None
            else ""
        ),
        "availability": payload.availability if payload else [],
        **candidate_panels_context(
            membership=membership,
            scope=scope,
            participant=participant,
            answers=answers,
            viewer=request.user,
            masking=masking,
            draft=note_draft_take(request, scope=scope, participant_key=participant.key),
        ),
        **live_context(scope, participant.key),
    }
    if can_review and not masking.hides(participant.key):
        context |= candidate_emails_context(
            scope=scope, participant=participant, viewer=request.user, latest=context["decision"]
        )
    return render(request, "dashboard/participants/detail.html", context)
