"""Agency teams: children from Willo, scopes inside them, their cockpit, and sync and
webhooks partitioned by child."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from willo_integration.client import BadRequestError
from willo_integration.models import (
    CachedParticipant,
    ChildOrganisation,
    ChildUserRelation,
    ReceivedWebhook,
    Source,
    SyncRun,
    WebhookEndpoint,
)
from willo_integration.services.agency import agency_cockpit, child_create, children_refresh
from willo_integration.services.scope import (
    NotAChild,
    Scope,
    child_choice,
    child_scope,
    relation_digest,
    scopes_of,
)
from willo_integration.services.sync import sync_run, sync_start
from willo_integration.services.webhooks import webhook_register

from .conftest import cached_interview, cached_participant, make_team, reply, requires_sandbox

pytestmark = requires_sandbox

CHILD_NAMES = ["Harbour Logistics", "Bluebell Care Homes"]


def _sandbox_children(organisation):
    return {child.name: child for child in organisation.children.all()}


def test_it_recognises_a_parent_and_stores_its_children_and_relations(sandbox):
    children = children_refresh(sandbox.team)

    sandbox.team.refresh_from_db()
    assert sandbox.team.is_parent
    assert sorted(c.name for c in children) == sorted(CHILD_NAMES)
    harbour = ChildOrganisation.objects.get(team=sandbox.team, name="Harbour Logistics")
    willo_child = _sandbox_children(sandbox.organisation)["Harbour Logistics"]
    assert harbour.key == willo_child.key
    assert harbour.owner_name == "Sean Murphy"
    relations = {r.role: r for r in harbour.relations.all()}
    assert set(relations) == {"admin", "standard"}
    willo_admin = willo_child.user_relations.get(role="admin")
    assert relations["admin"].key.reveal() == willo_admin.key
    assert relations["admin"].key_digest == relation_digest(willo_admin.key)


def test_it_stores_relation_keys_encrypted(sandbox):
    children_refresh(sandbox.team)
    relation = ChildUserRelation.objects.filter(child__team=sandbox.team).first()

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key FROM {ChildUserRelation._meta.db_table} WHERE id = %s", [relation.pk]
        )
        stored = cursor.fetchone()[0]

    assert relation.key.reveal() not in stored
    assert repr(relation.key) == "<Secret: hidden>"


def test_refreshing_again_forgets_children_willo_no_longer_lists(sandbox):
    children_refresh(sandbox.team)
    gone = _sandbox_children(sandbox.organisation)["Bluebell Care Homes"]
    gone_scope = child_scope(sandbox.team, gone.key)
    cached_participant(gone_scope, cached_interview(gone_scope))
    gone.delete()

    children_refresh(sandbox.team)

    assert list(sandbox.team.child_organisations.values_list("name", flat=True)) == [
        "Harbour Logistics"
    ]
    assert not CachedParticipant.objects.filter(team=sandbox.team, scope=gone.key).exists()


def test_a_team_willo_refuses_children_to_is_not_an_agency(team, fake_willo):
    team.is_parent = True
    team.save()
    ChildOrganisation.objects.create(team=team, key="k" * 32, fetched_at=timezone.now())
    fake_willo.on("GET", "/children/", reply(403, {"detail": "Not a parent."}))

    assert children_refresh(team) == []

    team.refresh_from_db()
    assert not team.is_parent
    assert not team.child_organisations.exists()


def test_it_creates_a_child_in_willo_and_stores_it(sandbox):
    child = child_create(
        sandbox.team,
        customer_full_name="Jo Doe",
        customer_email="jo@doe.example",
        organisation_name="Doe Technologies",
    )

    assert child.name == "Doe Technologies"
    assert child.owner_email == "jo@doe.example"
    assert child.relations.get().role == "admin"
    assert sandbox.organisation.children.filter(key=child.key).exists()


def test_willos_refusal_of_a_child_carries_its_field_errors(sandbox):
    with pytest.raises(BadRequestError) as refused:
        child_create(
            sandbox.team,
            customer_full_name="Jo Doe",
            customer_email="jo@doe.example",
            organisation_name="x" * 201,
        )

    assert "organisation_name" in refused.value.field_errors
    assert not ChildOrganisation.objects.filter(team=sandbox.team).exists()


def test_a_child_scope_acts_as_the_chosen_relation_and_defaults_to_the_admin(sandbox):
    children_refresh(sandbox.team)
    harbour = ChildOrganisation.objects.get(team=sandbox.team, name="Harbour Logistics")
    standard = harbour.relations.get(role="standard")

    default = child_scope(sandbox.team, harbour.key)
    chosen = child_scope(sandbox.team, harbour.key, standard.key_digest)

    assert default.agency_user_key == harbour.relations.get(role="admin").key.reveal()
    assert chosen.agency_user_key == standard.key.reveal()
    assert default.key == chosen.key == harbour.key
    assert child_scope(sandbox.team, "") == Scope(team=sandbox.team)


def test_another_teams_child_or_relation_is_not_a_child(sandbox, other_team):
    children_refresh(sandbox.team)
    harbour = ChildOrganisation.objects.get(team=sandbox.team, name="Harbour Logistics")
    bluebell = ChildOrganisation.objects.get(team=sandbox.team, name="Bluebell Care Homes")

    with pytest.raises(NotAChild):
        child_scope(other_team, harbour.key)
    with pytest.raises(NotAChild):  # a relation of another child
        child_choice(sandbox.team, harbour.key, bluebell.relations.first().key_digest)
    with pytest.raises(NotAChild):
        child_scope(sandbox.team, "no-such-child")


def test_a_sync_inside_a_child_fills_only_that_childs_scope(threaded_sandbox):
    sandbox = threaded_sandbox
    children_refresh(sandbox.team)
    harbour = _sandbox_children(sandbox.organisation)["Harbour Logistics"]
    scope = child_scope(sandbox.team, harbour.key)

    run = sync_run(run_id=sync_start(scope=scope, kind=SyncRun.Kind.FULL).pk)

    assert run.state == SyncRun.State.SUCCEEDED
    assert run.scope == harbour.key
    rows = CachedParticipant.objects.filter(team=sandbox.team)
    assert set(rows.values_list("scope", flat=True)) == {harbour.key}
    assert set(rows.values_list("key", flat=True)) == set(
        harbour.participants.values_list("key", flat=True)
    )


def test_the_scopes_of_an_agency_are_its_own_and_each_childs(sandbox):
    children_refresh(sandbox.team)

    keys = [scope.key for scope in scopes_of(sandbox.team)]

    assert keys[0] == ""
    assert sorted(keys[1:]) == sorted(c.key for c in sandbox.organisation.children.all())


def test_the_cockpit_counts_each_childs_jobs_awaiting_and_new_responses(team):
    now = timezone.now()
    for key, name in (("a" * 32, "Alpha"), ("b" * 32, "Beta")):
        ChildOrganisation.objects.create(team=team, key=key, name=name, fetched_at=now)
    alpha = Scope(team=team, child_key="a" * 32)
    job = cached_interview(alpha)
    cached_interview(alpha, key="second-job")
    cached_participant(alpha, job, key="p1", status="Completed", responded_at=now)
    cached_participant(alpha, job, key="p2", status="Completed", responded_at=now - timedelta(9))
    cached_participant(alpha, job, key="p3", status="Accepted", responded_at=now)
    cached_participant(alpha, job, key="p4", status="Invited")
    parent_job = cached_interview(Scope(team=team))
    cached_participant(Scope(team=team), parent_job, key="p5", status="Completed")

    cockpits = {c.child.name: c for c in agency_cockpit(team)}

    alpha_figures = cockpits["Alpha"]
    assert (alpha_figures.jobs, alpha_figures.awaiting_review, alpha_figures.new_responses) == (
        2,
        2,
        2,
    )
    assert alpha_figures.cached
    beta = cockpits["Beta"]
    assert (beta.jobs, beta.awaiting_review, beta.new_responses, beta.cached) == (0, 0, 0, False)


def test_reconciliation_covers_the_agency_and_every_child(threaded_sandbox):
    sandbox = threaded_sandbox
    from willo_integration.tasks import reconcile_all_task

    children_refresh(sandbox.team)

    reconcile_all_task()

    runs = SyncRun.objects.filter(team=sandbox.team, kind=SyncRun.Kind.RECONCILE)
    assert sorted(runs.values_list("scope", flat=True)) == sorted(
        ["", *(c.key for c in sandbox.organisation.children.all())]
    )
    assert set(runs.values_list("state", flat=True)) == {SyncRun.State.SUCCEEDED}


def test_a_decision_inside_a_child_reaches_willo_as_the_chosen_relation(threaded_sandbox, settings):
    sandbox = threaded_sandbox
    from willo_integration.services.decisions import decisions_sweep, participant_decide

    settings.WILLO_DECISION_UNDO_SECONDS = 0

    children_refresh(sandbox.team)
    harbour = _sandbox_children(sandbox.organisation)["Harbour Logistics"]
    scope = child_scope(sandbox.team, harbour.key)
    sync_run(run_id=sync_start(scope=scope, kind=SyncRun.Kind.FULL).pk)
    target = harbour.participants.filter(status="Completed").first()

    decision = participant_decide(
        scope=scope, participant_key=target.key, status="Accepted", actor=None, ip_address=None
    )
    decisions_sweep()  # the beat's sweep: the task carries only the decision's id

    assert decision.relation == scope.relation
    target.refresh_from_db()
    assert target.status == "Accepted"


# -- webhooks of two children land in their own scopes -------------------------------------


@pytest.mark.django_db(transaction=True)
def test_webhooks_of_two_children_land_in_their_own_scopes(live_server, settings):
    from willo_integration.sandbox import knobs, seed, simulate
    from willo_integration.sandbox.models import Organisation

    settings.WILLO_SANDBOX_BASE_URL = f"{live_server.url}/api/integrations/v2"
    team = make_team("Agency Team", seed.seed(participants=20).demo_owner_key)
    children_refresh(team)
    for scope in scopes_of(team):
        webhook_register(scope=scope, public_url=live_server.url)
    parent = Organisation.objects.get(name=seed.DEMO_ORGANISATION, parent=None)
    responded = {}
    with knobs.override(webhook_mode="sync"):
        for child in parent.children.all():
            invited = child.participants.filter(status="Invited").first()
            simulate.respond(invited, random.Random(1), base=live_server.url)
            responded[child.key] = invited.key

    assert WebhookEndpoint.objects.filter(team=team).count() == 3
    for child_key, participant_key in responded.items():
        event = ReceivedWebhook.objects.get(team=team, participant_key=participant_key)
        assert (event.scope, event.state) == (child_key, "applied")
        row = CachedParticipant.objects.get(team=team, key=participant_key)
        assert (row.scope, row.status, row.source) == (child_key, "Completed", Source.WEBHOOK)
    assert not CachedParticipant.objects.filter(team=team, scope="").exists()
