"""The candidate page: contact, answers by type, transcripts, identity panel, neighbours."""

from __future__ import annotations

import httpx
import pytest
from django.urls import reverse

from dashboard.models import IdentityReveal
from tests.dashboard.test_interviews_views import seed_job


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


def candidate_url(world, key, name="dashboard:participant_detail"):
    return reverse(name, kwargs={"slug": world.team_a.slug, "participant_key": key})


def test_it_shows_contact_details_scores_and_summary(client, world, job):
    client.force_login(world.rita)

    response = client.get(candidate_url(world, "p-ann"))

    content = response.content.decode()
    for text in (
        "Ann Archer",
        "p-ann@example.com",
        "+447700900123",
        "Leeds, United Kingdom",
        "C-p-ann",
        "8.5",
        "average from 2 scores",
        "Ann Archer is a strong communicator.",
        "1 May 2030",
    ):
        assert text in content, text
    assert 'href="https://app.willo.example/showcase/p-ann" target="_blank" rel="noopener' in (
        content
    )
    assert "overview/p-ann" in content


def test_it_shows_every_answer_by_its_type(client, world, job):
    client.force_login(world.rita)

    content = client.get(candidate_url(world, "p-ann")).content.decode()

    assert (
        '<video class="player" controls preload="metadata" src="https://media.example/p-ann.mp4"'
        in content
    )
    assert "took 1 min 15 s" in content
    assert "up to 3 retakes allowed" in content
    assert "I love building teams." in content
    assert "language en" in content
    assert "confidence 93%" in content
    assert "Because it is great." in content
    assert 'download="answer-4.pdf"' in content
    assert "Willo is still processing this answer" in content
    assert "The media of this answer was deleted in Willo." in content
    assert "Right to work check" in content
    assert "W7K-2XP-9QD" in content


def test_it_marks_chosen_and_correct_options(client, world, job):
    client.force_login(world.rita)

    response = client.get(candidate_url(world, "p-ann"))

    choice = next(a for a in response.context["answers"] if a.kind == "multiple_choice")
    assert [(o.text, o.chosen, o.correct) for o in choice.options] == [
        ("Red", False, True),
        ("Blue", True, False),
    ]
    assert b"Incorrect" in response.content
    assert b"Correct answer" in response.content


def test_it_links_previous_and_next_within_the_filter(client, world, job):
    client.force_login(world.rita)

    response = client.get(
        candidate_url(world, "p-ann"), {"status": "Completed", "ordering": "name"}
    )

    assert response.context["previous_url"] == ""
    assert response.context["next_url"].endswith("candidates/p-ben/?status=Completed&ordering=name")
    assert b'data-shortcut="next"' in response.content


def test_it_loads_the_identity_panel_lazily(client, world, job):
    client.force_login(world.rita)

    response = client.get(candidate_url(world, "p-ann"))

    identity = candidate_url(world, "p-ann", "dashboard:participant_identity")
    assert f'hx-get="{identity}" hx-trigger="load"' in response.content.decode()


IDV = {
    "check_type": "dbs_rtw",
    "status": "completed",
    "share_code": "W7K2XP9QD",
    "session_data": {
        "biometric_consent": "2030-04-01T10:15:00Z",
        "resources": {
            "id_documents": [{"document_type": "PASSPORT", "issuing_country": "GBR"}],
            "liveness_capture": [{"liveness_type": "STATIC"}],
        },
        "checks": [
            {
                "type": "ID_DOCUMENT_AUTHENTICITY",
                "report": {
                    "recommendation": {"value": "REJECT"},
                    "breakdown": [
                        {"sub_check": "document_in_date", "result": "FAIL"},
                        {"sub_check": "hologram", "result": "PASS"},
                    ],
                },
            },
            {"type": "LIVENESS", "report": {"recommendation": {"value": "APPROVE"}}},
        ],
        "identity_profile": {"result": "DONE"},
    },
    "document_text_extraction": {
        "full_name": "Ann Mary Archer",
        "date_of_birth": "1990-02-03",
        "document_number": "123456789",
    },
}


def idv_willo(request: httpx.Request) -> httpx.Response:
    assert request.url.path.endswith("/participants/p-ann/idv-info/")
    return httpx.Response(200, json=IDV)


def test_the_identity_panel_shows_the_check_with_personal_data_masked(
    client,
    world,
    job,
    willo_transport,
):
    willo_transport(idv_willo)
    client.force_login(world.rita)

    response = client.get(
        candidate_url(world, "p-ann", "dashboard:participant_identity"), HTTP_HX_REQUEST="true"
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<section id="identity"')
    for text in (
        "DBS with right to work",
        "Completed",
        "W7K2XP9QD",
        "Passport",
        "GBR",
        "Static",
        "Reject",
        "Document in date",
        "Approve",
        "1 Apr 2030",
        "Done",
        "Reveal document data",
    ):
        assert text in content, text
    assert "Hologram" not in content
    assert "Ann Mary Archer" not in content
    assert "123456789" not in content


def test_revealing_shows_the_data_and_is_audited(client, world, job, willo_transport):
    willo_transport(idv_willo)
    client.force_login(world.rita)

    response = client.post(
        candidate_url(world, "p-ann", "dashboard:participant_identity_reveal"),
        HTTP_HX_REQUEST="true",
    )

    assert "Ann Mary Archer" in response.content.decode()
    assert "123456789" in response.content.decode()
    reveal = IdentityReveal.objects.get()
    assert (reveal.participant_key, reveal.actor_username) == ("p-ann", "rita")


def test_a_viewer_may_not_reveal(client, world, job, willo_transport):
    willo_transport(idv_willo)
    client.force_login(world.victor)

    panel = client.get(
        candidate_url(world, "p-ann", "dashboard:participant_identity"), HTTP_HX_REQUEST="true"
    )
    reveal = client.post(candidate_url(world, "p-ann", "dashboard:participant_identity_reveal"))

    assert b"Reveal document data" not in panel.content
    assert reveal.status_code == 403
    assert not IdentityReveal.objects.exists()


def test_the_identity_panel_says_when_willo_is_down(client, world, job, willo_transport):
    willo_transport(lambda request: httpx.Response(503, json={"detail": "down"}))
    client.force_login(world.rita)

    response = client.get(
        candidate_url(world, "p-ann", "dashboard:participant_identity"), HTTP_HX_REQUEST="true"
    )

    assert b"Willo is not answering" in response.content
    assert b"Try again" in response.content


def test_a_failed_media_link_is_fetched_again_from_willo(client, world, job, willo_transport):
    fresh = {
        "key": "p-ann",
        "name": "Ann Archer",
        "status": "Completed",
        "answers": [
            {
                "key": "p-ann-a1",
                "status": "processed",
                "remote_link": "https://media.example/new.mp4",
                "media_extension": "mp4",
                "question": {
                    "key": "q-video",
                    "answer_type": "video",
                    "text": "Tell us about yourself",
                },
            }
        ],
    }
    willo_transport(lambda request: httpx.Response(200, json=fresh))
    client.force_login(world.rita)

    response = client.get(
        candidate_url(world, "p-ann"),
        {"answer": "p-ann-a1", "refetch": "1"},
        HTTP_HX_REQUEST="true",
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<article class="card answer answer--video"')
    assert 'src="https://media.example/new.mp4"' in content
    assert "data-refetch-url" not in content  # only once
