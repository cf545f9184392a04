"""Pages say what is known: a job never fetched is "not fetched yet", not "0"; an empty
filtered result names its filters; nothing Willo leaves out prints as "None"; a candidate
opened by a link of its own still has previous and next."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.presenters.candidate_filters import active_filters, no_candidates_sentence
from dashboard.presenters.jobs import job_deadline
from tests.contract.collection import examples
from tests.dashboard.test_interviews_views import job_url, make_candidate, make_job, seed_job
from willo_integration import schemas
from willo_integration.models import CachedInterview, CachedParticipant, Source
from willo_integration.services.agency import children_store
from willo_integration.services.cache_writer import interview_store, participant_store
from willo_integration.services.interviews import interview_refresh_record
from willo_integration.services.participants import ParticipantFilters
from willo_integration.services.scope import Scope

# A Python None printed from Willo's data; "None yet" is the review form's own words.
NONE = re.compile(r"\bNone\b(?! yet)")


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


def jobs_url(team) -> str:
    return reverse("dashboard:interview_list", kwargs={"slug": team.slug})


def never_fetched(job) -> None:
    CachedInterview.objects.filter(pk=job.pk).update(participants_fetched_at=None)


def jobs_row(html: str, title: str) -> str:
    (row,) = [r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if f">{title}<" in r]
    return row


# --- a job never fetched ------------------------------------------------------------------


def test_the_jobs_list_says_a_job_never_fetched_is_not_fetched_yet(client, world):
    seed_job(world.team_a)
    waiting = make_job(world.team_a, key="job-2", title="Cook")
    never_fetched(waiting)
    client.force_login(world.rita)

    html = client.get(jobs_url(world.team_a)).content.decode()

    row = jobs_row(html, "Cook")
    assert "Candidates not fetched yet" in row
    assert '<td class="num">' not in row  # no count at all, "0" least of all
    assert '<td class="num">4</td>' in jobs_row(html, "Barista")  # fetched: counted


def test_the_jobs_list_counts_what_is_known_of_a_job_never_fetched(client, world):
    waiting = make_job(world.team_a, key="job-2", title="Cook")
    make_candidate(waiting, "p-eve", "Eve Evans")  # a webhook brought her
    never_fetched(waiting)
    client.force_login(world.rita)

    row = jobs_row(client.get(jobs_url(world.team_a)).content.decode(), "Cook")

    assert "Candidates not fetched yet · 1 known so far" in row


def test_the_jobs_list_says_a_first_fetch_is_running(client, world):
    waiting = make_job(world.team_a, key="job-2", title="Cook")
    never_fetched(waiting)
    scope = Scope(team=world.team_a)
    interview_refresh_record(scope=scope, key=waiting.key, done=0, total=0, running=True)
    client.force_login(world.rita)

    row = jobs_row(client.get(jobs_url(world.team_a)).content.decode(), "Cook")

    assert "Fetching candidates from Willo…" in row


def test_the_job_page_says_candidates_were_not_fetched_not_zero(client, world):
    job = make_job(world.team_a)
    never_fetched(job)
    client.force_login(world.rita)

    html = client.get(job_url(job)).content.decode()

    assert '<h2 id="results-title">Candidates not fetched yet</h2>' in html
    assert "0 candidates" not in html
    assert "have not been fetched from Willo yet" in html
    assert 'aria-label="Pipeline"' not in html  # no columns of nobody


def test_while_the_first_fetch_runs_the_job_page_shows_the_candidates_so_far(client, world):
    job = make_job(world.team_a)
    make_candidate(job, "p-ann", "Ann Archer")
    make_candidate(job, "p-ben", "Ben Baker", status="Invited")
    never_fetched(job)
    scope = Scope(team=world.team_a)
    interview_refresh_record(scope=scope, key=job.key, done=0, total=0, running=True)
    client.force_login(world.rita)

    html = client.get(job_url(job)).content.decode()

    assert '<h2 id="results-title">2 candidates so far</h2>' in html
    assert "Fetching this job’s candidates from Willo: 2 so far…" in html  # noqa: RUF001
    assert 'hx-trigger="load delay:2s"' in html  # the progress polls
    assert "Ann Archer" in html


def test_each_poll_of_a_first_fetch_tells_the_results_to_update(client, world):
    job = make_job(world.team_a)
    never_fetched(job)
    scope = Scope(team=world.team_a)
    interview_refresh_record(scope=scope, key=job.key, done=3, total=9, running=True)
    client.force_login(world.rita)

    response = client.get(job_url(job, "dashboard:interview_refresh"), HTTP_HX_REQUEST="true")

    assert "candidates-fetching" in response["HX-Trigger"]
    assert "3 of 9" in response.content.decode()
    results = client.get(job_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="willo-changed from:body, candidates-fetching from:body"' in results


def test_a_refresh_of_a_job_fetched_before_does_not_redraw_the_results(client, world):
    job = make_job(world.team_a)
    scope = Scope(team=world.team_a)
    interview_refresh_record(scope=scope, key=job.key, done=3, total=9, running=True)
    client.force_login(world.rita)

    response = client.get(job_url(job, "dashboard:interview_refresh"), HTTP_HX_REQUEST="true")

    assert "HX-Trigger" not in response


def test_a_job_fetched_with_no_candidates_says_so(client, world):
    job = make_job(world.team_a)
    client.force_login(world.rita)

    html = client.get(job_url(job)).content.decode()

    assert '<h2 id="results-title">0 candidates</h2>' in html
    assert "This job has no candidates in Willo yet." in html


# --- an empty filtered result -------------------------------------------------------------


def test_an_empty_result_names_the_filter_that_emptied_it(client, world, job):
    client.force_login(world.rita)

    html = client.get(job_url(job), {"score_min": "4", "score_max": "2"}).content.decode()

    assert "No candidates with a Willo score from 4 to 2 (the first is above the second)." in html
    assert '<a href="?">Clear the Willo score</a>' in html


def test_an_empty_result_names_every_filter_with_a_link_to_clear_each(client, world, job):
    client.force_login(world.rita)
    query = {"status": "Accepted", "q": "zed", "has_identity_check": "yes", "ordering": "name"}

    html = client.get(job_url(job), query).content.decode()

    assert (
        "No candidates with the status Accepted, whose name or email contains “zed” and "
        "with an identity check." in html
    )
    links = dict(re.findall(r'<li><a href="([^"]*)">(Clear [^<]+)</a></li>', html))
    assert {label: href for href, label in links.items()} == {
        "Clear the status": "?q=zed&amp;has_identity_check=true&amp;ordering=name",
        "Clear the search": "?status=Accepted&amp;has_identity_check=true&amp;ordering=name",
        "Clear the identity check": "?status=Accepted&amp;q=zed&amp;ordering=name",
        "Clear all filters": job_url(job),
    }


def test_an_ordering_alone_is_no_filter(client, world):
    job = make_job(world.team_a)
    client.force_login(world.rita)

    html = client.get(job_url(job), {"ordering": "name"}).content.decode()

    assert "This job has no candidates in Willo yet." in html
    assert "Clear" not in re.search(r'<section id="results".*?</section>', html, re.S)[0]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"status": "Invited"}, "with the status Invited"),
        ({"q": "ann"}, "whose name or email contains “ann”"),
        ({"score_min": "7.5"}, "with a Willo score of 7.5 or more"),
        ({"score_max": "3"}, "with a Willo score of 3 or less"),
        ({"score_min": "2", "score_max": "4"}, "with a Willo score from 2 to 4"),
        ({"in_favour_min": "2"}, "with at least 2 Strong yes or Yes from the team"),
        ({"responded_from": "2030-05-01"}, "who responded on or after 1 May 2030"),
        ({"responded_to": "2030-05-03"}, "who responded on or before 3 May 2030"),
        (
            {"responded_from": "2030-05-03", "responded_to": "2030-05-01"},
            "who responded from 3 May 2030 to 1 May 2030 (the first is above the second)",
        ),
        ({"has_identity_check": "no"}, "without an identity check"),
    ],
)
def test_each_filter_in_words(query, words):
    filters, errors = ParticipantFilters.from_query(query)
    assert errors == {}

    (active,) = active_filters(filters)

    assert active.words == words
    assert no_candidates_sentence([active]) == f"No candidates {words}."
    assert active.clear_query == ""


def test_every_filter_but_the_ordering_has_words():
    samples = {
        "status": "Completed",
        "q": "x",
        "score_min": 1.0,
        "score_max": 1.0,
        "responded_from": date(2030, 1, 1),
        "responded_to": date(2030, 1, 1),
        "has_identity_check": True,
        "in_favour_min": 1,
    }
    names = {field.name for field in fields(ParticipantFilters)} - {"ordering"}
    assert names == set(samples)  # a new filter needs words (and a sample here)
    for name, value in samples.items():
        assert len(active_filters(ParticipantFilters(**{name: value}))) == 1, name


# --- nothing Willo leaves out prints as "None" --------------------------------------------


def _detail(settings: dict) -> schemas.Interview:
    return schemas.Interview.model_validate({"key": "k", "settings": settings})


def test_a_deadline_without_a_time_zone_is_shown_in_utc():
    detail = _detail({"deadline": "2022-12-18T09:00:00.000000Z", "deadline_timezone": None})

    assert job_deadline(detail) == "18 Dec 2022 09:00 UTC"


def test_a_deadline_is_shown_in_the_time_zone_willo_names():
    detail = _detail({"deadline": "2022-12-18T09:00:00Z", "deadline_timezone": "America/New_York"})

    assert job_deadline(detail) == "18 Dec 2022 04:00 America/New_York"


def test_a_deadline_in_a_time_zone_we_do_not_know_is_shown_in_utc():
    detail = _detail({"deadline": "2022-12-18T09:00:00Z", "deadline_timezone": "Mars/Olympus"})

    assert job_deadline(detail) == "18 Dec 2022 09:00 UTC"


def test_no_deadline_is_no_words():
    assert job_deadline(_detail({"deadline": None})) == ""
    assert job_deadline(None) == ""


def test_the_job_page_shows_a_deadline_without_a_time_zone_and_no_none(client, world):
    job = make_job(world.team_a)
    job.detail["settings"] = {"deadline": "2022-12-18T09:00:00Z", "deadline_timezone": None}
    job.save(update_fields=["detail"])
    client.force_login(world.rita)

    html = client.get(job_url(job)).content.decode()

    assert "<dt>Deadline</dt><dd>18 Dec 2022 09:00 UTC</dd>" in html
    assert not NONE.search(html)


def _interview_examples():
    found = []
    for example in examples():
        body = example.response_body
        if not isinstance(body, dict):
            continue
        if example.path.startswith("/interviews/") and example.method != "DELETE":
            items = body.get("results", [body])
        elif example.path.endswith("/interviews/") and "template" in example.path:
            items = [body]
        else:
            continue
        found += [pytest.param(item, "results" not in body, id=example.id) for item in items]
    return found


def _participant_payloads() -> list[schemas.Participant]:
    payloads = []
    for example in examples():
        body = example.response_body
        one_candidate = example.path.count("/") <= 3  # not the identity's sub-resources
        if example.path.startswith("/participants/") and one_candidate and isinstance(body, dict):
            items = body.get("results", [body])
            payloads += [schemas.Participant.model_validate(item) for item in items]
    return payloads


def _willo_answering_the_examples(request: httpx.Request) -> httpx.Response:
    """Every GET the pages make answered with the collection's own example response."""
    path = re.sub(r"^.*/api/integrations/v2", "", request.url.path)
    for example in examples():
        pattern = re.escape(example.path).replace(r"\{key\}", "[^/]+")
        matches = example.method == request.method and re.fullmatch(pattern, path)
        if matches and example.response_body is not None:
            return httpx.Response(example.status_code or 200, json=example.response_body)
    return httpx.Response(404, json={"detail": "Not found."})


