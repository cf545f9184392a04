"""Blind review: no surface that shows a candidate names them to a member who reviews
blind; numbers stable and unique per job; reveals recorded; deciding reveals."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from dashboard.models import BlindReveal, CandidateNumber, Decision, MemberPreferences
from dashboard.presenters.blind import Redactor
from tests.dashboard.test_interviews_views import job_url, make_candidate, make_job, seed_job
from willo_integration.models import CachedParticipant, WilloComment
from willo_integration.services.blind import candidate_numbers
from willo_integration.services.data_protection import candidate_erase
from willo_integration.services.decisions import participant_decide
from willo_integration.services.notes import note_add
from willo_integration.services.reviews import review_save
from willo_integration.services.scope import Scope

pytestmark = pytest.mark.django_db

# What identifies the job's candidates (seed_job): names, emails, phone, custom IDs, place.
IDENTITIES = {
    "p-ann": ("Ann", "Archer", "p-ann@example.com", "C-p-ann"),
    "p-ben": ("Ben", "Baker", "p-ben@example.com", "C-p-ben"),
    "p-cat": ("Cat", "Cole", "p-cat@example.com", "C-p-cat"),
    "p-dan": ("Dan", "Dale", "p-dan@example.com", "C-p-dan"),
}
SHARED = ("+447700900123", "Leeds", "showcase/", "overview/")


def leaks(html: str, keys=IDENTITIES) -> list[str]:
    """What of the candidates' identities ``html`` shows (names as whole words)."""
    found = [
        value
        for key in keys
        for value in IDENTITIES[key]
        if re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", html)
    ]
    return found + [value for value in SHARED if value in html]


@pytest.fixture
def blind_job(world):
    world.team_a.blind_review = True
    world.team_a.save()
    job = seed_job(world.team_a)
    ann = CachedParticipant.objects.get(key="p-ann")
    ann.detail["answers"][0]["transcript"]["text"] = "Hello, I am Ann Archer from Leeds."
    ann.detail["answers"][1]["text"] = "Write to p-ann@example.com or call +447700900123."
    ann.save()
    scope = Scope(team=world.team_a)
    note_add(scope=scope, participant_key="p-ann", author=world.alice,
             text="@rita Ann Archer was great, call her.")  # fmt: skip
    WilloComment.objects.create(
        team=world.team_a, participant_key="p-ann", key="c-1", text="Ann was nervous",
        author_name="Willa Willo", received_at=timezone.now(), created_at=timezone.now(),
    )  # fmt: skip
    review_save(
        scope=scope, participant_key="p-ann", reviewer=world.alice, recommendation="yes",
        note="Archer knows coffee", ratings={}, answer_keys=[],
    )  # fmt: skip
    # A colleague's decision waiting to be sent names Ben to whoever sees it.
    participant_decide(scope=scope, participant_key="p-ben", status="Rejected",
                       actor=world.alice, ip_address=None)  # fmt: skip
    return job


def candidate_url(key, name="dashboard:participant_detail"):
    return reverse(name, kwargs={"slug": "acme-hiring", "participant_key": key})


def surfaces(job) -> dict[str, tuple[str, dict]]:
    """Every page and partial that shows a candidate: (URL, extra request headers)."""
    hx = {"HTTP_HX_REQUEST": "true"}
    return {
        "queue": (reverse("dashboard:review_queue", kwargs={"slug": "acme-hiring"}), {}),
        "review mode": (candidate_url("p-ann", "dashboard:review_candidate"), {}),
        "candidate page": (candidate_url("p-ann"), {}),
        "candidate page, live refresh": (candidate_url("p-ann") + "?part=live", hx),
        "one answer, its media link fetched again": (
            candidate_url("p-ann") + "?answer=p-ann-a1",
            hx,
        ),
        "job table and pipeline": (job_url(job), {}),
        "job results partial": (job_url(job) + "?status=Completed", hx),
        "job table sorted by name": (job_url(job) + "?ordering=name", {}),
        "identity panel": (candidate_url("p-ann", "dashboard:participant_identity"), hx),
        "identity page": (candidate_url("p-ann", "dashboard:participant_identity"), {}),
        "mentions": (reverse("dashboard:mentions"), {}),
        "CSV export": (job_url(job, "dashboard:interview_export"), {}),
    }


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_no_surface_names_a_candidate_to_a_member_who_reviews_blind(client, world, blind_job):
    client.force_login(world.rita)

    found = {}
    for surface, (url, headers) in surfaces(blind_job).items():
        response = client.get(url, **headers)
        assert response.status_code == 200, surface
        found[surface] = leaks(body(response))

    assert found == {surface: [] for surface in found}


