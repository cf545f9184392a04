"""The one place that decides whether a request may see a team."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from dashboard.models import Membership, Team


def team_for_request(request: HttpRequest, slug: str, *, min_role: str | None = None) -> Membership:
    """The requester's membership of the team ``slug``.

    404 for anyone who is not a member, whether or not the team exists, so no
    URL reveals another team; 403 only for a member whose role is too low.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404("No such team.")
    membership = (
        Membership.objects.select_related("team").filter(user=user, team__slug=slug).first()
    )
    if membership is None:
        raise Http404("No such team.")
    if min_role is not None and not membership.has_role(min_role):
        raise PermissionDenied(
            f"Your role in {membership.team.name} ({membership.get_role_display()}) "
            "does not allow this."
        )
    return membership


def teams_of(user) -> QuerySet[Team]:
    """The teams ``user`` belongs to."""
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).order_by("name")


def memberships_of(user) -> QuerySet[Membership]:
    """``user``'s memberships, their teams with them, by team name."""
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name")


def members_of(team: Team) -> QuerySet[Membership]:
    """The team's memberships, their users with them, by username."""
    return team.memberships.select_related("user").order_by("user__username")
