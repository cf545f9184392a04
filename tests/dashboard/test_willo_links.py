"""URLs from Willo become links or media sources only when they are http(s)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.links import is_web_url
from tests.dashboard.test_interviews_views import QUESTIONS, make_job
from willo_integration import schemas
from willo_integration.models import CachedInterview, Source
from willo_integration.services.cache_writer import participant_store
from willo_integration.services.scope import Scope

HOSTILE = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    " JaVaScRiPt:alert(1)",
]
SCHEMES = re.compile(r'(?:href|src)="\s*(?:javascript|data|vbscript):', re.IGNORECASE)


def status_change(key: str, link: str) -> dict:
    """A status_change-style participant payload with ``link`` in every URL field."""
    q = {item["key"]: item for item in QUESTIONS}
    return {
        "key": key,
        "name": "Hostile Links",
        "email": f"{key}@example.com",
        "status": "Completed",
        "updated_at": timezone.now().isoformat(),
        "showcase_link": link,
        "candidate_overview_link": link,
        "invite_link": link,
        "avatar_remote_link": link,
        "answers": [
            {
                "key": f"{key}-a1",
                "question": q["q-video"],
                "status": "processed",
                "remote_link": link,
                "media_extension": "mp4",
            },
            {
                "key": f"{key}-a4",
                "question": q["q-file"],
                "status": "processed",
                "remote_link": link,
                "media_extension": "pdf",
            },
            {
                "key": f"{key}-a5",
                "question": q["q-audio"],
                "status": "processed",
                "remote_link": link,
                "media_extension": "mp3",
            },
        ],
    }


def _pages(client, world, link: str) -> list[str]:
    job = make_job(world.team_a)
    CachedInterview.objects.filter(pk=job.pk).update(invite_link=link)
    participant_store(
        scope=Scope(team=world.team_a),
        payload=schemas.Participant.model_validate(status_change("p-bad", link)),
        source=Source.WEBHOOK,
        interview=job,
    )
    client.force_login(world.rita)
    slug = world.team_a.slug
    candidate = reverse(
        "dashboard:participant_detail", kwargs={"slug": slug, "participant_key": "p-bad"}
    )
    job_page = reverse(
        "dashboard:interview_detail", kwargs={"slug": slug, "interview_key": job.key}
    )
    pages = [
        client.get(candidate),
        client.get(job_page),
        client.get(job_page, HTTP_HX_REQUEST="true"),  # the table alone
        client.get(candidate, {"answer": "p-bad-a1"}, HTTP_HX_REQUEST="true"),
    ]
    assert [page.status_code for page in pages] == [200] * len(pages)
    return [page.content.decode() for page in pages]


@pytest.mark.parametrize("link", HOSTILE)
def test_it_never_links_or_plays_a_url_that_is_not_http(client, world, link):
    contents = _pages(client, world, link)

    for content in contents:
        assert not SCHEMES.search(content), SCHEMES.search(content)
    assert "media link that is not a web address" in contents[0]
    assert "file link that is not a web address" in contents[0]
    assert "not a web address" in contents[3]  # the answer alone


def test_it_shows_a_bad_invite_link_as_text(client, world):
    contents = _pages(client, world, "javascript:alert(1)")

    assert "<code>javascript:alert(1)</code>" in contents[1]


def test_it_still_links_and_plays_http_and_https_urls(client, world):
    contents = _pages(client, world, "https://media.example/p-bad")
    candidate, job_page = contents[0], contents[1]

    assert 'href="https://media.example/p-bad" target="_blank"' in candidate  # showcase, overview
    assert (
        '<video class="player" controls preload="metadata" src="https://media.example/p-bad"'
        in candidate
    )
    assert 'src="https://media.example/p-bad"' in candidate  # audio too
    assert 'href="https://media.example/p-bad" download=' in candidate  # the file
    assert 'href="https://media.example/p-bad" target="_blank"' in job_page  # invite link


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://app.willo.video/x", True),
        ("http://127.0.0.1:8000/media/a.mp4", True),
        ("HTTPS://APP.WILLO.VIDEO/x", True),
        ("https://", False),
        ("https:///path", False),
        ("//app.willo.video/x", False),
        ("/media/a.mp4", False),
        ("java\tscript:alert(1)", False),
        ("https://app.willo.video/x\n", False),
        ("http://[::1", False),
        ("ftp://files.example/a", False),
        ("", False),
        (None, False),
    ]
    + [(link, False) for link in HOSTILE],
)
def test_it_tells_web_urls_from_the_rest(value, expected):
    assert is_web_url(value) is expected
