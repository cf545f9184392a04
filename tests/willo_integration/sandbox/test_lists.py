"""Pagination, filters, search and ordering of the list endpoints."""

from __future__ import annotations

from willo_integration.sandbox.models import Department, Interview, Participant


def test_pages_carry_count_next_and_previous(api, seeded):
    total = Participant.objects.filter(organisation=seeded.parent).count()
    first = api().get("/participants/", page_size=7).json()
    assert first["count"] == total
    assert len(first["results"]) == 7
    assert first["previous"] is None
    assert first["next"].endswith("/api/integrations/v2/participants/?page_size=7&page=2")
    second = api().get("/participants/", page_size=7, page=2).json()
    assert second["previous"].endswith("/participants/?page_size=7")
    assert not {p["key"] for p in first["results"]} & {p["key"] for p in second["results"]}


def test_the_last_page_has_no_next(api, seeded):
    total = Participant.objects.filter(organisation=seeded.parent).count()
    last = -(-total // 30)
    page = api().get("/participants/", page_size=30, page=last).json()
    assert page["next"] is None
    assert len(page["results"]) == total - 30 * (last - 1)


def test_page_size_must_be_between_1_and_30(api):
    for size in (0, 31, "x"):
        response = api().get("/interviews/", page_size=size)
        assert response.status_code == 400, size
        assert "page_size" in response.json()
    assert api().get("/interviews/", page_size=30).status_code == 200


def test_a_page_past_the_end_is_404(api):
    response = api().get("/interviews/", page=99)
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_participants_filter_by_interview_department_and_owner(api, seeded):
    interview = Interview.objects.filter(organisation=seeded.parent).first()
    listed = api().get("/participants/", interview=interview.key, page_size=30).json()
    assert listed["count"] == interview.participants.count()
    assert {p["interview"]["key"] for p in listed["results"]} == {interview.key}
    department = interview.department
    by_department = api().get("/participants/", department=department.key, page_size=30).json()
    assert {p["department"]["key"] for p in by_department["results"]} == {department.key}
    by_owner = api().get("/participants/", owner=interview.owner.key).json()
    assert by_owner["count"] == Participant.objects.filter(interview__owner=interview.owner).count()


def test_participants_search_name_email_and_interview_title(api, seeded):
    participant = Participant.objects.filter(organisation=seeded.parent).first()
    by_email = api().get("/participants/", search=participant.email.upper()).json()
    assert [p["key"] for p in by_email["results"]] == [participant.key]
    by_title = api().get("/participants/", search="Nursing Associate").json()
    assert (
        by_title["count"]
        == Participant.objects.filter(
            organisation=seeded.parent, interview__title="Nursing Associate"
        ).count()
    )


def test_participants_order_by_created_at_by_default_and_by_name(api):
    default = [p["created_at"] for p in api().get("/participants/", page_size=30).json()["results"]]
    assert default == sorted(default, reverse=True)
    names = [
        p["name"]
        for p in api().get("/participants/", ordering="name", page_size=30).json()["results"]
    ]
    assert names == sorted(names)
    reverse = [
        p["name"]
        for p in api().get("/participants/", ordering="-name", page_size=30).json()["results"]
    ]
    assert reverse == sorted(reverse, reverse=True)


def test_an_unknown_ordering_field_is_400(api):
    response = api().get("/participants/", ordering="email")
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_interviews_filter_and_search(api, seeded):
    department = Department.objects.get(organisation=seeded.parent, name="Sales")
    listed = api().get("/interviews/", department=department.key).json()
    assert sorted(i["title"] for i in listed["results"]) == [
        "Account Executive",
        "Sales Development Representative",
    ]
    searched = api().get("/interviews/", search="customer support").json()
    assert [i["title"] for i in searched["results"]] == ["Customer Support Advisor"]
    titles = [i["title"] for i in api().get("/interviews/", ordering="-title").json()["results"]]
    assert titles == sorted(titles, reverse=True)


def test_departments_search_by_owner_email(api):
    listed = api().get("/departments/", search="olivia.grant").json()
    assert [d["name"] for d in listed["results"]] == ["Engineering"]


def test_message_templates_filter_by_type_trigger_and_default(api):
    emails = api().get("/message-templates/", type="emails").json()["results"]
    assert emails
    assert {t["type"] for t in emails} == {"email"}
    reminders = api().get("/message-templates/", trigger="reminder").json()["results"]
    assert {t["trigger"] for t in reminders} == {"reminder"}
    defaults = api().get("/message-templates/", system_default="false").json()["results"]
    assert [t["title"] for t in defaults] == ["Northwind invitation"]
    assert api().get("/message-templates/", trigger="someday").status_code == 400


def test_webhooks_filter_by_event_and_interview(api, seeded):
    interview = Interview.objects.filter(organisation=seeded.parent).first()
    for event in ("new_score", "new_comment"):
        body = {"url": "https://example.com/h", "event": event, "interviews": [interview.key]}
        assert api().call("POST", "/webhooks/", body).status_code == 201
    scores = api().get("/webhooks/", event="new_score").json()
    assert [h["event"] for h in scores["results"]] == ["new_score"]
    assert api().get("/webhooks/", interview=interview.key).json()["count"] == 2
    assert api().get("/webhooks/", follow_all_interviews="true").json()["count"] == 0


def test_reference_lists(api):
    languages = api().get("/languages/", page_size=30).json()
    assert {"en", "zhtw", "cy"} <= {item["iso_code"] for item in languages["results"]}
    countries = api().get("/idv-counties/", ordering="-iso_3").json()["results"]
    assert [c["iso_3"] for c in countries] == sorted((c["iso_3"] for c in countries), reverse=True)
    categories = api().get("/categories/").json()
    assert isinstance(categories, list)
    assert categories[0]["name"] == "Design and Product"


def test_interview_templates_paginate_by_10_and_filter_by_category(api):
    listed = api().get("/interview-templates/").json()
    assert listed["count"] == len(listed["results"]) == 5
    category = listed["results"][0]["category"]["key"]
    filtered = api().get("/interview-templates/", category=category).json()
    assert {t["category"]["key"] for t in filtered["results"]} == {category}
