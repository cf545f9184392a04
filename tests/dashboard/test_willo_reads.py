"""Members' reads of Willo are counted in requests, not clicks: shared, one job refresh at
a time, and at most WILLO_MEMBER_REFRESHES_PER_MINUTE a member."""

from __future__ import annotations

import httpx
import pytest
from django.urls import reverse

from tests.dashboard.test_interviews_views import answers, job_url, seed_job
from tests.dashboard.test_participants_views import IDV, candidate_url
from tests.dashboard.willo_fake import CHILD


class CountingWillo:
    """Answers a job, its candidates, a candidate, an identity check and the children."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def calls(self, part: str) -> int:
        return sum(1 for r in self.requests if part in r.url.path)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path.endswith("/idv-info/"):
            return httpx.Response(200, json=IDV)
        if "/participants/p-ann/" in path:
            return httpx.Response(
                200, json={"key": "p-ann", "name": "Ann Archer", "answers": answers("p-ann")}
            )
        if path.endswith("/participants/"):
            return httpx.Response(200, json={"count": 0, "next": None, "results": []})
        if "/interviews/job-1/" in path:
            return httpx.Response(200, json={"key": "job-1", "title": "Barista"})
        if path.endswith("/interviews/"):
            return httpx.Response(200, json={"count": 0, "next": None, "results": []})
        if path.endswith("/children/"):
            return httpx.Response(200, json=[CHILD])
        return httpx.Response(404, json={"detail": "Not found."})


@pytest.fixture
def willo(willo_transport) -> CountingWillo:
    fake = CountingWillo()
    willo_transport(fake)
    return fake


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


def refetch(client, world):
    return client.get(
        candidate_url(world, "p-ann"),
        {"answer": "p-ann-a1", "refetch": "1"},
        HTTP_HX_REQUEST="true",
    )


def test_five_job_refreshes_by_a_viewer_start_one_willo_refresh(
    client, world, job, willo, django_capture_on_commit_callbacks
):
    client.force_login(world.victor)
    url = job_url(job, "dashboard:interview_refresh")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        responses = [client.post(url, HTTP_HX_REQUEST="true") for _ in range(5)]

    assert len(queued) == 1  # one task enqueued
    assert all(r.status_code == 200 for r in responses)
    assert all(b"Fetching candidates from Willo" in r.content for r in responses)
    assert willo.calls("/interviews/job-1/") == 0
    queued[0]()  # the worker runs it
    assert willo.calls("/interviews/job-1/") == 1

    with django_capture_on_commit_callbacks(execute=True) as again:
        client.post(url, HTTP_HX_REQUEST="true")  # done moments ago: nothing starts

    assert again == []
    assert willo.calls("/interviews/job-1/") == 1


def test_a_refresh_may_start_again_after_the_window(
    client, world, job, willo, settings, django_capture_on_commit_callbacks
):
    settings.WILLO_REFRESH_COALESCE_SECONDS = 0
    client.force_login(world.victor)
    url = job_url(job, "dashboard:interview_refresh")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, HTTP_HX_REQUEST="true")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, HTTP_HX_REQUEST="true")

    assert willo.calls("/interviews/job-1/") == 2


def test_a_candidate_refetched_within_the_window_is_read_from_willo_once(client, world, job, willo):
    client.force_login(world.rita)
    first = refetch(client, world)
    client.force_login(world.victor)  # another member too
    second = refetch(client, world)

    assert (first.status_code, second.status_code) == (200, 200)
    assert willo.calls("/participants/p-ann/") == 1


def test_the_identity_panel_opened_again_and_revealed_shares_one_read(client, world, job, willo):
    client.force_login(world.rita)
    panel = candidate_url(world, "p-ann", "dashboard:participant_identity")

    client.get(panel, HTTP_HX_REQUEST="true")
    client.get(panel, HTTP_HX_REQUEST="true")
    revealed = client.post(
        candidate_url(world, "p-ann", "dashboard:participant_identity_reveal"),
        HTTP_HX_REQUEST="true",
    )

    assert "Ann Mary Archer" in revealed.content.decode()
    assert willo.calls("/idv-info/") == 1


def test_the_identity_check_is_kept_in_the_cache_only_encrypted(client, world, job, willo):
    from django.core.cache import cache

    client.force_login(world.rita)
    client.get(
        candidate_url(world, "p-ann", "dashboard:participant_identity"), HTTP_HX_REQUEST="true"
    )
    key = f"willo:read:{world.team_a.pk}:::identity:p-ann"

    stored = cache.get(key)
    assert isinstance(stored, bytes)
    assert b"Ann Mary Archer" not in stored
    assert b"123456789" not in stored


def test_the_agency_refresh_within_the_window_reads_the_children_once(client, world, willo):
    world.team_a.is_parent = True
    world.team_a.save(update_fields=["is_parent"])
    client.force_login(world.alice)
    url = reverse("dashboard:agency_refresh", kwargs={"slug": world.team_a.slug})

    for _ in range(3):
        assert client.post(url).status_code == 302

    assert willo.calls("/children/") == 1


def test_the_21st_read_in_a_minute_answers_429_with_how_long_to_wait(
    client, world, job, willo, settings
):
    settings.WILLO_REFRESH_COALESCE_SECONDS = 0  # each click a real read
    client.force_login(world.victor)

    answers = [refetch(client, world) for _ in range(21)]

    assert [r.status_code for r in answers[:20]] == [200] * 20
    over = answers[20]
    assert over.status_code == 429
    assert int(over["Retry-After"]) > 0
    content = over.content.decode()
    assert 'id="read-limit"' in content
    assert "20 times in the last minute" in content
    assert "Try again in" in content
    assert over["HX-Retarget"] == "#read-limit"
    assert willo.calls("/participants/p-ann/") == 20  # the 21st never reached Willo


def test_over_the_limit_the_pages_still_work_and_other_members_may_read(
    client, world, job, willo, settings
):
    settings.WILLO_MEMBER_REFRESHES_PER_MINUTE = 1
    settings.WILLO_REFRESH_COALESCE_SECONDS = 0
    client.force_login(world.victor)
    refetch(client, world)

    over_identity = client.get(
        candidate_url(world, "p-ann", "dashboard:participant_identity"), HTTP_HX_REQUEST="true"
    )
    over_page = client.post(job_url(job, "dashboard:interview_refresh"))
    page = client.get(candidate_url(world, "p-ann"))
    client.force_login(world.rita)
    other = refetch(client, world)

    assert over_identity.status_code == 429
    assert b"Try again" in over_identity.content  # inside the panel
    assert over_page.status_code == 429
    assert b"Too many reads of Willo" in over_page.content  # a page, not a fragment
    assert page.status_code == 200
    assert other.status_code == 200


def test_shared_reads_do_not_count_against_the_member(client, world, job, willo, settings):
    settings.WILLO_MEMBER_REFRESHES_PER_MINUTE = 1
    client.force_login(world.victor)

    statuses = [refetch(client, world).status_code for _ in range(5)]

    assert statuses == [200] * 5
    assert willo.calls("/participants/p-ann/") == 1
