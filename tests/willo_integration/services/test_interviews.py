"""The team home and the job selectors, read through the cache."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.sandbox.models import Interview
from willo_integration.services.errors import JobNotFound, WilloUnavailable
from willo_integration.services.interviews import (
    interview_get,
    interview_list,
    interview_refresh_progress,
    interview_refresh_start,
    last_visit_touch,
)
from willo_integration.services.scope import Scope

from .conftest import T0, cached_interview, cached_participant, reply, requires_sandbox


@requires_sandbox
def test_it_fills_a_cold_team_home_from_willo(sandbox):
    listing = interview_list(scope=sandbox.scope, per_page=100)

    titles = {row.title for row in listing.page}
    assert titles == set(
        Interview.objects.filter(organisation=sandbox.organisation).values_list("title", flat=True)
    )
    assert listing.freshness.notice == ""
    assert listing.freshness.as_of is not None


def test_it_counts_candidates_per_status_and_new_responses(scope, fake_willo):
    job = cached_interview(scope)
    for status in ["Invited", "Completed", "Completed", "Accepted"]:
        cached_participant(scope, job, status=status, responded_at=T0 + timedelta(days=1))
    cached_participant(scope, job, status="Rejected", responded_at=T0 - timedelta(days=1))

    row = interview_list(scope=scope, since=T0).page.object_list[0]

    counts = (row.count_total, row.count_invited, row.count_started, row.count_completed)
    assert counts == (5, 1, 0, 2)
    assert (row.count_accepted, row.count_rejected, row.new_responses) == (1, 1, 4)
    assert fake_willo.requests == []


def test_the_counts_cost_one_query_for_the_page_whatever_the_jobs_and_candidates(
    scope, other_team, fake_willo, django_assert_max_num_queries
):
    """Freshness, the page count, the page's jobs, their counts, the departments."""
    elsewhere = Scope(team=other_team)
    cached_participant(elsewhere, cached_interview(elsewhere, title="Job 00"), status="Invited")
    jobs = [cached_interview(scope, title=f"Job {n:02d}") for n in range(30)]
    for n, job in enumerate(jobs):
        for status in ["Invited", "Completed", "Accepted", "Withdrawn"][: n % 5]:
            cached_participant(scope, job, status=status, responded_at=T0 + timedelta(days=1))

    with django_assert_max_num_queries(5):
        listing = interview_list(scope=scope, per_page=25, since=T0)

    shown = listing.page.object_list
    assert [job.title for job in shown] == [f"Job {n:02d}" for n in range(25)]
    job_with_four = shown[4]
    assert (job_with_four.count_total, job_with_four.count_invited) == (4, 1)
    assert (job_with_four.count_completed, job_with_four.count_accepted) == (1, 1)
    assert job_with_four.new_responses == 4  # the Withdrawn one too: total counts every status
    assert (shown[0].count_total, shown[0].count_invited, shown[0].new_responses) == (0, 0, 0)
    last = interview_list(scope=scope, per_page=25, page=2, since=T0).page.object_list
    assert [(job.title, job.count_total) for job in last] == [
        (f"Job {n:02d}", n % 5) for n in range(25, 30)
    ]


def test_it_reports_no_new_responses_without_a_previous_visit(scope, fake_willo):
    cached_participant(scope, cached_interview(scope), responded_at=T0)

    assert interview_list(scope=scope).page.object_list[0].new_responses == 0


def test_it_searches_filters_and_orders_jobs(scope, fake_willo):
    cached_interview(scope, title="Barista", department_key="d1", department_name="Cafe")
    cached_interview(scope, title="Head Barista", department_key="d1", department_name="Cafe")
    cached_interview(scope, title="Baker", department_key="d2", department_name="Bakery")

    listing = interview_list(scope=scope, search="barista", department="d1", ordering="-title")

    assert [row.title for row in listing.page] == ["Head Barista", "Barista"]
    assert listing.departments == [("d2", "Bakery"), ("d1", "Cafe")]


def test_it_serves_stale_jobs_with_a_notice_when_willo_is_down(scope, fake_willo):
    cached_interview(scope, title="Barista", fetched_at=timezone.now() - timedelta(hours=2))
    fake_willo.on("GET", "interviews/", reply(500, {"detail": "boom"}))

    listing = interview_list(scope=scope)

    assert [row.title for row in listing.page] == ["Barista"]
    assert "Willo is not answering" in listing.freshness.notice


def test_it_never_lists_another_teams_jobs(scope, other_team, fake_willo):
    cached_interview(Scope(team=other_team), title="Not yours")
    mine = cached_interview(scope, title="Yours")

    assert [row.pk for row in interview_list(scope=scope).page] == [mine.pk]


def test_it_fetches_a_jobs_detail_when_missing(scope, fake_willo):
    fake_willo.on(
        "GET",
        "interviews/int1/",
        reply(
            200,
            {
                "key": "int1",
                "title": "Barista",
                "questions": [
                    {"key": "q2", "text": "Second", "order": 2},
                    {"key": "q1", "text": "First", "order": 1},
                ],
            },
        ),
    )

    row, freshness = interview_get(scope=scope, key="int1")

    assert [q.text for q in row.questions()] == ["First", "Second"]
    assert freshness.notice == ""


def test_it_serves_a_cached_job_with_a_notice_when_willo_is_down(scope, fake_willo, settings):
    settings.WILLO_CACHE_TTL_SECONDS = 0
    job = cached_interview(scope, key="int1", detail={"key": "int1"}, detail_fetched_at=T0)
    fake_willo.on("GET", "interviews/", reply(429, {"detail": "slow"}, **{"Retry-After": "5"}))

    row, freshness = interview_get(scope=scope, key="int1")

    assert row.pk == job.pk
    assert "rate limited" in freshness.notice


def test_it_says_willo_is_unavailable_for_an_uncached_job(scope, fake_willo):
    fake_willo.on("GET", "interviews/", reply(503, {"detail": "down"}))

    with pytest.raises(WilloUnavailable):
        interview_get(scope=scope, key="int1")


def test_it_answers_404_for_a_job_willo_does_not_know(scope, fake_willo):
    with pytest.raises(JobNotFound):
        interview_get(scope=scope, key="nope")


def test_it_remembers_the_previous_visit(scope, admin_user):
    assert last_visit_touch(user=admin_user, scope=scope) is None

    previous = last_visit_touch(user=admin_user, scope=scope)

    assert previous is not None
    assert previous <= timezone.now()


@requires_sandbox
def test_it_refreshes_a_jobs_candidates_in_the_background_and_reports_progress(
    threaded_sandbox,
):
    interview = Interview.objects.filter(organisation=threaded_sandbox.organisation).first()
    total = interview.participants.count()

    interview_refresh_start(scope=threaded_sandbox.scope, key=interview.key)

    progress = interview_refresh_progress(scope=threaded_sandbox.scope, key=interview.key)
    assert (progress.done, progress.total, progress.running) == (total, total, False)
    job = CachedInterview.objects.get(team=threaded_sandbox.team, key=interview.key)
    assert job.participants_fetched_at is not None
    assert CachedParticipant.objects.filter(interview=job).count() == total
