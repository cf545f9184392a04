"""The team's own reviews: saving one, what is refused, what independent review hides (the
candidate page, the job table, pipeline, sorting, filtering and the CSV export)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from dashboard.models import AnswerRating, Review, ReviewRevision
from tests.dashboard.test_interviews_views import job_url, seed_job
from willo_integration.services.reviews import ReviewInvalid, participant_reviews, review_save
from willo_integration.services.scope import Scope

ANSWERS = [f"p-ann-a{n}" for n in range(1, 6)]


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


@pytest.fixture
def scope(world):
    return Scope(team=world.team_a)


def review_url(world, key="p-ann"):
    return reverse(
        "dashboard:participant_review", kwargs={"slug": world.team_a.slug, "participant_key": key}
    )


def candidate_url(world, key="p-ann"):
    return reverse(
        "dashboard:participant_detail", kwargs={"slug": world.team_a.slug, "participant_key": key}
    )


def review(scope, user, recommendation="yes", note="", key="p-ann", **ratings):
    return review_save(
        scope=scope,
        participant_key=key,
        reviewer=user,
        recommendation=recommendation,
        note=note,
        ratings={f"{key}-{answer}": value for answer, value in ratings.items()},
        answer_keys=[f"{key}-a{n}" for n in range(1, 6)],
    )


# --- saving -----------------------------------------------------------------------------


def test_a_review_is_saved_with_its_ratings_and_kept_as_a_revision(client, world, job):
    client.force_login(world.rita)

    response = client.post(
        review_url(world),
        {"recommendation": "strong_yes", "note": "Clear and warm.", "rating-p-ann-a1": "4",
         "rating-p-ann-a2": "5", "rating-p-ann-a3": ""},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip

    assert response.status_code == 200
    saved = Review.objects.get()
    assert (saved.reviewer, saved.recommendation, saved.note) == (
        world.rita,
        "strong_yes",
        "Clear and warm.",
    )
    assert dict(saved.ratings.values_list("answer_key", "rating")) == {
        "p-ann-a1": 4, "p-ann-a2": 5,
    }  # fmt: skip
    assert ReviewRevision.objects.get().ratings == {"p-ann-a1": 4, "p-ann-a2": 5}
    assert "Review saved." in response.content.decode()
    assert response.content.decode().lstrip().startswith('<section id="review"')


def test_changing_a_review_keeps_one_review_and_every_revision(world, job, scope):
    review(scope, world.rita, "yes", a1=3)
    review(scope, world.rita, "strong_no", a2=1)

    saved = Review.objects.get()
    assert saved.recommendation == "strong_no"
    assert dict(saved.ratings.values_list("answer_key", "rating")) == {"p-ann-a2": 1}
    assert list(ReviewRevision.objects.values_list("recommendation", flat=True)) == [
        "strong_no", "yes",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"recommendation": "maybe"}, "recommendation", "Select a valid choice"),
        ({"recommendation": "yes", "rating-p-ann-a1": "6"}, "rating-p-ann-a1", "Rate from 1 to 5"),
        ({"recommendation": "yes", "rating-p-ann-a1": "0"}, "rating-p-ann-a1", "Rate from 1 to 5"),
        ({"recommendation": "yes", "note": "x" * 5001}, "note", "5000 characters"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_stored(client, world, job, data, field, words):
    client.force_login(world.rita)

    response = client.post(review_url(world), data, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Review.objects.exists()
    assert not AnswerRating.objects.exists()


def test_the_service_refuses_a_rating_of_an_answer_the_candidate_does_not_have(world, job, scope):
    with pytest.raises(ReviewInvalid) as refused:
        review_save(
            scope=scope, participant_key="p-ann", reviewer=world.rita, recommendation="yes",
            note="", ratings={"p-ben-a1": 3}, answer_keys=ANSWERS,
        )  # fmt: skip

    assert "rating-p-ben-a1" in refused.value.errors
    assert not Review.objects.exists()


def test_a_viewer_may_read_but_not_review(client, world, job):
    client.force_login(world.victor)

    page = client.get(candidate_url(world))
    response = client.post(review_url(world), {"recommendation": "yes"})

    assert page.status_code == 200
    assert "Viewers can read the team's reviews but not review." in page.content.decode()
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_without_javascript_a_review_redirects_back_to_the_candidate(client, world, job):
    client.force_login(world.rita)

    response = client.post(review_url(world), {"recommendation": "no"})

    assert response.status_code == 302
    assert response["Location"] == candidate_url(world) + "#review"
    assert Review.objects.get().recommendation == "no"


def test_the_page_says_reviews_stay_here(client, world, job):
    client.force_login(world.rita)

    html = client.get(candidate_url(world)).content.decode()

    assert "Willo never sees them" in html
    assert 'action="' + review_url(world) + '"' in html


# --- independent review -----------------------------------------------------------------


def test_until_i_recommend_colleagues_reviews_are_hidden_from_me(client, world, job, scope):
    review(scope, world.alice, "strong_no", note="Alice's private doubts", a1=1)
    client.force_login(world.rita)

    before = client.get(candidate_url(world)).content.decode()
    review(scope, world.rita, "", note="Rita's draft", a1=4)  # ratings, no recommendation
    draft = client.get(candidate_url(world)).content.decode()
    review(scope, world.rita, "yes", a1=4)
    after = client.get(candidate_url(world)).content.decode()

    for html in (before, draft):
        assert "Hidden until you give your recommendation" in html
        assert "Alice&#x27;s private doubts" not in html
        team_reviews = html.split('id="team-reviews"')[1].split("</section>")[0]
        assert "Strong no" not in team_reviews
    assert "Rita&#x27;s draft" in draft  # my own review I always see
    assert "Alice&#x27;s private doubts" in after
    assert "Team rating: <strong>2.5</strong> of 5" in after


def test_with_independent_review_off_everyone_sees_everything(client, world, job, scope):
    world.team_a.independent_review = False
    world.team_a.save()
    review(scope, world.alice, "strong_no", note="Alice's private doubts")
    client.force_login(world.rita)

    html = client.get(candidate_url(world)).content.decode()

    assert "Alice&#x27;s private doubts" in html
    assert "Hidden until" not in html


def test_the_table_pipeline_sorting_filtering_and_csv_hide_what_i_have_not_earned(
    client, world, job, scope
):
    review(scope, world.alice, "yes", key="p-ann")
    review(scope, world.multi, "strong_yes", key="p-ann")
    review(scope, world.alice, "yes", key="p-ben")
    review(scope, world.multi, "yes", key="p-ben")
    review(scope, world.rita, "no", key="p-ben")  # Rita has recommended Ben, not Ann
    client.force_login(world.rita)

    table = client.get(job_url(job), {"ordering": "-team_in_favour"})
    filtered = client.get(job_url(job), {"in_favour_min": "2"})
    export = client.get(job_url(job, "dashboard:interview_export"))

    rows = {p.key: p for p in table.context["rows"]}
    assert rows["p-ann"].team_tally is None
    assert rows["p-ben"].team_tally.in_favour == 2
    assert rows["p-ben"].team_tally.against == 1
    assert table.context["rows"][0].key == "p-ben"  # Ann's two yes stay unknown
    assert [p.key for p in filtered.context["rows"]] == ["p-ben"]
    pipeline = {p.key: p for column in table.context["pipeline"] for p in column.members}
    assert pipeline["p-ann"].team_tally is None
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    header, by_key = lines[0], {line[0]: line for line in lines[1:]}
    yes = header.index("Team: Yes")
    assert by_key["p-ann"][yes] == "hidden until you recommend"
    assert by_key["p-ben"][yes] == "2"
    assert by_key["p-ben"][header.index("Team: No")] == "1"


def test_my_own_recommendation_shows_the_team_tally_in_the_row(client, world, job, scope):
    review(scope, world.alice, "yes", key="p-ann", a1=5)
    review(scope, world.rita, "yes", key="p-ann", a1=3)
    client.force_login(world.rita)

    html = client.get(job_url(job)).content.decode()

    row = html[html.index('id="row-p-ann"') :]
    row = row[: row.index("</tr>")]
    assert "2 yes" in row
    assert "0 no" in row
    assert ">4.0<" in row


def test_reviews_are_per_team_and_scope(world, job, scope):
    review(scope, world.alice, "yes")
    other = Scope(team=world.team_b)

    seen = participant_reviews(scope=other, participant_key="p-ann", viewer=world.rita)

    assert seen.mine is None
    assert seen.others == []


def test_erasing_a_candidate_erases_the_teams_reviews_of_them(world, job, scope):
    from willo_integration.services.data_protection import candidate_erase

    review(scope, world.rita, "yes", a1=4, key="p-ann")
    review(scope, world.alice, "no", key="p-ann")
    kept = review(scope, world.rita, "yes", key="p-ben")

    erased = candidate_erase(keys=["p-ann"])

    assert erased.reviews == 2
    assert list(Review.objects.all()) == [kept]
    assert not AnswerRating.objects.filter(review__participant_key="p-ann").exists()
    assert set(ReviewRevision.objects.values_list("review__participant_key", flat=True)) == {
        "p-ben"
    }
    assert "2 review(s)" in erased.summary()


def test_a_team_admin_turns_independent_review_off_and_on(client, world):
    url = reverse("dashboard:team_review_settings", kwargs={"slug": world.team_a.slug})
    client.force_login(world.alice)

    off = client.post(url, {})
    world.team_a.refresh_from_db()
    assert (off.status_code, world.team_a.independent_review) == (302, False)
    client.post(url, {"independent_review": "on"})
    world.team_a.refresh_from_db()
    assert world.team_a.independent_review is True
    page = client.get(reverse("dashboard:team_detail", kwargs={"slug": world.team_a.slug}))
    assert 'name="independent_review"' in page.content.decode()


def test_only_a_team_admin_may_change_it(client, world):
    url = reverse("dashboard:team_review_settings", kwargs={"slug": world.team_a.slug})
    client.force_login(world.rita)

    assert client.post(url, {}).status_code == 403
    world.team_a.refresh_from_db()
    assert world.team_a.independent_review is True


def test_a_review_never_waits_for_willo_even_when_the_cache_is_old(
    client, world, job, settings, willo_transport
):
    import httpx

    asked: list[httpx.Request] = []
    willo_transport(lambda request: asked.append(request) or httpx.Response(503))
    settings.WILLO_CACHE_TTL_SECONDS = 0  # everything cached is stale
    client.force_login(world.rita)

    response = client.post(
        review_url(world), {"recommendation": "yes", "rating-p-ann-a1": "4"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert asked == []
    assert Review.objects.get().recommendation == "yes"
