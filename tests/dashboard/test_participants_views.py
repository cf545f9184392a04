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


# --- Willo's comments and scores -------------------------------------------------------------


def willo_comment(team, participant_key, key, *, scope="", minutes=0, **fields):
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    from willo_integration.models import WilloComment

    values = {
        "text": "Very good understanding of sales processes",
        "author_name": "Steve Doe",
        "author_email": "steve@doe.com",
        "created_at": datetime(2025, 1, 13, 10, 13, tzinfo=UTC) + timedelta(minutes=minutes),
        "received_at": timezone.now(),
    }
    values.update(fields)
    return WilloComment.objects.create(
        team=team, scope=scope, participant_key=participant_key, key=key, **values
    )


def willo_score(team, participant_key, key, *, scope="", minutes=0, **fields):
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from django.utils import timezone

    from willo_integration.models import WilloScore

    values = {
        "general_score": Decimal("5.00"),
        "scored_by_name": "Steve Doe",
        "scored_at": datetime(2025, 1, 14, 9, 30, tzinfo=UTC) + timedelta(minutes=minutes),
        "criteria": [
            {
                "text": "Communication skills",
                "description": "How effectively candidate can communicate",
                "order": 1,
                "is_optional": False,
                "score": "5.00",
            },
            {
                "text": "Punctuality",
                "description": "",
                "order": 2,
                "is_optional": True,
                "score": None,
            },
        ],
        "received_at": timezone.now(),
    }
    values.update(fields)
    return WilloScore.objects.create(
        team=team, scope=scope, participant_key=participant_key, key=key, **values
    )


def willo_section(content: str) -> str:
    start = content.index('<section id="willo-feedback"')
    return content[start : content.index("</section>", start)]


def test_it_shows_willos_comments_and_scores_as_willo_sent_them(client, world, job):
    willo_comment(world.team_a, "p-ann", "c1")
    willo_comment(world.team_a, "p-ann", "c2", minutes=5, text="Second <b>look</b>", author_name="")
    willo_score(world.team_a, "p-ann", "s1")
    client.force_login(world.victor)  # a viewer sees them too

    section = willo_section(client.get(candidate_url(world, "p-ann")).content.decode())

    assert "In Willo: comments and scores" in section
    assert (
        "Only comments and scores made since this team's webhooks were registered can be shown"
    ) in section
    assert "Willo's API has no way to list them" in section
    comments = section[section.index("willo-comments") : section.index("willo-scores")]
    assert comments.index("Second &lt;b&gt;look&lt;/b&gt;") < comments.index(
        "Very good"
    )  # newest first
    assert "steve@doe.com" in comments  # no name: the author's email
    assert "Steve Doe" in comments
    assert '<time datetime="2025-01-13T10:13:00+00:00">13 Jan 2025 10:13</time>' in comments
    assert '<strong class="willo-score__value">5.00</strong>' in section
    assert "14 Jan 2025 09:30" in section
    assert "Communication skills" in section
    assert "How effectively candidate can communicate" in section
    assert "<dd>5.00</dd>" in section
    assert 'Punctuality <span class="meta">(optional)</span>' in section
    assert "<dd>not given</dd>" in section
    assert "Willo states no scale for these scores" in section
    assert "/ 5" not in section  # no scale invented
    assert "out of" not in section


def test_without_comments_or_scores_it_says_so(client, world, job):
    client.force_login(world.rita)

    section = willo_section(client.get(candidate_url(world, "p-ann")).content.decode())

    assert "No comments or scores from Willo for this candidate." in section
    assert "webhooks were registered" in section
    assert "willo-comment" not in section.replace("willo-comments", "")


def test_it_shows_only_this_candidates_in_this_scope(client, world, job):
    from tests.dashboard.test_interviews_views import seed_job as seed

    seed(world.team_b)  # team B has a candidate with the same key
    willo_comment(world.team_b, "p-ann", "theirs", text="Bravo's own comment")
    willo_comment(world.team_a, "p-ann", "client", scope="c" * 32, text="A client's comment")
    willo_comment(world.team_a, "p-ben", "ben", text="About Ben")
    willo_score(world.team_b, "p-ann", "their-score", general_score="2.00")
    client.force_login(world.multi)  # a member of both teams

    content = client.get(candidate_url(world, "p-ann")).content.decode()

    section = willo_section(content)
    for text in ("Bravo", "client", "About Ben", "2.00"):
        assert text not in section, text
    assert "No comments or scores from Willo for this candidate." in section


def test_the_section_costs_the_same_queries_however_many_there_are(client, world, job):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.rita)
    url = candidate_url(world, "p-ann")
    willo_comment(world.team_a, "p-ann", "c0")
    willo_score(world.team_a, "p-ann", "s0")
    client.get(url)  # warm: the session, the membership's first reads
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 6):
        willo_comment(world.team_a, "p-ann", f"c{n}", minutes=n)
        willo_score(world.team_a, "p-ann", f"s{n}", minutes=n)
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)

    assert response.content.decode().count('class="willo-comment"') == 6
    assert len(six) == len(one)
    feedback = [q["sql"] for q in six if "willo_integration_willo" in q["sql"]]
    assert len(feedback) == 2  # one for the comments, one for the scores


def test_the_live_refresh_brings_new_comments(client, world, job):
    client.force_login(world.rita)
    willo_comment(world.team_a, "p-ann", "c1", text="Arrived since the page opened")

    live = client.get(
        candidate_url(world, "p-ann"), {"part": "live"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert '<section id="willo-feedback" class="card willo-feedback"' in live
    assert 'hx-swap-oob="true"' in live[live.index('id="willo-feedback"') :].split(">", 1)[0]
    assert "Arrived since the page opened" in live
