"""The agency page: clients with their cockpit, creating a client, switching in and out."""

from __future__ import annotations

import json

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.views.session import AGENCY_SCOPE_SESSION_KEY
from willo_integration.models import (
    CachedInterview,
    CachedParticipant,
    ChildOrganisation,
    ChildUserRelation,
)
from willo_integration.services.scope import relation_digest


@pytest.fixture
def clients(world):
    """Team A is an agency with two clients; Harbour has an admin and a standard relation."""
    world.team_a.is_parent = True
    world.team_a.save()
    now = timezone.now()
    made = {}
    for key, name in (("h" * 32, "Harbour Logistics"), ("b" * 32, "Bluebell Care")):
        child = ChildOrganisation.objects.create(
            team=world.team_a, key=key, name=name, owner_name=f"Owner of {name}", fetched_at=now
        )
        for role in ("standard", "admin"):
            agency_key = f"{key[:4]}-{role}-relation"
            ChildUserRelation.objects.create(
                child=child,
                key=agency_key,
                key_digest=relation_digest(agency_key),
                user_name=f"{role.title()} User",
                role=role,
                status="joined",
            )
        made[name] = child
    return made


def agency_url(team, name: str = "agency_detail") -> str:
    return reverse(f"dashboard:{name}", kwargs={"slug": team.slug})


def switch(client, team, child_key: str = "", relation: str = ""):
    return client.post(
        agency_url(team, "agency_switch"), {"child": child_key, "relation": relation}
    )


def test_a_team_that_is_not_an_agency_has_no_agency_page(client, world):
    client.force_login(world.alice)

    assert client.get(agency_url(world.team_a)).status_code == 404


def test_the_agency_page_lists_clients_with_owner_users_and_cockpit(client, world, clients):
    harbour = clients["Harbour Logistics"]
    job = CachedInterview.objects.create(
        team=world.team_a, scope=harbour.key, key="job-1", title="Driver", fetched_at=timezone.now()
    )
    for n, status in enumerate(("Completed", "Completed", "Accepted")):
        CachedParticipant.objects.create(
            team=world.team_a, scope=harbour.key, key=f"p{n}", interview=job, status=status,
            responded_at=timezone.now(), fetched_at=timezone.now(),
        )  # fmt: skip
    client.force_login(world.rita)

    html = client.get(agency_url(world.team_a)).content.decode()

    assert "Harbour Logistics" in html
    assert "Bluebell Care" in html
    assert "Owner of Harbour Logistics" in html
    assert "Admin User" in html
    assert "standard" in html
    row = html[html.index(f'id="child-{harbour.key}"') :]
    row = row[: row.index("</tr>")]
    cells = [c.split("<")[0] for c in row.split('<td class="num">')[1:]]
    assert cells == ["1", "2", "3"]  # jobs, awaiting review, new in 7 days
    assert "Not synced yet" in html  # Bluebell
    assert "New client organisation" not in html  # recruiters do not create clients


def test_the_agency_page_never_shows_relation_keys(client, world, clients):
    client.force_login(world.alice)

    html = client.get(agency_url(world.team_a)).content.decode()

    assert "-relation" not in html  # the keys all end so; digests are shown instead
    assert relation_digest("hhhh-admin-relation") in html


def test_switching_into_a_child_puts_every_page_inside_it_under_a_banner(client, world, clients):
    harbour = clients["Harbour Logistics"]
    client.force_login(world.rita)

    response = switch(client, world.team_a, harbour.key)

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "dashboard:interview_list", kwargs={"slug": world.team_a.slug}
    )
    choice = client.session[AGENCY_SCOPE_SESSION_KEY][world.team_a.slug]
    admin = harbour.relations.get(role="admin")
    assert choice == {"child": harbour.key, "relation": admin.key_digest}
    for name in ("team_detail", "agency_detail"):
        html = client.get(agency_url(world.team_a, name)).content.decode()
        assert 'id="agency-client">Harbour Logistics<' in html
        assert "Back to Acme Hiring" in html
        assert "Bluebell Care</option>" in html  # one click to the other client


def test_switching_can_act_as_another_relation(client, world, clients):
    harbour = clients["Harbour Logistics"]
    standard = harbour.relations.get(role="standard")
    client.force_login(world.rita)

    switch(client, world.team_a, harbour.key, standard.key_digest)

    html = client.get(agency_url(world.team_a, "team_detail")).content.decode()
    assert "as Standard User (standard)" in html


def test_back_to_the_agency_drops_the_choice(client, world, clients):
    client.force_login(world.rita)
    switch(client, world.team_a, clients["Harbour Logistics"].key)

    response = switch(client, world.team_a, "")

    assert response["Location"] == agency_url(world.team_a)
    assert world.team_a.slug not in client.session[AGENCY_SCOPE_SESSION_KEY]
    html = client.get(agency_url(world.team_a, "team_detail")).content.decode()
    assert "agency-banner" not in html


