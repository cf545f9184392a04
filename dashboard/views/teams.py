"""The team pages: the home redirect, the user's teams, a team, and the team switcher."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from dashboard.models import Membership
from dashboard.permissions import team_for_request, teams_of
from dashboard.views.scoping import scope_for
from dashboard.views.session import CURRENT_TEAM_SESSION_KEY
from willo_integration.services.scope import Scope
from willo_integration.services.sync import sync_latest


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
    memberships = (
        Membership.objects.filter(user=request.user).select_related("team").order_by("team__name")
    )
    return render(request, "dashboard/team_list.html", {"memberships": memberships})


@require_GET
@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    membership, scope = scope_for(request, slug)
    return team_page(request, membership, scope)


def team_page(
    request: HttpRequest,
    membership: Membership,
    scope: Scope,
    *,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    """The team page; ``notice`` is shown in its sync panel."""
    team = membership.team
    members = team.memberships.select_related("user").order_by("user__username")
    context = {"membership": membership, "team": team, "members": members}
    context |= sync_context(scope, membership, notice=notice)
    return render(request, "dashboard/team_detail.html", context, status=status)


def sync_context(scope: Scope, membership: Membership, *, notice: str = "") -> dict:
    """What the team page's sync panel shows: the scope's latest sync run."""
    return {
        "team": scope.team,
        "run": sync_latest(scope=scope),
        "can_sync": membership.has_role("admin"),
        "notice": notice,
    }


@require_POST
@login_required
def team_switch(request: HttpRequest) -> HttpResponse:
    """Make another of the user's teams the current one (the header's team switcher)."""
    membership = team_for_request(request, request.POST.get("team", ""))
    request.session[CURRENT_TEAM_SESSION_KEY] = membership.team.slug
    url = reverse("dashboard:team_detail", kwargs={"slug": membership.team.slug})
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)
