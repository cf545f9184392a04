"""The team pages: home, the user's teams, a team, the switcher."""

from __future__ import annotations

from django.urls import reverse

from dashboard.models import Team
from tests.dashboard.conftest import ACME_KEY


def test_it_sends_anonymous_visitors_to_login(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_sends_a_one_team_user_to_their_team(client, world):
    client.force_login(world.alice)

    response = client.get("/")

    assert response["Location"] == reverse("dashboard:team_detail", kwargs={"slug": "acme-hiring"})


def test_it_lists_the_teams_of_a_user_with_several(client, world):
    client.force_login(world.multi)

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("dashboard:team_list")
    content = response.content.decode()
    assert "Acme Hiring" in content
    assert "Bravo Talent" in content


def test_it_sends_a_user_to_the_current_team(client, world):
    client.force_login(world.multi)
    client.post(reverse("dashboard:team_switch"), {"team": world.team_b.slug})

    response = client.get("/")

    assert response["Location"] == reverse("dashboard:team_detail", kwargs={"slug": "bravo-talent"})


def test_it_tells_a_user_without_teams_what_to_do(client, db):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("loner", password="x"))

    response = client.get("/", follow=True)

    assert "You are not a member of any team yet" in response.content.decode()


def test_it_shows_the_team(client, world):
    client.force_login(world.rita)

    response = client.get(reverse("dashboard:team_detail", kwargs={"slug": world.team_a.slug}))

    content = response.content.decode()
    assert "<h1>Acme Hiring</h1>" in content
    assert "Sandbox (built-in simulator)" in content
    assert "Not verified" in content
    assert "Alice Adams" in content
    assert "Your role: Recruiter" in content


def test_it_shows_the_key_ending_to_team_admins(client, world):
    client.force_login(world.alice)

    response = client.get(reverse("dashboard:team_detail", kwargs={"slug": world.team_a.slug}))

    assert f"…{ACME_KEY[-4:]}" in response.content.decode()
    assert ACME_KEY not in response.content.decode()


def test_it_hides_the_key_ending_from_other_roles(client, world):
    client.force_login(world.victor)

    response = client.get(reverse("dashboard:team_detail", kwargs={"slug": world.team_a.slug}))

    assert response.status_code == 200
    assert ACME_KEY[-4:] not in response.content.decode()


def test_it_shows_the_verified_user(client, world):
    from django.utils import timezone

    Team.objects.filter(pk=world.team_a.pk).update(
        key_verified_at=timezone.now(),
        key_verified_user_name="Amelia Earhart",
        key_verified_user_email="a@e.com",
    )
    client.force_login(world.rita)

    response = client.get(reverse("dashboard:team_detail", kwargs={"slug": world.team_a.slug}))

    assert "as Amelia Earhart" in response.content.decode()


def test_it_offers_the_switcher_to_members_of_several_teams(client, world):
    client.force_login(world.multi)

    response = client.get(reverse("dashboard:team_detail", kwargs={"slug": world.team_a.slug}))

    content = response.content.decode()
    assert 'action="/teams/switch/"' in content
    assert '<option value="acme-hiring" selected>Acme Hiring</option>' in content
    assert '<option value="bravo-talent">Bravo Talent</option>' in content


def test_it_does_not_offer_other_teams_in_the_switcher(client, world):
    client.force_login(world.alice)

    response = client.get(reverse("dashboard:team_detail", kwargs={"slug": world.team_a.slug}))

    assert "Bravo Talent" not in response.content.decode()


def test_it_switches_the_current_team(client, world):
    client.force_login(world.multi)

    response = client.post(reverse("dashboard:team_switch"), {"team": world.team_b.slug})

    assert response["Location"] == reverse("dashboard:team_detail", kwargs={"slug": "bravo-talent"})
    assert client.session["dashboard_current_team"] == "bravo-talent"


def test_it_redirects_htmx_switches_on_the_client(client, world):
    client.force_login(world.multi)

    response = client.post(
        reverse("dashboard:team_switch"),
        {"team": world.team_b.slug},
        headers={"HX-Request": "true"},
    )

    assert response["HX-Redirect"] == reverse(
        "dashboard:team_detail", kwargs={"slug": "bravo-talent"}
    )


def test_it_refuses_to_switch_to_a_team_the_user_is_not_in(client, world):
    client.force_login(world.alice)

    response = client.post(reverse("dashboard:team_switch"), {"team": world.team_b.slug})

    assert response.status_code == 404
    assert client.session.get("dashboard_current_team") is None


def test_it_serves_the_vendored_htmx_without_a_cdn(client, world):
    client.force_login(world.alice)

    content = client.get(reverse("dashboard:team_list")).content.decode()

    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in content
    assert "<script>" not in content
    assert "https://" not in content