@pytest.mark.parametrize("which", ["unknown child", "relation of another child", "other team"])
def test_switching_to_what_is_not_this_teams_is_404(client, world, clients, which):
    harbour, bluebell = clients["Harbour Logistics"], clients["Bluebell Care"]
    if which == "other team":
        theirs = ChildOrganisation.objects.create(
            team=world.team_b, key="t" * 32, name="Theirs", fetched_at=timezone.now()
        )
        ChildUserRelation.objects.create(
            child=theirs, key="their-relation", key_digest=relation_digest("their-relation")
        )
        child_key, relation = theirs.key, relation_digest("their-relation")
    elif which == "unknown child":
        child_key, relation = "u" * 32, ""
    else:
        child_key, relation = harbour.key, bluebell.relations.first().key_digest
    client.force_login(world.rita)

    response = switch(client, world.team_a, child_key, relation)

    assert response.status_code == 404
    assert world.team_a.slug not in client.session.get(AGENCY_SCOPE_SESSION_KEY, {})


def test_a_choice_no_longer_valid_is_404_once_then_forgotten(client, world, clients):
    harbour = clients["Harbour Logistics"]
    client.force_login(world.rita)
    switch(client, world.team_a, harbour.key)
    harbour.delete()  # Willo no longer lists it

    jobs = reverse("dashboard:interview_list", kwargs={"slug": world.team_a.slug})
    first, second = client.get(jobs), client.get(agency_url(world.team_a, "team_detail"))

    assert first.status_code == 404
    assert second.status_code == 200
    assert "agency-banner" not in second.content.decode()


def test_the_choice_belongs_to_the_browser_session(client, world, clients):
    from django.test import Client

    client.force_login(world.multi)
    switch(client, world.team_a, clients["Harbour Logistics"].key)
    other_browser = Client()
    other_browser.force_login(world.multi)

    html = other_browser.get(agency_url(world.team_a, "team_detail")).content.decode()

    assert "agency-banner" not in html


def test_only_team_admins_create_clients(client, world, clients):
    client.force_login(world.rita)

    response = client.post(
        agency_url(world.team_a, "agency_child_create"),
        {"organisation_name": "X", "customer_full_name": "Y", "customer_email": "y@example.com"},
    )

    assert response.status_code == 403


def test_a_new_client_form_says_what_is_wrong(client, world, clients):
    client.force_login(world.alice)

    response = client.post(
        agency_url(world.team_a, "agency_child_create"),
        {"organisation_name": "", "customer_full_name": "Jo", "customer_email": "not-an-email"},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "This field is required." in html
    assert "Enter a valid email address." in html


def test_willos_errors_on_a_new_client_are_shown_on_the_form(
    client, world, clients, willo_transport
):
    def willo(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/children/")
        return httpx.Response(400, json={"customer_email": ["This email is already in use."]})

    willo_transport(willo)
    client.force_login(world.alice)

    response = client.post(
        agency_url(world.team_a, "agency_child_create"),
        {"organisation_name": "Doe", "customer_full_name": "Jo", "customer_email": "jo@doe.test"},
    )

    assert response.status_code == 422
    assert "This email is already in use." in response.content.decode()
    assert ChildOrganisation.objects.filter(team=world.team_a).count() == 2


def test_a_team_admin_creates_a_client(client, world, clients, willo_transport):
    sent = []

    def willo(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(
            201,
            json={
                "key": "d940008ce74f47ecafdd3d3bb0b6c4a7",
                "name": "Doe Technologies",
                "verification_status": "verified",
                "owner": {"key": "o1", "full_name": "Jo Doe", "email": "jo@doe.test"},
                "user_relations": [
                    {"key": "r1", "user": {"key": "o1"}, "role": "admin", "status": "joined"}
                ],
            },
        )

    willo_transport(willo)
    client.force_login(world.alice)

    response = client.post(
        agency_url(world.team_a, "agency_child_create"),
        {
            "organisation_name": "Doe Technologies",
            "customer_full_name": "Jo Doe",
            "customer_email": "jo@doe.test",
        },
        follow=True,
    )

    assert sent == [
        {
            "customer_full_name": "Jo Doe",
            "customer_email": "jo@doe.test",
            "organisation_name": "Doe Technologies",
        }
    ]
    assert "Created the client organisation Doe Technologies." in response.content.decode()
    child = ChildOrganisation.objects.get(team=world.team_a, name="Doe Technologies")
    assert child.key == "d940008ce74f47ecafdd3d3bb0b6c4a7"


def test_willo_down_while_creating_keeps_the_form(client, world, clients, willo_transport):
    def willo(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    willo_transport(willo)
    client.force_login(world.alice)

    response = client.post(
        agency_url(world.team_a, "agency_child_create"),
        {"organisation_name": "Doe", "customer_full_name": "Jo", "customer_email": "jo@doe.test"},
    )

    html = response.content.decode()
    assert response.status_code == 503
    assert "Not created." in html
    assert 'value="jo@doe.test"' in html