def test_each_surface_shows_the_candidate_by_number_instead(client, world, blind_job):
    client.force_login(world.rita)
    numbers = candidate_numbers(
        scope=Scope(team=world.team_a),
        candidates=[(key, blind_job.key) for key in IDENTITIES],
    )
    ann = f"Candidate {numbers['p-ann']}"

    for surface in ("queue", "review mode", "candidate page", "job table and pipeline",
                    "mentions", "CSV export"):  # fmt: skip
        url, headers = surfaces(blind_job)[surface]
        assert ann in body(client.get(url, **headers)), surface
    page = body(client.get(candidate_url("p-ann")))
    assert f"<title>{ann} · Acme Hiring · Willo dashboard</title>" in page
    assert "Hello, I am [name] [name] from [place]." in page
    assert "Write to [contact details] or call [contact details]." in page
    assert "Videos still show their faces" in page
    assert "[name] was nervous" in page  # Willo's comment, in its panel and the timeline


def test_the_same_surfaces_name_the_candidates_when_blind_review_is_off(client, world, blind_job):
    world.team_a.blind_review = False
    world.team_a.save()
    client.force_login(world.rita)

    for surface, (url, headers) in surfaces(blind_job).items():
        if surface in {"identity panel", "identity page"}:
            continue  # they fetch the check from Willo: not what this shows
        assert leaks(body(client.get(url, **headers))), surface


def test_a_members_own_preference_blinds_them_alone(client, world):
    job = seed_job(world.team_a)
    MemberPreferences.objects.create(user=world.rita, blind_review=True)

    client.force_login(world.rita)
    assert leaks(body(client.get(job_url(job)))) == []
    client.force_login(world.alice)
    assert "Archer" in body(client.get(job_url(job)))


def test_numbers_follow_invitation_order_are_stable_and_unique_per_job(world):
    scope = Scope(team=world.team_a)
    job = make_job(world.team_a)
    other = make_job(world.team_a, key="job-2", title="Chef")
    for n, key in enumerate(["p-1", "p-2", "p-3"]):
        row = make_candidate(job, key, f"Person {n}")
        row.created_at = timezone.now() - timedelta(days=10 - n)
        row.save()
    make_candidate(other, "p-x", "Xavier Xu")

    first = candidate_numbers(scope=scope, candidates=[("p-3", job.key)])
    assert first == {"p-3": 3}  # the whole job is numbered, in the order Willo invited them
    assert candidate_numbers(scope=scope, candidates=[("p-1", job.key), ("p-2", job.key)]) == {
        "p-1": 1,
        "p-2": 2,
    }
    assert candidate_numbers(scope=scope, candidates=[("p-x", other.key)]) == {"p-x": 1}

    # A candidate invited later, or one erased: the others keep their numbers, none reused.
    make_candidate(job, "p-4", "Late Comer")
    candidate_erase(keys=["p-2"])
    again = candidate_numbers(scope=scope, candidates=[(k, job.key) for k in ("p-1", "p-3", "p-4")])
    assert again == {"p-1": 1, "p-3": 3, "p-4": 4}
    numbers = list(CandidateNumber.objects.filter(interview_key=job.key).values_list("number"))
    assert len(numbers) == len(set(numbers))


def test_numbering_a_job_a_concurrent_request_numbered_first_still_gives_one_number_each(world):
    job = make_job(world.team_a)
    make_candidate(job, "p-1", "One")
    make_candidate(job, "p-2", "Two")
    # As if another request had numbered p-1 between this one's read and its write.
    CandidateNumber.objects.create(
        team=world.team_a, interview_key=job.key, participant_key="p-1", number=1
    )

    numbers = candidate_numbers(
        scope=Scope(team=world.team_a), candidates=[("p-1", job.key), ("p-2", job.key)]
    )

    assert numbers == {"p-1": 1, "p-2": 2}


def test_reveal_shows_the_candidate_to_me_only_and_is_on_the_timeline(client, world, blind_job):
    client.force_login(world.rita)
    page = candidate_url("p-ann")

    response = client.post(candidate_url("p-ann", "dashboard:participant_reveal"),
                           {"next": page})  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == page
    shown = body(client.get(page))
    assert "Ann Archer" in shown
    assert "p-ann@example.com" in shown
    assert "rita revealed who the candidate is (blind review)" in shown
    client.post(candidate_url("p-ann", "dashboard:participant_reveal"))
    assert BlindReveal.objects.filter(participant_key="p-ann").count() == 1
    client.force_login(world.victor)  # a colleague still reviews blind
    assert leaks(body(client.get(page)), keys=["p-ann"]) == []


def test_a_reveal_goes_back_only_to_a_page_of_this_site(client, world, blind_job):
    client.force_login(world.rita)

    response = client.post(
        candidate_url("p-ann", "dashboard:participant_reveal"), {"next": "https://evil.example/"}
    )

    assert response["Location"] == candidate_url("p-ann")


def test_another_teams_candidate_cannot_be_revealed(client, world, blind_job):
    client.force_login(world.bob)

    response = client.post(
        reverse("dashboard:participant_reveal",
                kwargs={"slug": "bravo-talent", "participant_key": "p-ann"})
    )  # fmt: skip

    assert response.status_code == 404
    assert not BlindReveal.objects.filter(viewer=world.bob).exists()


