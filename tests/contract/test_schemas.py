"""Every example response of the Willo collection parses, losslessly, into typed models."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from willo_integration.schemas import (
    AnswerType,
    IdvCheckType,
    IdvInfo,
    Interview,
    MessageTemplate,
    Page,
    Participant,
    ParticipantStatus,
    Webhook,
    WebhookEvent,
    WebhookEventType,
    parse_webhook_delivery,
)

from .collection import Example, examples, requests, webhook_payload_examples
from .payloads import assert_same_payload, dump_as_sent, unmodelled_fields
from .response_models import BINARY_RESPONSES, RESPONSE_MODELS

JSON_EXAMPLES = [e for e in examples() if e.response_body is not None]

# Spellings kept verbatim as extras because a normalised attribute reads them:
# an interview created from a template flattens its settings (read Interview.settings)
# and names its creator created_by_* (read Interview.owner).
EXPECTED_EXTRAS = {
    "Interview.show_hints",
    "Interview.show_availability_calendar",
    "Interview.redirect_url",
    "Interview.deadline",
    "Interview.deadline_timezone",
    "Interview.created_by_email",
    "Interview.created_by_name",
}


def example(method: str, path: str, name: str | None = None) -> Example:
    (found,) = [
        e
        for e in examples()
        if (e.method, e.path) == (method, path) and (name is None or e.name == name)
    ]
    return found


def parse(method: str, path: str, name: str | None = None) -> Any:
    body = example(method, path, name).response_body
    return TypeAdapter(RESPONSE_MODELS[(method, path)]).validate_python(body)


# --- coverage of the collection ---------------------------------------------------------


def test_the_collection_has_44_distinct_requests():
    endpoints = [r.endpoint for r in requests()]
    assert len(endpoints) == 44
    assert len(set(endpoints)) == 44


def test_every_request_has_a_response_model_and_no_model_is_stale():
    assert {r.endpoint for r in requests()} == set(RESPONSE_MODELS)


def test_every_request_has_an_example():
    assert {e.request.endpoint for e in examples()} == set(RESPONSE_MODELS)
    assert len(examples()) == 47


@pytest.mark.parametrize("ex", JSON_EXAMPLES, ids=lambda e: e.id)
def test_it_parses_every_example_without_losing_anything(ex: Example):
    tp = RESPONSE_MODELS[ex.request.endpoint]
    parsed = TypeAdapter(tp).validate_python(ex.response_body)
    assert_same_payload(dump_as_sent(tp, parsed), ex.response_body)


def test_it_models_every_field_the_examples_use():
    extras: set[str] = set()
    for ex in JSON_EXAMPLES:
        tp = RESPONSE_MODELS[ex.request.endpoint]
        extras |= unmodelled_fields(TypeAdapter(tp).validate_python(ex.response_body))
    assert extras == EXPECTED_EXTRAS


def test_bodyless_examples_are_deletes_and_the_idv_media_file():
    bodyless = {e.request.endpoint for e in examples() if e.response_body is None}
    deletes = {endpoint for endpoint, model in RESPONSE_MODELS.items() if model is None}
    assert bodyless == deletes | BINARY_RESPONSES
    assert {e.status_code for e in examples() if e.request.endpoint in deletes} == {204}
    media = example("GET", "/participants/{key}/idv-media/")
    assert media.content_type == "image/png"


def test_lossless_check_catches_a_dropped_field():
    body = example("GET", "/participants/", None).response_body
    dumped = dump_as_sent(Page[Participant], Page[Participant].model_validate(body))
    del dumped["results"][0]["overview_link"]
    with pytest.raises(AssertionError, match=r"lost \['overview_link'\]"):
        assert_same_payload(dumped, body)


# --- departments and reference lists -----------------------------------------------------


def test_departments_carry_owner_industry_and_branding():
    page = parse("GET", "/departments/")
    assert page.count == 12
    assert page.next is None
    assert [(d.name, d.owner.full_name) for d in page.results] == [("Willo", "John Doe")]
    department = parse("GET", "/departments/{key}/")
    assert department.key == "de3b5651d1f24ec9afeb8787e0e3be7a"
    assert department.industry.name == "IT"
    assert (department.primary_colour, department.secondary_colour) == ("#2f3312", "#3f4425")
    assert department.website == "https://willo.video"
    assert (department.is_default, department.is_global) == (False, False)


def test_reference_lists_parse():
    countries = parse("GET", "/idv-counties/")
    assert countries.count == 250
    assert [(c.name, c.iso_3) for c in countries.results] == [("United Kingdom", "GBR")]
    languages = parse("GET", "/languages/")
    assert len(languages.results) == 12
    assert {"en", "zhtw"} <= {lang.iso_code for lang in languages.results}
    categories = parse("GET", "/categories/")
    assert len(categories) == 7
    assert categories[0].name == "Design and Product"


# --- interviews --------------------------------------------------------------------------


def test_interview_list_items_name_the_job_and_its_department():
    (interview,) = parse("GET", "/interviews/").results
    assert interview.title == "Researcher"
    assert interview.department.name == "HR"
    assert interview.organisation.name == "Willo"
    assert interview.owner.email == "mariecurie@example.com"
    assert interview.invite_link == "https://willotalent.com/invite/fhf3v/"
    assert interview.questions == []


def test_interview_detail_reads_the_detail_spelling_of_message_templates():
    interview = parse("GET", "/interviews/{key}/")
    assert interview.message_templates.invitation_email == "cdbd4d93a7e448539a3b553db6b01d6b"
    assert interview.message_templates.invitation_sms == "40f105a6c93a471dbcee1b1e5169051a"
    assert interview.message_templates.reminder_email == "ebc11bf4479a4fa29c2ce25839a8d7ec"
    assert interview.message_templates.reminder_sms == "6360c3a0c80d4ad7a4561cb2737af0e8"
    assert interview.message_templates.interview_completed_email == (
        "0d8bcb748a684738b0b283997259ef83"
    )
    dumped = dump_as_sent(Interview, interview)["message_templates"]
    assert "email_invite_template" in dumped
    assert "invitation_email" in interview.model_dump()["message_templates"]


def test_interview_questions_carry_types_and_options():
    interview = parse("GET", "/interviews/{key}/")
    assert interview.created_at == datetime(2022, 8, 11, 14, 12, 0, 941442, tzinfo=UTC)
    assert interview.settings.deadline == datetime(2022, 12, 18, tzinfo=UTC)
    assert interview.settings.show_hints_and_tips is True
    assert interview.settings.redirect_url == "https://yoursite.com"
    assert [r.full_name for r in interview.reviewers] == ["Bill Gates"]
    video, choice = interview.questions
    assert video.answer_type is AnswerType.VIDEO
    assert video.max_duration == 240
    assert video.html_text.startswith("<p>Can you describe")
    assert video.answer_options == []
    assert choice.answer_type is AnswerType.MULTIPLE_CHOICE
    assert [o.text for o in choice.answer_options] == [
        "Communication",
        "Teamwork",
        "Product knowledge",
        "Customer service",
    ]
    assert [o.text for o in choice.answer_options if o.is_correct] == ["Customer service"]


def test_a_created_interview_has_a_deadline_with_microseconds():
    interview = parse("POST", "/interviews/", "Create Interview")
    assert interview.settings.deadline == datetime(2022, 12, 18, 9, tzinfo=UTC)
    assert interview.message_templates.invitation_email == "cdbd4d93a7e448539a3b553db6b01d6b"


def test_a_checkbox_question_may_lack_html_text_and_correct_answers():
    interview = parse("POST", "/interviews/", "Create Interview With Checkbox Type Question")
    (question,) = interview.questions
    assert question.answer_type is AnswerType.CHECKBOXES
    assert question.html_text is None
    assert question.thinking_time == 300
    assert [(o.text, o.is_correct) for o in question.answer_options] == [
        ("Critical thinking", None),
        ("Adaptability", None),
        ("Time management", None),
    ]


def test_an_interview_updated_with_a_choice_question_keeps_its_options():
    interview = parse(
        "PUT", "/interviews/{key}/", "Update Interview With Multiple Choice Type Question"
    )
    (question,) = interview.questions
    assert [(o.text, o.is_correct) for o in question.answer_options] == [
        ("Yes", True),
        ("No", False),
    ]
    assert interview.settings.deadline is None


def test_an_interview_created_from_a_template_reads_like_any_other_interview():
    interview = parse("POST", "/interview-templates/{template_key}/interviews/")
    assert interview.title == "Senior sales"
    assert interview.status == "draft"
    assert interview.department.key == "7fd718908e4146288a5fb92f3ef6a3fa"
    assert interview.department.name == "Test Company"
    assert interview.department.location == "France"
    assert interview.intro_video is None
    assert interview.settings.show_hints_and_tips is True
    assert interview.settings.show_availability_calendar is True
    assert interview.settings.redirect_url is None
    assert interview.settings.deadline is None
    assert interview.owner.email == "mariecurie@willo.video"
    assert interview.owner.full_name == "Marie Curie"
    invitation = interview.message_templates.invitation_email
    assert isinstance(invitation, MessageTemplate)
    assert (invitation.title, invitation.content) == ("", "")
    assert [q.answer_type for q in interview.questions] == [
        AnswerType.AUDIO,
        AnswerType.MULTIPLE_CHOICE,
        AnswerType.CHECKBOXES,
    ]
    assert (interview.candidates_cnt, interview.accepted_cnt, interview.rejected_cnt) == (0, 0, 0)
    sent = dump_as_sent(Interview, interview)
    assert "company" in sent
    assert "settings" not in sent
    assert "owner" not in sent


# --- message templates, users ------------------------------------------------------------


def test_message_templates_have_a_type_and_a_trigger():
    page = parse("GET", "/message-templates/")
    assert [(t.title, t.type, t.trigger, t.system_default) for t in page.results] == [
        ("Participant Invitation", "email", "invite", False),
        ("Interview Reminder", "sms", "reminder", False),
        ("Interview Completed", "email", "success_email", True),
    ]
    template = parse("GET", "/message-templates/{key}/")
    assert "{candidate_full_name}" in template.content


def test_users_have_a_role_and_status():
    (listed,) = parse("GET", "/users/").results
    assert (listed.full_name, listed.role) == ("Amelia Mary Earhart", None)
    invited = parse("POST", "/users/")
    assert (invited.email, invited.role, invited.status) == (
        "john.doe@willo.video",
        "standard",
        "joined",
    )
    assert parse("PATCH", "/users/{key}/").role == "admin"


# --- participants and answers ------------------------------------------------------------


def test_participant_list_items_read_the_list_spelling_of_the_overview_link():
    (participant,) = parse("GET", "/participants/").results
    assert participant.name == "Rosa Parks"
    assert participant.email == "rosa.parks@yahoo.com"
    assert participant.status is None
    assert participant.overview_link == "https://willotalent.com/interviwer/3v3v34/"
    assert participant.interview.title == "Activist"
    assert participant.department.name == "HR"
    assert participant.location.city == "London"
    assert participant.custom_id == "can_12345"
    assert participant.availability[0] == datetime(2022, 8, 15, 1, 30, tzinfo=UTC)
    assert "overview_link" in dump_as_sent(Participant, participant)


def test_participant_detail_has_status_summary_score_and_answers():
    participant = parse("GET", "/participants/{key}/", "Retrieve Participant")
    assert participant.status is ParticipantStatus.INVITED
    assert participant.status_changed_by == "steve@apple.com"
    assert participant.status_changed_at == datetime(2022, 8, 15, 1, 30, tzinfo=UTC)
    assert participant.overview_link == "https://willotalent.com/interviwer/3v3v34/"
    assert participant.summary.startswith("The candidate defines civil rights")
    assert participant.location.country_code == "US"
    assert participant.score.average_score_snapshot == 4.5
    assert participant.score.average_score_count == 2
    assert participant.score.average_score_updated_at == datetime(2025, 2, 16, 9, 0, 30, tzinfo=UTC)
    sent = dump_as_sent(Participant, participant)
    assert "candidate_overview_link" in sent
    assert "overview_link" not in sent


def test_a_video_answer_has_its_media_transcript_and_time_spent():
    (answer,) = parse("GET", "/participants/{key}/", "Retrieve Participant").answers
    assert answer.answer_type is AnswerType.VIDEO
    assert answer.question.text == "What does the term 'Civil rights' mean to you?"
    assert answer.question.max_retakes == 5
    assert answer.remote_link == "https://willotalent.com/3fvdvhj34v.mp4/"
    assert answer.media_extension == "mp4"
    assert answer.is_media_deleted is False
    assert answer.is_finished is True
    assert answer.status == "processed"
    assert answer.spent_time == 143
    assert answer.text is None
    assert answer.transcript.text.startswith("Civil rights refer to the fundamental freedoms")
    assert answer.transcript.language == "en"
    assert answer.transcript.confidence == 0.9
    assert answer.additional_info.share_code == "AAA-BBB-CCC"
    assert answer.selected_options == []


def test_a_choice_answer_resolves_the_selected_option():
    participant = parse(
        "GET", "/participants/{key}/", "Retrieve Participant With Checkbox Question"
    )
    assert participant.score.average_score_snapshot is None
    assert participant.score.average_score_count == 0
    (answer,) = participant.answers
    # the example is named "Checkbox" but its question is multiple choice
    assert answer.answer_type is AnswerType.MULTIPLE_CHOICE
    (selected,) = answer.type_specific_data.selected_answer_options
    assert (selected.option, selected.is_correct) == ("998065f2f0454bb681f8212446c16bd9", True)
    assert [(o.text, o.is_correct) for o in answer.selected_options] == [("Yes", True)]


def test_invite_and_update_answers_carry_the_status():
    invited = parse("POST", "/participants/")
    assert invited.status is ParticipantStatus.INVITED
    assert invited.invite_link == "https://willotalent.com/invite/43f432/"
    assert invited.send_notifications is True
    assert invited.created_at == datetime(2022, 8, 15, 1, 30, tzinfo=UTC)
    for method in ("PUT", "PATCH"):
        updated = parse(method, "/participants/{key}/")
        assert updated.status is ParticipantStatus.ACCEPTED
        assert (updated.phone, updated.custom_id) == ("+18483438384348", "can_999999")
        assert updated.answers == []


# --- identity verification ---------------------------------------------------------------


def test_idv_info_has_check_type_status_and_share_code():
    idv = parse("GET", "/participants/{key}/idv-info/")
    assert idv.check_type is IdvCheckType.RTW
    assert idv.status == "completed"
    assert idv.share_code == "FFF-FFF-FFF"
    assert idv.session_data.state == "COMPLETED"
    assert idv.session_data.biometric_consent == datetime(2022, 9, 6, 8, 26, 41, tzinfo=UTC)


def test_idv_checks_have_recommendations_and_failed_sub_checks():
    idv = parse("GET", "/participants/{key}/idv-info/")
    assert [(c.type, c.recommendation) for c in idv.checks] == [
        ("ID_DOCUMENT_AUTHENTICITY", "APPROVE"),
        ("LIVENESS", "APPROVE"),
        ("ID_DOCUMENT_FACE_MATCH", "APPROVE"),
        ("THIRD_PARTY_IDENTITY_FRAUD_1", "APPROVE"),
    ]
    assert {c.type: [s.sub_check for s in c.failed_sub_checks] for c in idv.checks} == {
        "ID_DOCUMENT_AUTHENTICITY": ["hologram_movement"],
        "LIVENESS": [],
        "ID_DOCUMENT_FACE_MATCH": ["ai_face_match"],
        "THIRD_PARTY_IDENTITY_FRAUD_1": [],
    }
    (ai_face_match,) = idv.checks[2].failed_sub_checks
    assert [(d.name, d.value) for d in ai_face_match.details] == [("confidence_score", "0.57")]


def test_idv_documents_liveness_and_identity_profile():
    idv = parse("GET", "/participants/{key}/idv-info/")
    resources = idv.session_data.resources
    assert [(d.document_type, d.issuing_country) for d in resources.id_documents] == [
        ("PASSPORT", "GBR"),
        ("PASSPORT", "GBR"),
    ]
    assert resources.id_documents[0].document_id_photo.media.type == "IMAGE"
    (liveness,) = resources.liveness_capture
    assert liveness.liveness_type == "ZOOM"
    assert len(liveness.frames) == 7
    assert liveness.frames[-1].media is None
    report = idv.session_data.identity_profile.identity_profile_report
    assert report.trust_framework == "UK_TFIDA"
    (compliance,) = report.schemes_compliance
    assert (compliance.scheme.type, compliance.requirements_met) == ("RTW", True)


def test_idv_document_text_and_identity_assertion():
    idv = parse("GET", "/participants/{key}/idv-info/")
    extracted = idv.document_text_extraction
    assert extracted.family_name == "Jobs"
    assert extracted.date_of_birth == date(1955, 10, 11)
    assert extracted.expiration_date == date(2049, 12, 7)
    assert extracted.document_number == "KBH32990"
    media_data = idv.identity_profile_media_data
    assert media_data.identity_assertion.current_name.full_name == "STEVEN PAUL JOBS"
    assert media_data.identity_assertion.date_of_birth == date(1955, 2, 12)
    assert media_data.identity_assertion.current_address == "None"
    process = media_data.verification_report.assurance_process
    assert (process.policy, process.level_of_assurance) == ("GPG45", "MEDIUM")


def test_a_plain_idv_check_may_have_empty_profile_data_and_no_identity_profile():
    idv = IdvInfo.model_validate(
        {"check_type": "idv", "status": "completed", "identity_profile_media_data": ""}
    )
    assert idv.check_type is IdvCheckType.IDV
    assert idv.identity_profile_media_data is None
    assert idv.checks == []
    body = {"check_type": "idv", "session_data": {}, "identity_profile_media_data": {}}
    idv = IdvInfo.model_validate(body)
    assert idv.identity_profile_media_data.identity_assertion is None
    assert idv.session_data.identity_profile is None
    assert_same_payload(dump_as_sent(IdvInfo, idv), body)


# --- webhooks ----------------------------------------------------------------------------


def test_webhook_event_names_are_normalised():
    page = parse("GET", "/webhooks/")
    assert [w.event for w in page.results] == ["stage_change", "accepted"]
    assert [w.event_type for w in page.results] == [WebhookEventType.STATUS_CHANGE, None]
    created = parse("POST", "/webhooks/")
    assert (created.event, created.event_type) == ("status_change", WebhookEventType.STATUS_CHANGE)
    assert created.token == "some-token"
    assert created.payload_configuration.return_transcripts is False


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("new_response", WebhookEventType.NEW_RESPONSE),
        ("status_change", WebhookEventType.STATUS_CHANGE),
        ("stage_change", WebhookEventType.STATUS_CHANGE),
        ("Stage_Change", WebhookEventType.STATUS_CHANGE),
        ("new_comment", WebhookEventType.NEW_COMMENT),
        ("new_score", WebhookEventType.NEW_SCORE),
        ("accepted", None),
        (None, None),
    ],
)
def test_webhook_event_type_from_each_spelling(name, expected):
    assert WebhookEventType.from_name(name) == expected


def test_a_webhook_department_sent_as_one_object_reads_as_a_list():
    first, second = parse("GET", "/webhooks/").results
    assert [d.name for d in first.departments] == ["IT Solutions"]
    assert second.departments == []
    assert [u.email for u in first.users] == ["john@doe.com"]
    assert [i.title for i in first.interviews] == ["Product Manager"]
    assert first.payload_configuration.return_summary is False
    assert second.follow_all_interviews is True
    assert dump_as_sent(Webhook, first)["departments"] == {
        "key": "8idea1df6730k349924f019419ajer4",
        "name": "IT Solutions",
    }


def test_the_documented_webhook_deliveries_are_found():
    assert set(webhook_payload_examples()) == {
        "new_response",
        "stage_change",
        "new_comment",
        "new_score",
    }


@pytest.mark.parametrize("event", ["new_response", "stage_change"])
def test_a_participant_delivery_parses_as_a_participant(event):
    body = webhook_payload_examples()[event]
    participant = parse_webhook_delivery(body)
    assert isinstance(participant, Participant)
    assert participant.name == "Rosa Parks"
    assert participant.status is ParticipantStatus.INVITED
    assert participant.overview_link == "https://willotalent.com/interviwer/3v3v34/"
    assert participant.summary.startswith("The candidate completed a set of interview questions")
    (answer,) = participant.answers
    assert answer.transcript.text == "I have a lot of experience in public speaches"
    assert answer.answer_type is AnswerType.VIDEO
    assert_same_payload(dump_as_sent(Participant, participant), body)


def test_a_new_comment_delivery_parses_as_an_event():
    body = webhook_payload_examples()["new_comment"]
    event = parse_webhook_delivery(body)
    assert isinstance(event, WebhookEvent)
    assert event.id == "evt_JkcWU6EKtEaDgTBoZ6EFWtAR"
    assert event.event_type is WebhookEventType.NEW_COMMENT
    assert event.data.participant.key == "c990f380bf7f49b79783b79c67459e33"
    comment = event.data.comment
    assert comment.text == "Very good understanding of sales processes"
    assert comment.author.full_name == "Steve Doe"
    assert comment.created_at == datetime(2025, 1, 13, 10, 13, 59, 391874, tzinfo=UTC)
    assert_same_payload(dump_as_sent(WebhookEvent, event), body)


def test_a_new_score_delivery_parses_as_an_event_with_decimal_scores():
    body = webhook_payload_examples()["new_score"]
    event = parse_webhook_delivery(body)
    assert isinstance(event, WebhookEvent)
    assert event.event_type is WebhookEventType.NEW_SCORE
    assert event.data.participant.avg_score == Decimal("5.00")
    score = event.data.score
    assert score.general_score == Decimal("5.00")
    assert score.scored_by.email == "steve@doe.com"
    (criterion,) = score.scores_by_criteria
    assert criterion.scorecard_criteria.text == "Communication skills"
    assert criterion.scorecard_criteria.is_optional is False
    assert criterion.score == Decimal("5.00")
    assert_same_payload(dump_as_sent(WebhookEvent, event), body)


# --- templates and child organisations -------------------------------------------------------


def test_interview_templates_have_a_category_and_questions():
    featured, other = parse("GET", "/interview-templates/").results
    assert (featured.title, featured.is_featured, featured.questions_count) == (
        "Sales Assistant",
        True,
        5,
    )
    assert featured.category.name == "Sales and Customer-Facing Roles"
    assert other.is_featured is False
    template = parse("GET", "/interview-templates/{template_key}/")
    assert template.author.name == "Faith"
    assert template.author.image is None
    assert template.template_description.startswith("As a Sales Assistant")
    assert [q.answer_type for q in template.questions] == [
        AnswerType.VIDEO,
        AnswerType.MULTIPLE_CHOICE,
    ]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_child_organisations_expose_the_agency_user_key(method):
    body = parse(method, "/children/")
    child = body[0] if isinstance(body, list) else body
    assert child.name == "John Doe Technologies"
    assert child.verification_status == "verified"
    assert child.owner.email == "john@doe.com"
    (relation,) = child.user_relations
    assert relation.key == "1bda9acf65ae4be4bd1256c84ec923cc"
    assert (relation.role, relation.status, relation.user.full_name) == (
        "admin",
        "joined",
        "John Doe",
    )


# --- tolerance ----------------------------------------------------------------------------


def test_unknown_fields_are_kept():
    participant = Participant.model_validate(
        {"key": "p1", "rating": {"stars": 4}, "interview": {"key": "i1", "stage": "late"}}
    )
    assert participant.rating == {"stars": 4}
    assert participant.interview.stage == "late"
    assert dump_as_sent(Participant, participant) == {
        "key": "p1",
        "rating": {"stars": 4},
        "interview": {"key": "i1", "stage": "late"},
    }


def test_unknown_enum_values_are_kept_as_strings():
    participant = Participant.model_validate(
        {
            "key": "p1",
            "status": "Shortlisted",
            "answers": [{"key": "a1", "question": {"key": "q1", "answer_type": "hologram"}}],
        }
    )
    assert participant.status == "Shortlisted"
    assert participant.answers[0].answer_type == "hologram"


def test_a_minimal_participant_parses_with_defaults():
    participant = Participant.model_validate({"key": "p1", "location": None, "score": None})
    assert participant.answers == []
    assert participant.availability == []
    assert participant.overview_link is None


def test_a_list_body_without_results_is_not_a_page():
    with pytest.raises(ValidationError):
        Page[Participant].model_validate({"count": 1, "next": None})


def test_an_object_without_its_key_is_refused():
    with pytest.raises(ValidationError):
        Participant.model_validate({"name": "Rosa Parks"})
