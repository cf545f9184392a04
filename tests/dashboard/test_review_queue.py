"""The review queue: what waits for me, in which order, and one candidate in review mode."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.models import Decision, Review
from tests.dashboard.test_interviews_views import make_candidate, make_job, seed_job
from willo_integration.models import CachedInterview
from willo_integration.services.decisions import participant_decide
from willo_integration.services.review_queue import QueueFilter, queue_place, review_queue
from willo_integration.services.reviews import recommendation_give
from willo_integration.services.scope import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(world):
    return seed_job(world.team_a)  # p-ben responded 20 days ago, p-ann 1 day ago


def queue_url(**query):
    url = reverse("dashboard:review_queue", kwargs={"slug": "acme-hiring"})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def review_url(key, query=""):
    url = reverse(
        "dashboard:review_candidate", kwargs={"slug": "acme-hiring", "participant_key": key}
    )
    return f"{url}?{query}" if query else url


def listed(response):
    return [p.key for p in response.context["queue"].listed]


def test_the_queue_holds_responded_candidates_oldest_response_first(client, world, job):
    client.force_login(world.rita)

    response = client.get(queue_url())

    assert response.status_code == 200
    assert listed(response) == ["p-ben", "p-ann"]  # not p-cat (Invited), not p-dan (Accepted)
    assert response.context["queue"].left == 2
    assert "2</span> left" in response.content.decode()
    assert listed(client.get(queue_url(order="newest"))) == ["p-ann", "p-ben"]


def test_my_recommendation_or_a_decision_takes_a_candidate_out_and_undo_puts_them_back(
    client, world, job
):
    scope = Scope(team=world.team_a)
    client.force_login(world.rita)
    recommendation_give(
        scope=scope, participant_key="p-ben", reviewer=world.rita, recommendation="yes"
    )
    assert listed(client.get(queue_url())) == ["p-ann"]
    # A colleague's recommendation leaves the candidate in my queue.
    recommendation_give(scope=scope, participant_key="p-ann", reviewer=world.alice,
                        recommendation="no")  # fmt: skip
    assert listed(client.get(queue_url())) == ["p-ann"]

    decision = participant_decide(
        scope=scope,
        participant_key="p-ann",
        status="Rejected",
        actor=world.rita,
        ip_address=None,
    )
    queue = client.get(queue_url()).context["queue"]
    assert (queue.listed, queue.done_today) == ([], 2)
    assert "Nothing waits for you" in client.get(queue_url()).content.decode()

    Decision.objects.filter(pk=decision.pk).update(state=Decision.State.UNDONE)
    assert listed(client.get(queue_url())) == ["p-ann"]


def test_a_recommendation_without_a_recommendation_keeps_the_candidate_waiting(client, world, job):
    Review.objects.create(
        team=world.team_a, participant_key="p-ben", reviewer=world.rita,
        reviewer_username="rita", note="Listen again",
    )  # fmt: skip
    client.force_login(world.rita)

    assert listed(client.get(queue_url())) == ["p-ben", "p-ann"]


def test_the_queue_of_one_job_and_its_jobs_list(client, world, job):
    other = make_job(world.team_a, key="job-2", title="Chef")
    make_candidate(other, "p-eve", "Eve Evans", responded_days=30)
    client.force_login(world.rita)

    everything = client.get(queue_url())
    one_job = client.get(queue_url(job="job-1"))

    assert listed(everything) == ["p-eve", "p-ben", "p-ann"]
    assert listed(one_job) == ["p-ben", "p-ann"]
    jobs = {j.key: j.waiting for j in everything.context["queue"].jobs}
    assert jobs == {"job-1": 2, "job-2": 1}


def test_the_queue_never_shows_another_teams_candidates(client, world, job):
    seed_job(world.team_b)
    client.force_login(world.bob)

    response = client.get(reverse("dashboard:review_queue", kwargs={"slug": world.team_b.slug}))

    assert {p.team_id for p in response.context["queue"].listed} == {world.team_b.pk}
    assert client.get(queue_url()).status_code == 404  # bob is not in Acme Hiring
    assert client.get(review_url("p-ann")).status_code == 404


def test_start_opens_the_first_waiting_and_an_empty_queue_comes_back(client, world, job):
    client.force_login(world.rita)

    started = client.get(queue_url(start=1, job="job-1"))
    assert started.status_code == 302
    assert started["Location"] == review_url("p-ben", "job=job-1")

    for key in ("p-ben", "p-ann"):
        recommendation_give(scope=Scope(team=world.team_a), participant_key=key,
                            reviewer=world.rita, recommendation="yes")  # fmt: skip
    assert client.get(queue_url(start=1))["Location"] == queue_url()


def test_review_mode_shows_answers_and_the_queues_neighbours(client, world, job):
    make_candidate(job, "p-eve", "Eve Evans", responded_days=10)
    client.force_login(world.rita)

    response = client.get(review_url("p-eve"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-next-url="' + review_url("p-ann") + '"' in content
    assert 'data-previous-url="' + review_url("p-ben") + '"' in content
    assert "<strong>2</strong> left after this one" in content
    assert 'data-question="1"' in content
    assert 'id="answer-p-eve-a1"' in content
    assert 'data-recommend="Y"' in content
    assert 'data-decision="Accepted"' in content
    assert "0.75×" in content
    assert "2×" in content


def test_a_reviewed_candidate_keeps_its_place_and_the_end_wraps_to_those_skipped(
    client, world, job
):
    scope = Scope(team=world.team_a)
    make_candidate(job, "p-eve", "Eve Evans", responded_days=10)
    recommendation_give(scope=scope, participant_key="p-eve", reviewer=world.rita,
                        recommendation="yes")  # fmt: skip
    eve = job.participants.get(key="p-eve")
    ann = job.participants.get(key="p-ann")

    place = queue_place(scope=scope, viewer=world.rita, queue=QueueFilter(), participant=eve)
    assert (place.previous_key, place.next_key, place.left) == ("p-ben", "p-ann", 2)
    # At the end (p-ann responded last), next goes back to the first still waiting.
    place = queue_place(scope=scope, viewer=world.rita, queue=QueueFilter(), participant=ann)
    assert (place.previous_key, place.next_key) == ("p-ben", "p-ben")


def test_a_viewer_sees_the_queue_but_no_buttons(client, world, job):
    client.force_login(world.victor)

    response = client.get(review_url("p-ben"))

    assert response.status_code == 200
    assert 'data-recommend="y"' not in response.content.decode()
    assert 'data-decision="Accepted"' not in response.content.decode()


# --- the recommendation bar ----------------------------------------------------------------


def recommend_url(key="p-ben"):
    return reverse(
        "dashboard:participant_recommend", kwargs={"slug": "acme-hiring", "participant_key": key}
    )


def test_a_recommendation_keeps_my_note_and_ratings_and_says_to_go_on(client, world, job):
    scope = Scope(team=world.team_a)
    review = Review.objects.create(
        team=world.team_a, participant_key="p-ben", reviewer=world.rita,
        reviewer_username="rita", note="Warm and clear",
    )  # fmt: skip
    review.ratings.create(answer_key="p-ben-a1", rating=4)
    client.force_login(world.rita)

    response = client.post(
        recommend_url(), {"recommendation": "strong_yes"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "review-recommended" in response["HX-Trigger"]
    assert 'data-recommend="Y" aria-pressed="true"' in response.content.decode()
    review.refresh_from_db()
    assert (review.recommendation, review.note) == ("strong_yes", "Warm and clear")
    assert dict(review.ratings.values_list("answer_key", "rating")) == {"p-ben-a1": 4}
    assert review.revisions.first().ratings == {"p-ben-a1": 4}
    assert review_queue(scope=scope, viewer=world.rita, queue=QueueFilter()).left == 1


@pytest.mark.parametrize("value", ["", "maybe", "yes\x00"])
def test_a_recommendation_not_offered_is_refused_and_nothing_is_stored(client, world, job, value):
    client.force_login(world.rita)

    response = client.post(recommend_url(), {"recommendation": value}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert "Choose one of" in response.content.decode()
    assert "HX-Trigger" not in response
    assert not Review.objects.exists()


def test_without_javascript_a_recommendation_goes_on_to_the_next_page_of_this_site(
    client, world, job
):
    client.force_login(world.rita)
    onward = review_url("p-ann")

    kept = client.post(recommend_url(), {"recommendation": "yes", "next": onward})
    elsewhere = client.post(
        recommend_url(), {"recommendation": "no", "next": "https://evil.example/"}
    )

    assert kept["Location"] == onward
    assert elsewhere["Location"] == reverse(
        "dashboard:participant_detail", kwargs={"slug": "acme-hiring", "participant_key": "p-ben"}
    )


def test_viewers_may_not_recommend(client, world, job):
    client.force_login(world.victor)

    assert client.post(recommend_url(), {"recommendation": "yes"}).status_code == 403
    assert not Review.objects.exists()


def test_a_decision_from_the_bar_without_javascript_goes_on_to_the_next(client, world, job):
    client.force_login(world.rita)
    url = reverse("dashboard:participant_decide",
                  kwargs={"slug": "acme-hiring", "participant_key": "p-ben"})  # fmt: skip

    response = client.post(
        url, {"status": "Accepted", "view": "notice", "next": review_url("p-ann")}
    )

    assert response["Location"] == review_url("p-ann")
    assert Decision.objects.get().participant_key == "p-ben"


def test_a_job_page_leads_to_its_queue_and_the_queue_names_jobs_never_fetched(client, world, job):
    chef = make_job(world.team_a, key="job-2", title="Chef")
    CachedInterview.objects.filter(pk=chef.pk).update(participants_fetched_at=None)
    client.force_login(world.rita)

    job_url = reverse(
        "dashboard:interview_detail", kwargs={"slug": "acme-hiring", "interview_key": "job-1"}
    )
    page = client.get(job_url)
    queue = client.get(queue_url()).content.decode()

    assert f'href="{queue_url(job="job-1")}"' in page.content.decode()
    assert "The candidates of 1 job have not been fetched from Willo yet" in queue
    assert "Chef" in queue
