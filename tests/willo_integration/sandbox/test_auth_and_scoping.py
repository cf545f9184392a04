"""401, 403 and 404: keys, roles, departments and agency scope."""

from __future__ import annotations

from willo_integration.sandbox.models import Department, Participant, Role, SandboxUser


def test_it_answers_401_without_a_key(api):
    response = api(None).get("/participants/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_it_answers_401_for_an_unknown_key(api):
    response = api("not-a-real-key").get("/interviews/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_it_answers_404_for_an_unknown_object_key(api):
    for path in ("/participants/", "/interviews/", "/departments/", "/users/"):
        response = api().get(f"{path}{'0' * 32}/")
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}


def test_it_answers_404_for_another_organisations_object(api, seeded):
    foreign = Participant.objects.filter(organisation=seeded.children[0]).first()
    assert api().get(f"/participants/{foreign.key}/").status_code == 404


def test_a_standard_user_sees_only_their_departments(api, seeded):
    listed = api(seeded.standard).get("/departments/").json()["results"]
    assert sorted(d["name"] for d in listed) == ["Engineering", "Graduate Programme"]
    participants = api(seeded.standard).get("/participants/", page_size=30).json()
    departments = {p["department"]["name"] for p in participants["results"]}
    assert departments <= {"Engineering", "Graduate Programme"}
    assert participants["count"] < Participant.objects.filter(organisation=seeded.parent).count()


def test_a_standard_user_gets_403_outside_their_departments(api, seeded):
    sales = Participant.objects.filter(
        organisation=seeded.parent, interview__department__name="Sales"
    ).first()
    assert api(seeded.standard).get(f"/participants/{sales.key}/").status_code == 403
    response = api(seeded.standard).call(
        "PATCH", f"/participants/{sales.key}/", {"status": "Accepted"}
    )
    assert response.status_code == 403
    department = Department.objects.get(organisation=seeded.parent, name="Sales")
    assert api(seeded.standard).get(f"/departments/{department.key}/").status_code == 403
    assert api(seeded.admin).get(f"/participants/{sales.key}/").status_code == 200


def test_a_standard_user_cannot_invite_users(api, seeded):
    response = api(seeded.standard).call(
        "POST", "/users/", {"email": "new.person@example.com", "role": "standard"}
    )
    assert response.status_code == 403
    assert not SandboxUser.objects.filter(email="new.person@example.com").exists()


def test_children_is_403_for_a_standard_user_and_inside_a_child(api, seeded):
    assert api(seeded.standard).get("/children/").status_code == 403
    agency = seeded.agency_admin["Harbour Logistics"]
    assert api(seeded.owner, agency).get("/children/").status_code == 403


def test_children_lists_two_children_with_agency_keys(api, seeded):
    children = api().get("/children/").json()
    assert [c["name"] for c in children] == ["Harbour Logistics", "Bluebell Care Homes"]
    relation_keys = {r["key"] for c in children for r in c["user_relations"]}
    assert set(seeded.agency_admin.values()) <= relation_keys


def test_an_agency_key_acts_inside_the_child(api, seeded):
    child = seeded.children[0]
    agency = seeded.agency_admin[child.name]
    listed = api(seeded.owner, agency).get("/participants/", page_size=30).json()
    assert listed["count"] == Participant.objects.filter(organisation=child).count()
    keys = {p["key"] for p in listed["results"]}
    assert keys <= set(Participant.objects.filter(organisation=child).values_list("key", flat=True))
    parent_participant = Participant.objects.filter(organisation=seeded.parent).first()
    response = api(seeded.owner, agency).get(f"/participants/{parent_participant.key}/")
    assert response.status_code == 404


def test_an_agency_key_of_another_parents_child_is_refused(api, seeded):
    response = api(seeded.owner, seeded.other_child_agency).get("/participants/")
    assert response.status_code == 403
    assert api(seeded.owner, "f" * 32).get("/participants/").status_code == 403


def test_an_agency_key_is_refused_for_a_standard_user_of_the_parent(api, seeded):
    agency = seeded.agency_admin["Harbour Logistics"]
    assert api(seeded.standard, agency).get("/participants/").status_code == 403


def test_the_owner_cannot_be_deleted_or_demoted(api, seeded):
    owner = SandboxUser.objects.get(organisation=seeded.parent, role=Role.OWNER)
    assert api(seeded.admin).call("DELETE", f"/users/{owner.key}/").status_code == 403
    response = api(seeded.admin).call("PATCH", f"/users/{owner.key}/", {"role": "standard"})
    assert response.status_code == 403