@pytest.mark.parametrize(("item", "detail"), _interview_examples())
def test_every_example_response_renders_without_none(client, world, willo_transport, item, detail):
    """Willo's examples, stored as a job with every example candidate in it: the jobs list,
    the job page (fetched and never fetched) and each candidate's page print no "None"."""
    willo_transport(_willo_answering_the_examples)
    scope = Scope(team=world.team_a)
    job = interview_store(
        scope=scope,
        payload=schemas.Interview.model_validate(item),
        source=Source.READ,
        detail=detail,
    )
    keys = []
    for number, payload in enumerate(_participant_payloads()):
        key = f"{number:02d}{payload.key[2:]}"
        participant_store(
            scope=scope,
            payload=payload.model_copy(update={"key": key}),
            source=Source.READ,
            interview=job,
        )
        keys.append(key)
    client.force_login(world.rita)

    pages = [jobs_url(world.team_a), job_url(job)]
    pages += [
        reverse(
            "dashboard:participant_detail", kwargs={"slug": "acme-hiring", "participant_key": k}
        )
        for k in keys
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = NONE.search(response.content.decode())
        assert found is None, (
            f"{url}: …{response.content.decode()[found.start() - 200 : found.end() + 50]}"
        )
    CachedInterview.objects.filter(pk=job.pk).update(participants_fetched_at=timezone.now())
    for url in pages[:2]:
        assert not NONE.search(client.get(url).content.decode()), url
    assert CachedParticipant.objects.filter(interview=job).count() == len(keys)


def test_every_example_client_renders_without_none(client, world):
    world.team_a.is_parent = True
    world.team_a.save()
    children = [
        schemas.ChildOrganisation.model_validate(item)
        for example in examples()
        if example.path == "/children/"
        for item in (
            example.response_body
            if isinstance(example.response_body, list)
            else [example.response_body]
        )
    ]
    children_store(
        world.team_a,
        [c.model_copy(update={"key": f"{n:02d}{c.key[2:]}"}) for n, c in enumerate(children)],
    )
    client.force_login(world.alice)

    html = client.get(
        reverse("dashboard:agency_detail", kwargs={"slug": "acme-hiring"})
    ).content.decode()

    assert children[0].name in html
    assert not NONE.search(html)


# --- a candidate opened by a link of its own ----------------------------------------------


def test_a_candidate_opened_without_a_filter_has_previous_and_next(client, world, job):
    client.force_login(world.rita)
    shown = client.get(job_url(job)).context["rows"]  # the job's own order, unfiltered
    before, middle, after = shown[0], shown[1], shown[2]

    response = client.get(
        reverse(
            "dashboard:participant_detail",
            kwargs={"slug": job.team.slug, "participant_key": middle.key},
        )
    )

    html = response.content.decode()
    previous = re.search(r'<a class="[^"]*" href="([^"]+)" rel="prev"', html)
    following = re.search(r'<a class="[^"]*" href="([^"]+)" rel="next"', html)
    candidates = f"/teams/{job.team.slug}/candidates/"
    assert previous[1] == f"{candidates}{before.key}/"
    assert following[1] == f"{candidates}{after.key}/"
