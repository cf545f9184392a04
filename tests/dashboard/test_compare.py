"""Compare candidates side by side: every answer type per question, ratings as independent
review allows, reviewing and deciding from there, and clear messages for bad choices."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.models import AnswerRating, Decision, Review
from tests.dashboard.test_interviews_views import job_url, make_candidate, make_job, seed_job
from willo_integration.models import CachedParticipant
from willo_integration.services.reviews import recommendation_give, review_save
from willo_integration.services.scope import Scope

pytestmark = pytest.mark.django_db

CHECKBOXES = {
    "key": "q-boxes",
    "text": "Which do you brew?",
    "order": 8,
    "answer_type": "checkboxes",
    "type_specific_data": {
        "answer_options": [
            {"key": "o-v60", "text": "V60", "order": 1, "is_correct": True},
            {"key": "o-press", "text": "French press", "order": 2, "is_correct": True},
            {"key": "o-pod", "text": "Pods", "order": 3, "is_correct": False},
        ]
    },
}


@pytest.fixture
def job(world):
    job = seed_job(world.team_a)
    job.detail["questions"].append(CHECKBOXES)
    job.save()
    ann = CachedParticipant.objects.get(key="p-ann")
    ann.detail["answers"].append(
        {
            "key": "p-ann-a8",
            "question": CHECKBOXES,
            "type_specific_data": {
                "selected_answer_options": [{"option": "o-v60"}, {"option": "o-pod"}]
            },
        }
    )
    ann.save()
    return job


def compare_url(job, *keys):
    url = reverse(
        "dashboard:interview_compare", kwargs={"slug": job.team.slug, "interview_key": job.key}
    )
    return url + "?" + "&".join(f"c={key}" for key in keys)


def candidate_url(key, name):
    return reverse(name, kwargs={"slug": "acme-hiring", "participant_key": key})


def test_it_puts_each_question_in_a_row_with_every_candidates_answer(client, world, job):
    client.force_login(world.rita)

    response = client.get(compare_url(job, "p-ann", "p-ben", "p-dan"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.question_text for r in rows][:2] == ["Tell us about yourself", "Why this job?"]
    assert [len(r.cells) for r in rows] == [3] * 8
    kinds = {cell.item.kind for row in rows for cell in row.cells if cell.item}
    assert kinds == {"video", "audio", "text", "file", "multiple_choice", "checkboxes",
                     "identity"}  # fmt: skip
    boxes = rows[-1]
    assert boxes.question_text == "Which do you brew?"
    assert [c.item is not None for c in boxes.cells] == [True, False, False]
    page = response.content.decode()
    assert "<title>Compare 3 candidates · Barista · Acme Hiring" in page
    assert page.count('<video class="player"') == 3  # one each; their second one was deleted
    assert page.count("The media of this answer was deleted in Willo.") == 3
    assert "I love building teams." in page  # the transcript beside the player
    assert "Correct answer" in page
    assert "Incorrect" in page
    assert page.count("No answer.") == 2
    assert 'data-speed="1.5"' in page


def test_my_ratings_show_and_the_teams_only_once_i_have_recommended(client, world, job):
    scope = Scope(team=world.team_a)
    review_save(scope=scope, participant_key="p-ann", reviewer=world.alice, recommendation="yes",
                note="", ratings={"p-ann-a2": 4}, answer_keys=["p-ann-a2"])  # fmt: skip
    review_save(scope=scope, participant_key="p-ann", reviewer=world.rita, recommendation="",
                note="", ratings={"p-ann-a2": 2}, answer_keys=["p-ann-a2"])  # fmt: skip
    client.force_login(world.rita)

    def text_cell(response):
        return response.context["rows"][1].cells[0]

    hidden = text_cell(client.get(compare_url(job, "p-ann", "p-ben")))
    assert (hidden.my_rating, hidden.team_ratings) == (2, None)

    recommendation_give(scope=scope, participant_key="p-ann", reviewer=world.rita,
                        recommendation="no")  # fmt: skip
    shown = text_cell(client.get(compare_url(job, "p-ann", "p-ben")))
    assert [(t.reviewer, t.rating) for t in shown.team_ratings] == [("alice", 4)]

    world.team_a.independent_review = False
    world.team_a.save()
    Review.objects.filter(reviewer=world.rita).update(recommendation="")
    assert text_cell(client.get(compare_url(job, "p-ann", "p-ben"))).team_ratings


def test_rating_an_answer_from_compare_keeps_the_rest_of_my_review(client, world, job):
    scope = Scope(team=world.team_a)
    review_save(scope=scope, participant_key="p-ann", reviewer=world.rita, recommendation="yes",
                note="Keep this", ratings={"p-ann-a1": 5},
                answer_keys=["p-ann-a1", "p-ann-a2"])  # fmt: skip
    client.force_login(world.rita)
    back = compare_url(job, "p-ann", "p-ben")

    response = client.post(candidate_url("p-ann", "dashboard:participant_rate"),
                           {"answer": "p-ann-a2", "rating": "3", "next": back})  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == back
    review = Review.objects.get(reviewer=world.rita)
    assert (review.recommendation, review.note) == ("yes", "Keep this")
    assert dict(review.ratings.values_list("answer_key", "rating")) == {
        "p-ann-a1": 5,
        "p-ann-a2": 3,
    }
    assert review.revisions.count() == 2

    client.post(candidate_url("p-ann", "dashboard:participant_rate"),
                {"answer": "p-ann-a2", "rating": ""})  # fmt: skip
    assert list(review.ratings.values_list("answer_key", flat=True)) == ["p-ann-a1"]


@pytest.mark.parametrize(
    ("answer", "rating", "message"),
    [
        ("p-ann-a2", "9", "Rate from 1 to 5."),
        ("p-ann-a2", "three", "Rate from 1 to 5."),
        ("p-ben-a2", "3", "This candidate has no such answer to rate."),
    ],
)
def test_a_rating_that_cannot_be_kept_is_refused_and_nothing_is_stored(
    client, world, job, answer, rating, message
):
    client.force_login(world.rita)

    response = client.post(
        candidate_url("p-ann", "dashboard:participant_rate"),
        {"answer": answer, "rating": rating},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 400
    assert response.content.decode() == message
    assert not AnswerRating.objects.exists()


def test_recommend_and_decide_from_compare_and_come_back_to_it(client, world, job):
    client.force_login(world.rita)
    back = compare_url(job, "p-ann", "p-ben") + "#candidate-p-ann"

    recommended = client.post(candidate_url("p-ann", "dashboard:participant_recommend"),
                              {"recommendation": "strong_yes", "next": back})  # fmt: skip
    decided = client.post(candidate_url("p-ben", "dashboard:participant_decide"),
                          {"status": "Rejected", "next": back})  # fmt: skip

    assert (recommended["Location"], decided["Location"]) == (back, back)
    assert Review.objects.get(reviewer=world.rita).recommendation == "strong_yes"
    assert Decision.objects.get().participant_key == "p-ben"
    page = client.get(compare_url(job, "p-ann", "p-ben")).content.decode()
    chosen = 'value="strong_yes" class="button button--small choice-pill--strong_yes"'
    assert f'{chosen} aria-pressed="true"' in page
    assert 'Undo<span class="visually-hidden"> the decision on Ben Baker' in page


def test_a_viewer_compares_but_neither_reviews_nor_decides(client, world, job):
    client.force_login(world.victor)

    response = client.get(compare_url(job, "p-ann", "p-ben"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your recommendation" not in page
    assert "/decision/" not in page
    assert "Your rating" not in page


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (["p-ann"], "Choose 2 to 6 candidates of this job to compare them"),
        ([], "Choose 2 to 6 candidates of this job to compare them"),
        ([f"p-{n}" for n in range(7)], "Compare at most 6 candidates at once: you chose 7."),
    ],
)
def test_too_few_or_too_many_is_a_clear_400(client, world, job, keys, message):
    client.force_login(world.rita)

    response = client.get(compare_url(job, *keys))

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert job_url(job) in page  # the way back
    assert "<title>Compare candidates · Barista · Acme Hiring" in page


def test_another_jobs_or_teams_candidate_is_refused_without_a_word_about_them(client, world, job):
    other = make_job(world.team_a, key="job-2", title="Chef")
    make_candidate(other, "p-chef", "Charlie Chef")
    bravo = make_job(world.team_b, key="job-b", title="Bravo job")
    make_candidate(bravo, "p-bravo", "Bea Bravo")
    client.force_login(world.rita)

    partly = client.get(compare_url(job, "p-ann", "p-ben", "p-chef", "p-bravo"))
    none_left = client.get(compare_url(job, "p-ann", "p-chef", "p-bravo", "p-unknown"))

    assert partly.status_code == none_left.status_code == 400
    assert "candidates" not in partly.context  # nothing compared with a key refused
    page = partly.content.decode()
    assert "Not compared: p-chef, p-bravo are not candidates of this job" in page
    assert 'href="/teams/acme-hiring/jobs/job-1/compare/?c=p-ann&amp;c=p-ben"' in page
    assert "Compare the other 2 candidates" in page
    left = none_left.content.decode()
    assert "Not compared: p-chef, p-bravo, p-unknown are not candidates" in left
    assert "Choose 2 to 6 candidates of this job" in left
    assert "Compare the other" not in left  # one left is not a comparison
    for response in (partly, none_left):
        content = response.content.decode()
        assert job_url(job) in content  # the way back
        for word in ("Charlie", "Chef", "Bea Bravo", "Bravo job", "Bravo Talent"):
            assert word not in content


def test_a_refused_key_is_named_as_asked_and_never_run_as_markup(client, world, job):
    client.force_login(world.rita)
    long = "x" * 80

    response = client.get(compare_url(job, "p-ann", "p-ben", "<b>p-zed</b>", long))

    assert response.status_code == 400
    page = response.content.decode()
    assert "&lt;b&gt;p-zed&lt;/b&gt;" in page
    assert "<b>p-zed</b>" not in page
    assert "x" * 64 + "…" in page
    assert long not in page


def test_the_same_candidate_twice_is_compared_once(client, world, job):
    client.force_login(world.rita)

    response = client.get(compare_url(job, "p-ann", "p-ben", "p-ann"))

    assert response.status_code == 200
    assert [c.participant.key for c in response.context["candidates"]] == ["p-ann", "p-ben"]
    assert "Chosen more than once, compared once: p-ann." in response.content.decode()
    assert "more than once" not in client.get(compare_url(job, "p-ann", "p-ben")).content.decode()


def test_its_queries_do_not_grow_with_the_candidates(client, world, job):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(2):
        make_candidate(job, f"p-x{n}", f"Xena {n}")
    scope = Scope(team=world.team_a)
    for key in ("p-ann", "p-ben", "p-cat", "p-dan", "p-x0", "p-x1"):
        review_save(scope=scope, participant_key=key, reviewer=world.alice, recommendation="yes",
                    note="", ratings={f"{key}-a2": 4}, answer_keys=[f"{key}-a2"])  # fmt: skip
    client.force_login(world.rita)
    client.get(compare_url(job, "p-ann", "p-ben"))  # the session and preferences settle

    def queries(*keys):
        with CaptureQueriesContext(connection) as run:
            assert client.get(compare_url(job, *keys)).status_code == 200
        return len(run.captured_queries)

    assert queries("p-ann", "p-ben", "p-cat", "p-dan", "p-x0", "p-x1") == queries("p-ann", "p-ben")


def test_a_decision_from_compare_answers_the_notice_and_the_heads_fetch_themselves(
    client, world, job
):
    client.force_login(world.rita)
    page = client.get(compare_url(job, "p-ann", "p-ben")).content.decode()
    decide = candidate_url("p-ben", "dashboard:participant_decide")
    assert f'hx-post="{decide}" hx-target="#decision-notices"' in page
    assert '<input type="hidden" name="view" value="notice">' in page
    assert 'id="decision-notices"' in page  # _decisions.html: the notice region, the dialog
    refresh = 'hx-trigger="candidates-changed from:body, review-recommended from:body"'
    assert f'{refresh} hx-select="#compare-heads"' in page
    assert 'hx-disinherit="*"' in page  # its forms' answers are not filtered by that select

    response = client.post(decide, {"status": "Accepted", "view": "notice"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Ben Baker will be accepted" in response.content.decode()
    assert "candidates-changed" in response["HX-Trigger"]
    heads = client.get(compare_url(job, "p-ann", "p-ben")).content.decode()
    assert 'Undo<span class="visually-hidden"> the decision on Ben Baker' in heads


def test_another_teams_job_is_not_found(client, world, job):
    client.force_login(world.bob)

    assert client.get(compare_url(job, "p-ann", "p-ben")).status_code == 404


def test_login_is_required(client, job):
    response = client.get(compare_url(job, "p-ann", "p-ben"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_blind_review_compares_candidates_by_number(client, world, job):
    world.team_a.blind_review = True
    world.team_a.save()
    client.force_login(world.rita)

    page = client.get(compare_url(job, "p-ann", "p-ben")).content.decode()

    assert "Ann Archer" not in page
    assert "Ben Baker" not in page
    assert "Candidate 1" in page
    assert "Candidate 2" in page
    assert "videos still show their faces" in page


def test_the_job_table_and_a_jobs_queue_offer_compare(client, world, job):
    client.force_login(world.victor)  # a viewer too: checkboxes and the button
    table = client.get(job_url(job)).content.decode()
    assert 'data-selection-url="/teams/acme-hiring/jobs/job-1/compare/"' in table
    assert 'id="pick-p-ann"' in table

    queue = reverse("dashboard:review_queue", kwargs={"slug": "acme-hiring"})
    one_job = client.get(queue + "?job=job-1").content.decode()
    assert 'action="/teams/acme-hiring/jobs/job-1/compare/"' in one_job
    assert 'name="c" value="p-ann"' in one_job
    assert "choose a job" in client.get(queue).content.decode()
    assert 'name="c"' not in client.get(queue).content.decode()


@pytest.mark.parametrize("job_filter", ["a/b", "no-such-job", "job-2"])
def test_a_queue_of_no_job_of_its_own_offers_no_compare(client, world, job, job_filter):
    bravo = make_job(world.team_b, key="job-2", title="Bravo job")
    make_candidate(bravo, "p-bravo", "Bea Bravo")
    client.force_login(world.rita)
    queue = reverse("dashboard:review_queue", kwargs={"slug": "acme-hiring"})

    response = client.get(queue, {"job": job_filter})

    assert response.status_code == 200
    assert "/compare/" not in response.content.decode()


def test_a_rating_from_compare_with_htmx_answers_the_form_with_it_marked(client, world, job):
    client.force_login(world.rita)
    back = compare_url(job, "p-ann", "p-ben")

    response = client.post(
        candidate_url("p-ann", "dashboard:participant_rate"),
        {"answer": "p-ann-a2", "rating": "4", "number": "2", "next": f"{back}#answer-p-ann-a2"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    form = response.content.decode()
    assert form.lstrip().startswith('<form method="post"')
    assert 'value="4" class="button button--small button--secondary" aria-pressed="true"' in form
    assert form.count('aria-pressed="true"') == 1
    assert "Ann Archer's answer to question 2" in form
    assert f'name="next" value="{back}#answer-p-ann-a2"'.replace("&", "&amp;") in form
    assert Review.objects.get(reviewer=world.rita).ratings.get().rating == 4


def test_compares_rating_and_recommendation_post_without_leaving_the_page(client, world, job):
    client.force_login(world.rita)

    page = client.get(compare_url(job, "p-ann", "p-ben")).content.decode()

    assert 'hx-post="/teams/acme-hiring/candidates/p-ann/ratings/" hx-target="this"' in page
    assert 'hx-post="/teams/acme-hiring/candidates/p-ann/recommendation/" hx-swap="none"' in page
    assert "review-recommended from:body" in page  # the heads show my new choice
