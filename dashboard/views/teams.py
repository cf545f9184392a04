"""The team pages: the home redirect, the user's teams, a team, and the team switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from dashboard.forms import ReviewSettingsForm
from dashboard.permissions import memberships_of, team_for_request, teams_of
from dashboard.presenters.teams import team_page_context
from dashboard.views.scoping import scope_for, wants_partial
from dashboard.views.session import CURRENT_TEAM_SESSION_KEY
from willo_integration.services.blind import team_blind_review_set
from willo_integration.services.reviews import team_independent_review_set


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The current team's page, the only team's page, or the list of the user's teams."""
    teams = list(teams_of(request.user).only("slug"))
    current_slug = request.session.get(CURRENT_TEAM_SESSION_KEY)
    if any(t.slug == current_slug for t in teams):
        return redirect("dashboard:team_detail", slug=current_slug)
    if len(teams) == 1:
        return redirect("dashboard:team_detail", slug=teams[0].slug)
    return redirect("dashboard:team_list")


@require_GET
@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    memberships = memberships_of(request.user)
    return render(request, "dashboard/team_list.html", {"memberships": memberships})


@require_GET
@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    membership, scope = scope_for(request, slug)
    context = team_page_context(scope, membership)
    return render(request, "dashboard/team_detail.html", context)


@require_POST
@login_required
def team_review_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Team admins: turn independent review and blind review on or off."""
    membership, _scope = scope_for(request, slug, min_role="admin")
    form = ReviewSettingsForm(request.POST)
    form.is_valid()  # checkboxes: absent means off
    on = form.cleaned_data.get("independent_review", False)
    blind = form.cleaned_data.get("blind_review", False)
    team_independent_review_set(team=membership.team, on=on, actor=request.user)
    team_blind_review_set(team=membership.team, on=blind, actor=request.user)
    messages.success(
        request,
        (
            "Independent review is on: colleagues' reviews show once you recommend."
            if on
            else "Independent review is off: members see each other's reviews at once."
        )
        + (
            " Blind review is on: candidates are shown by number (videos still show faces)."
            if blind
            else " Blind review is off for the team."
        ),
    )
    return redirect(reverse("dashboard:team_detail", kwargs={"slug": slug}) + "#reviews")


@require_POST
@login_required
def team_switch(request: HttpRequest) -> HttpResponse:
    """Make another of the user's teams the current one (the header's team switcher)."""
    membership = team_for_request(request, request.POST.get("team", ""))
    request.session[CURRENT_TEAM_SESSION_KEY] = membership.team.slug
    url = reverse("dashboard:team_detail", kwargs={"slug": membership.team.slug})
    if wants_partial(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)
