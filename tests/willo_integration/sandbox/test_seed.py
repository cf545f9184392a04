"""The seed: deterministic, realistic and complete; and the sample media it links to."""

from __future__ import annotations

from django.db.models import Count

from willo_integration.sandbox import seed
from willo_integration.sandbox.models import (
    Answer,
    AnswerType,
    ApiKey,
    Comment,
    CriterionScore,
    IdvSession,
    Interview,
    Organisation,
    Participant,
    ParticipantStatus,
    Question,
    Transcript,
)


def test_it_seeds_a_parent_with_two_children(seeded):
    assert seeded.parent.is_parent
    assert [c.name for c in seeded.children] == ["Harbour Logistics", "Bluebell Care Homes"]


def test_it_covers_every_question_type_and_status(seeded):
    interviews = Interview.objects.filter(organisation=seeded.parent)
    assert interviews.count() >= 8
    types = set(
        Question.objects.filter(interview__in=interviews).values_list("answer_type", flat=True)
    )
    assert types == set(AnswerType.values)
    statuses = set(
        Participant.objects.filter(organisation=seeded.parent).values_list("status", flat=True)
    )
    assert statuses == set(ParticipantStatus.values)


def test_it_seeds_transcripts_in_several_languages_summaries_scores_and_comments(seeded):
    assert Transcript.objects.values("language").distinct().count() >= 3
    assert Participant.objects.exclude(summary=None).exists()
    assert CriterionScore.objects.exists()
    assert Comment.objects.exists()
    assert Participant.objects.exclude(availability=[]).exists()


def test_it_seeds_every_idv_check_type_passing_and_failing(api, seeded):
    seed.seed(participants=400)
    for check_type in ("idv", "rtw", "dbs", "dbs_rtw"):
        sessions = IdvSession.objects.filter(check_type=check_type)
        assert sessions.filter(passed=True).exists(), check_type
        assert sessions.filter(passed=False).exists(), check_type
    failing = IdvSession.objects.filter(
        passed=False, check_type="rtw", participant__organisation=seeded.parent
    ).first()
    info = api().get(f"/participants/{failing.participant.key}/idv-info/").json()
    results = {
        b["result"] for c in info["session_data"]["checks"] for b in c["report"]["breakdown"]
    }
    assert results == {"PASS", "FAIL"}
    idv = IdvSession.objects.filter(
        check_type="idv", participant__organisation=seeded.parent
    ).first()
    plain = api().get(f"/participants/{idv.participant.key}/idv-info/").json()
    assert plain["identity_profile_media_data"] == {}
    assert "identity_profile" not in plain["session_data"]


def test_it_is_deterministic(db):
    def snapshot() -> tuple:
        return (
            sorted(ApiKey.objects.values_list("key", flat=True)),
            list(Participant.objects.order_by("key").values_list("key", "name", "status")[:50]),
            Answer.objects.count(),
        )

    seed.seed(participants=50)
    first = snapshot()
    Organisation.objects.all().delete()
    seed.seed(participants=50)
    assert snapshot() == first


def test_seeding_again_is_idempotent_and_tops_up(seeded):
    count = Participant.objects.filter(organisation=seeded.parent).count()
    seed.seed(participants=count)
    assert Participant.objects.filter(organisation=seeded.parent).count() == count
    seed.seed(participants=count + 5)
    assert Participant.objects.filter(organisation=seeded.parent).count() == count + 5


def test_the_owner_key_can_be_chosen(seeded):
    keys = seed.seed(owner_api_key="my-demo-key")
    assert "my-demo-key" in keys.keys.values()
    assert ApiKey.objects.get(key="my-demo-key").user.role == "owner"


def test_answer_media_links_serve_playable_samples(api, seeded):
    answers = Answer.objects.filter(participant__organisation=seeded.parent)
    kinds = dict(answers.values_list("media_extension").annotate(n=Count("id")))
    assert {"mp4", "mp3", "pdf"} <= set(kinds)
    participant = answers.filter(media_extension="mp4").first().participant
    detail = api().get(f"/participants/{participant.key}/").json()
    link = next(a["remote_link"] for a in detail["answers"] if a["media_extension"] == "mp4")
    path = link.removeprefix("http://testserver")
    response = api().client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert len(response.content) < 100_000
    assert response.content[4:8] == b"ftyp"
    partial = api().client.get(path, headers={"range": "bytes=0-99"})
    assert partial.status_code == 206
    assert len(partial.content) == 100
    assert partial["Content-Range"].startswith("bytes 0-99/")


def test_audio_and_webm_samples_are_served(api):
    for extension, content_type, magic in (
        ("mp3", "audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3")),
        ("ogg", "audio/ogg", (b"OggS",)),
        ("webm", "video/webm", (b"\x1aE\xdf\xa3",)),
    ):
        response = api().client.get(f"/api/integrations/v2/media/answers/{'a' * 32}.{extension}")
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response.content.startswith(magic), extension