def test_deciding_reveals_the_candidate_to_whoever_decided(client, world, blind_job):
    client.force_login(world.rita)

    client.post(candidate_url("p-ann", "dashboard:participant_decide"), {"status": "Accepted"})

    reveal = BlindReveal.objects.get(participant_key="p-ann")
    assert (reveal.viewer, reveal.reason) == (world.rita, BlindReveal.Reason.DECIDED)
    page = body(client.get(candidate_url("p-ann")))
    assert "Ann Archer" in page
    assert "rita decided, which revealed who the candidate is (blind review)" in page


def test_a_colleagues_decision_undone_from_my_table_row_stays_masked(client, world, blind_job):
    client.force_login(world.rita)
    decision = Decision.objects.get(participant_key="p-ben")

    response = client.post(
        reverse("dashboard:decision_undo", kwargs={"slug": "acme-hiring",
                                                    "decision_id": decision.pk}),
        {"view": "row"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip

    assert response.status_code == 200
    assert leaks(body(response), keys=["p-ben"]) == []


def test_name_search_and_name_order_are_off_while_blind(client, world, blind_job):
    client.force_login(world.rita)

    response = client.get(job_url(blind_job) + "?q=Archer&ordering=name")

    assert response.context["filters"].q == ""
    assert response.context["filters"].ordering == "-created_at"
    assert len(response.context["rows"]) == 4  # the search did not narrow them to Ann
    page = body(response)
    assert 'name="q"' not in page
    assert "Name search is off" in page
    assert "Name A–Z" not in page  # noqa: RUF001


def test_the_identity_check_is_not_fetched_while_blind(client, world, blind_job, monkeypatch):
    import dashboard.views.identity as identity_views

    def fetched(**_kwargs):
        raise AssertionError("the identity check was fetched from Willo")

    monkeypatch.setattr(identity_views, "participant_identity", fetched)
    client.force_login(world.rita)

    panel = client.get(candidate_url("p-ann", "dashboard:participant_identity"),
                       HTTP_HX_REQUEST="true")  # fmt: skip
    reveal = client.post(candidate_url("p-ann", "dashboard:participant_identity_reveal"),
                         HTTP_HX_REQUEST="true")  # fmt: skip

    assert "Hidden while you review blind" in body(panel)
    assert "Hidden while you review blind" in body(reveal)


def test_team_admins_turn_blind_review_on_for_the_team(client, world):
    url = reverse("dashboard:team_review_settings", kwargs={"slug": "acme-hiring"})
    client.force_login(world.rita)
    assert client.post(url, {"blind_review": "on"}).status_code == 403

    client.force_login(world.alice)
    client.post(url, {"independent_review": "on", "blind_review": "on"})
    world.team_a.refresh_from_db()
    assert (world.team_a.independent_review, world.team_a.blind_review) == (True, True)
    team_page = reverse("dashboard:team_detail", kwargs={"slug": "acme-hiring"})
    assert "Videos still show faces" in body(client.get(team_page))

    client.post(url, {"independent_review": "on"})
    world.team_a.refresh_from_db()
    assert world.team_a.blind_review is False


def test_the_preferences_page_keeps_blind_review_and_names_teams_blind_for_all(client, world):
    world.team_a.blind_review = True
    world.team_a.save()
    client.force_login(world.rita)
    url = reverse("dashboard:member_preferences")

    page = body(client.get(url))
    client.post(url, {"shortcuts": "on", "playback_speed": "1", "blind_review": "on"})

    assert "On for everyone in Acme Hiring" in page
    assert "Videos still show faces and voices" in page
    assert MemberPreferences.objects.get(user=world.rita).blind_review is True


def test_erasing_a_candidate_erases_their_number_and_reveals(client, world, blind_job):
    client.force_login(world.rita)
    client.get(job_url(blind_job))  # numbers them
    client.post(candidate_url("p-ann", "dashboard:participant_reveal"))

    candidate_erase(keys=["p-ann"])

    assert not CandidateNumber.objects.filter(participant_key="p-ann").exists()
    assert not BlindReveal.objects.filter(participant_key="p-ann").exists()


# --- what a candidate said, without their name --------------------------------------------


def test_the_redactor_takes_out_names_emails_and_phones_whatever_their_case():
    redact = Redactor.of(name="Ann-Marie O'Neil", email="ann@example.com", phone="+44 7700 900123")

    said = redact("Hi, ANN-MARIE o'neil here: ann@example.com, +44 7700 900123 or 447700900123.")

    assert said == (
        "Hi, [name] [name] here: [contact details], [contact details] or [contact details]."
    )
    assert redact("Annual planning") == "Annual planning"  # a word that only starts alike
    assert redact(None) is None


@given(
    name=st.lists(
        st.text(alphabet=st.characters(categories=["L"]), min_size=2, max_size=12),
        min_size=1, max_size=4,
    ).map(" ".join),
    before=st.text(max_size=40),
    after=st.text(max_size=40),
)  # fmt: skip
def test_no_word_of_the_name_survives_redaction(name, before, after):
    assume(not {w.lower() for w in name.split()} & {"name", "contact", "details", "place"})
    redact = Redactor.of(name=name)

    said = redact(f"{before} {name} {after}")

    for word in name.split():
        assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", said, flags=re.I), word
