"""Following a job: its new responses reach the member in a daily digest email."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dashboard.views.scoping import HtmxHttpRequest, scope_for, wants_partial
from willo_integration.services.interviews import interview_cached
from willo_integration.services.member_emails import job_follow, job_unfollow

FOLLOW_CHOICES = {"1": True, "0": False}


@require_POST
@login_required
def job_follow_view(request: HtmxHttpRequest, slug: str, interview_key: str) -> HttpResponse:
    """Follow the job (``follow=1``) or stop (``follow=0``); any member may. HTMX gets the
    button back, a form without JavaScript goes back to the job with a message."""
    membership, scope = scope_for(request, slug)
    interview = interview_cached(scope=scope, key=interview_key)
    if interview is None:
        raise Http404("No such job here.")
    follow = FOLLOW_CHOICES.get(request.POST.get("follow", ""))
    if follow is None:
        return HttpResponseBadRequest(
            "Send follow=1 to follow the job or follow=0 to stop.",
            content_type="text/plain; charset=utf-8",
        )
    if follow:
        job_follow(scope=scope, interview=interview, member=request.user)
    else:
        job_unfollow(scope=scope, interview_key=interview.key, member=request.user)
    context = {
        "membership": membership,
        "team": scope.team,
        "interview": interview,
        "followed": follow,
    }
    if wants_partial(request):
        return render(request, "dashboard/interviews/_follow.html", context)
    title = interview.title or "this job"
    messages.success(
        request,
        f"You follow {title}: its new responses come in your daily digest email."
        if follow
        else f"You no longer follow {title}.",
    )
    return redirect("dashboard:interview_detail", slug=slug, interview_key=interview.key)
