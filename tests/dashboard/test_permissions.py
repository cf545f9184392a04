"""team_for_request: 404 for non-members, 403 for too low a role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from django.views.decorators.http import require_POST

from dashboard.models import Membership
from dashboard.permissions import team_for_request


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def test_it_returns_the_membership_of_a_member(world):
    membership = team_for_request(_request(world.alice), world.team_a.slug)

    assert (membership.team, membership.role) == (world.team_a, Membership.Role.ADMIN)


def test_it_hides_another_team_with_404(world):
    with pytest.raises(Http404):
        team_for_request(_request(world.alice), world.team_b.slug)


def test_it_hides_a_missing_team_with_404(world):
    with pytest.raises(Http404):
        team_for_request(_request(world.alice), "no-such-team")


def test_it_hides_every_team_from_anonymous_users(world):
    with pytest.raises(Http404):
        team_for_request(_request(AnonymousUser()), world.team_a.slug)


def test_it_refuses_a_viewer_a_decision_with_403(world):
    with pytest.raises(PermissionDenied):
        team_for_request(
            _request(world.victor), world.team_a.slug, min_role=Membership.Role.RECRUITER
        )


def test_it_lets_a_recruiter_decide(world):
    membership = team_for_request(_request(world.rita), world.team_a.slug, min_role="recruiter")

    assert membership.user == world.rita


def test_it_keeps_team_admin_work_from_recruiters(world):
    with pytest.raises(PermissionDenied):
        team_for_request(_request(world.rita), world.team_a.slug, min_role="admin")


@require_POST
def _decide(request: HttpRequest, slug: str) -> HttpResponse:
    """Stands in for the decision endpoints later issues add."""
    team_for_request(request, slug, min_role=Membership.Role.RECRUITER)
    return HttpResponse("decided")


urlpatterns = [
    path("decide/<slug:slug>/", _decide),
    path("", include("dashboard.urls")),
]


@pytest.mark.urls("tests.dashboard.test_permissions")
def test_it_answers_403_when_a_viewer_posts_a_decision(client, world):
    client.force_login(world.victor)

    response = client.post(f"/decide/{world.team_a.slug}/")

    assert response.status_code == 403
    assert "Your role in this team does not allow it." in response.content.decode()


@pytest.mark.urls("tests.dashboard.test_permissions")
def test_it_lets_a_recruiter_post_a_decision(client, world):
    client.force_login(world.rita)

    assert client.post(f"/decide/{world.team_a.slug}/").status_code == 200
