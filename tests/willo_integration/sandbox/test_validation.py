"""400 with field errors for missing required fields and values outside the restricted ones."""

from __future__ import annotations

from willo_integration.sandbox.models import Department, Interview, Participant


def _interview_body(department: str, **question: object) -> dict:
    return {
        "title": "Barista",
        "department": department,
        "message_templates": dict.fromkeys(
            (
                "invitation_email",
                "invitation_sms",
                "reminder_email",
                "reminder_sms",
                "interview_completed_email",
            )
        ),
        "questions": [{"text": "Why coffee?", "order": 1, "answer_type": "video", **question}],
    }


def test_participant_status_accepts_only_accepted_or_rejected(api, seeded):
    participant = Participant.objects.filter(organisation=seeded.parent).first()
    response = api().call("PATCH", f"/participants/{participant.key}/", {"status": "Invited"})
    assert response.status_code == 400
    assert response.json() == {"status": ['"Invited" is not a valid choice.']}
    response = api().call("PATCH", f"/participants/{participant.key}/", {"status": "Rejected"})
    assert response.status_code == 200
    assert response.json()["status"] == "Rejected"
    participant.refresh_from_db()
    assert participant.status_changed_by == "olivia.grant@northwindtalent.example"


def test_inviting_a_participant_requires_interview_email_and_name(api):
    response = api().call("POST", "/participants/", {"phone": "+447700900000"})
    assert response.status_code == 400
    assert set(response.json()) == {"interview", "email", "name"}
    assert response.json()["name"] == ["This field is required."]


def test_inviting_a_participant_creates_an_invited_one(api, seeded):
    interview = Interview.objects.filter(organisation=seeded.parent).first()
    body = {"interview": interview.key, "email": "rosa@example.com", "name": "Rosa Parks"}
    response = api().call("POST", "/participants/", body)
    assert response.status_code == 201
    assert response.json()["status"] == "Invited"
    assert api().get(f"/participants/{response.json()['key']}/").status_code == 200


def test_webhook_event_must_be_a_documented_one(api, seeded):
    body = {"url": "https://example.com/hook", "event": "accepted", "follow_all_interviews": True}
    response = api().call("POST", "/webhooks/", body)
    assert response.status_code == 400
    assert response.json() == {"event": ['"accepted" is not a valid choice.']}


def test_webhook_accepts_the_stage_change_alias_as_status_change(api):
    body = {
        "url": "https://example.com/hook",
        "event": "stage_change",
        "follow_all_interviews": True,
    }
    response = api().call("POST", "/webhooks/", body)
    assert response.status_code == 201
    assert response.json()["event"] == "status_change"


def test_webhook_needs_a_url(api):
    response = api().call(
        "POST", "/webhooks/", {"event": "new_score", "follow_all_interviews": True}
    )
    assert response.status_code == 400
    assert response.json() == {"url": ["This field is required."]}


def test_interview_answer_type_must_be_a_documented_one(api, seeded):
    department = Department.objects.filter(organisation=seeded.parent).first()
    response = api().call(
        "POST", "/interviews/", _interview_body(department.key, answer_type="hologram")
    )
    assert response.status_code == 400
    assert response.json() == {
        "questions": [{"answer_type": ['"hologram" is not a valid choice.']}]
    }


def test_interview_language_must_be_a_documented_one(api, seeded):
    department = Department.objects.filter(organisation=seeded.parent).first()
    body = {**_interview_body(department.key), "default_language": "xx"}
    response = api().call("POST", "/interviews/", body)
    assert response.status_code == 400
    assert response.json() == {"default_language": ['"xx" is not a valid choice.']}


def test_an_idv_question_needs_a_country_of_employment(api, seeded):
    department = Department.objects.filter(organisation=seeded.parent).first()
    response = api().call(
        "POST", "/interviews/", _interview_body(department.key, answer_type="rtw")
    )
    assert response.status_code == 400
    assert response.json() == {
        "questions": [{"location_of_employment": ["This field is required."]}]
    }


def test_creating_an_interview_requires_title_department_templates_and_questions(api):
    response = api().call("POST", "/interviews/", {"salary": "£1"})
    assert response.status_code == 400
    assert set(response.json()) == {"title", "department", "message_templates", "questions"}


def test_creating_an_interview_with_options_stores_them(api, seeded):
    department = Department.objects.filter(organisation=seeded.parent).first()
    options = [{"text": "Yes", "is_correct": True, "order": 1}, {"text": "No", "order": 2}]
    body = _interview_body(
        department.key,
        answer_type="multiple_choice",
        type_specific_data={"answer_options": options},
    )
    response = api().call("POST", "/interviews/", body)
    assert response.status_code == 201
    created = response.json()
    assert [o["text"] for o in created["questions"][0]["type_specific_data"]["answer_options"]] == [
        "Yes",
        "No",
    ]
    detail = api().get(f"/interviews/{created['key']}/").json()
    assert "email_invite_template" in detail["message_templates"]
    assert "invitation_email" in created["message_templates"]


def test_questions_are_locked_once_an_interview_has_responses(api, seeded):
    interview = Interview.objects.filter(
        organisation=seeded.parent, participants__answers__isnull=False
    ).first()
    body = {"questions": [{"text": "New?", "order": 1, "answer_type": "text"}]}
    response = api().call("PATCH", f"/interviews/{interview.key}/", body)
    assert response.status_code == 400
    assert "questions" in response.json()


def test_user_role_must_be_admin_or_standard(api):
    response = api().call("POST", "/users/", {"email": "x@example.com", "role": "owner"})
    assert response.status_code == 400
    assert response.json() == {"role": ['"owner" is not a valid choice.']}


def test_a_message_template_type_must_be_email_or_sms(api):
    body = {"title": "Hi", "type": "fax", "trigger": "invite", "content": "Hello"}
    response = api().call("POST", "/message-templates/", body)
    assert response.status_code == 400
    assert response.json() == {"type": ['"fax" is not a valid choice.']}
