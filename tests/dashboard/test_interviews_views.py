"""The jobs list and a job's page: what a recruiter sees, partials, export, invite."""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import timedelta

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from willo_integration.models import CachedInterview, CachedParticipant

QUESTIONS = [
    {
        "key": "q-video",
        "text": "Tell us about yourself",
        "order": 1,
        "answer_type": "video",
        "max_retakes": 3,
        "max_duration": 120,
    },
    {"key": "q-text", "text": "Why this job?", "order": 2, "answer_type": "text"},
    {
        "key": "q-choice",
        "text": "Pick a colour",
        "order": 3,
        "answer_type": "multiple_choice",
        "type_specific_data": {
            "answer_options": [
                {"key": "o-red", "text": "Red", "order": 1, "is_correct": True},
                {"key": "o-blue", "text": "Blue", "order": 2, "is_correct": False},
            ]
        },
    },
    {"key": "q-file", "text": "Your CV", "order": 4, "answer_type": "file"},
    {"key": "q-audio", "text": "Say hello", "order": 5, "answer_type": "audio"},
    {"key": "q-gone", "text": "A deleted video", "order": 6, "answer_type": "video"},
    {"key": "q-idv", "text": "Prove who you are", "order": 7, "answer_type": "rtw"},
]


def answers(key: str) -> list[dict]:
    q = {item["key"]: item for item in QUESTIONS}
    return [
        {
            "key": f"{key}-a1",
            "question": q["q-video"],
            "status": "processed",
            "spent_time": 75,
            "remote_link": f"https://media.example/{key}.mp4",
            "media_extension": "mp4",
            "transcript": {"text": "I love building teams.", "language": "en", "confidence": 0.93},
        },
        {"key": f"{key}-a2", "question": q["q-text"], "text": "Because it is great."},
        {
            "key": f"{key}-a3",
            "question": q["q-choice"],
            "type_specific_data": {"selected_answer_options": [{"option": "o-blue"}]},
        },
        {
            "key": f"{key}-a4",
            "question": q["q-file"],
            "status": "processed",
            "remote_link": f"https://media.example/{key}.pdf",
            "media_extension": "pdf",
        },
        {
            "key": f"{key}-a5",
            "question": q["q-audio"],
            "status": "processing",
            "remote_link": None,
            "media_extension": "mp3",
        },
        {
            "key": f"{key}-a6",
            "question": q["q-gone"],
            "is_media_deleted": True,
            "remote_link": None,
        },
        {
            "key": f"{key}-a7",
            "question": q["q-idv"],
            "additional_info": {"share_code": "W7K-2XP-9QD"},
        },
    ]


def make_job(team, *, key="job-1", title="Barista", department="Coffee", fetched=None):
    now = fetched or timezone.now()
    return CachedInterview.objects.create(
        team=team,
        scope="",
        key=key,
        title=title,
        department_key=f"d-{department}",
        department_name=department,
        created_at=now,
        detail={
            "key": key,
            "title": title,
            "questions": copy.deepcopy(QUESTIONS),  # a test may add to its job's
            "settings": {"show_hints_and_tips": True},
        },
        detail_fetched_at=now,
        participants_fetched_at=now,
        source="read",
        fetched_at=now,
    )


def make_candidate(
    job, key, name, *, status="Completed", score=None, responded_days=1, identity=False
):
    now = timezone.now()
    detail = {
        "key": key,
        "name": name,
        "email": f"{key}@example.com",
        "status": status,
        "summary": f"{name} is a strong communicator.",
        "showcase_link": f"https://app.willo.example/showcase/{key}",
        "candidate_overview_link": f"https://app.willo.example/overview/{key}",
        "availability": ["2030-05-01T09:00:00Z"],
        "answers": answers(key),
    }
    return CachedParticipant.objects.create(
        team=job.team,
        scope="",
        key=key,
        interview=job,
        interview_key=job.key,
        name=name,
        email=f"{key}@example.com",
        phone="+447700900123",
        custom_id=f"C-{key}",
        location="Leeds, United Kingdom",
        status=status,
        created_at=now - timedelta(days=10),
        updated_at=now,
        responded_at=now - timedelta(days=responded_days) if status != "Invited" else None,
        average_score=score,
        score_count=2 if score is not None else 0,
        has_identity_check=identity,
        detail=detail,
        detail_fetched_at=now,
        source="read",
        fetched_at=now,
    )


def seed_job(team):
    """A job of ``team`` with four candidates: two completed, one invited, one accepted."""
    job = make_job(team)
    make_candidate(job, "p-ann", "Ann Archer", score=8.5, identity=True)
    make_candidate(job, "p-ben", "Ben Baker", score=4.0, responded_days=20)
    make_candidate(job, "p-cat", "Cat Cole", status="Invited")
    make_candidate(job, "p-dan", "Dan Dale", status="Accepted", score=9.0)
    return job


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


def job_url(job, name="dashboard:interview_detail"):
    return reverse(name, kwargs={"slug": job.team.slug, "interview_key": job.key})


# --- jobs list -------------------------------------------------------------------------------


def test_it_lists_the_teams_jobs_with_counts_per_status(client, world, job):
    make_job(world.team_a, key="job-2", title="Chef", department="Kitchen")
    client.force_login(world.rita)

    response = client.get(reverse("dashboard:interview_list", kwargs={"slug": "acme-hiring"}))

    assert response.status_code == 200
    jobs = response.context["page"].object_list
    barista = next(j for j in jobs if j.key == "job-1")
    assert (barista.count_total, barista.count_completed, barista.count_accepted) == (4, 2, 1)
    assert barista.count_invited == 1
    assert b"Barista" in response.content
    assert b"Chef" in response.content
    assert b"Data from Willo as of" in response.content


def test_it_filters_jobs_by_department_with_only_the_partial_for_htmx(client, world, job):
    make_job(world.team_a, key="job-2", title="Chef", department="Kitchen")
    client.force_login(world.rita)
    url = reverse("dashboard:interview_list", kwargs={"slug": "acme-hiring"})

    response = client.get(url, {"department": "d-Kitchen"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="jobs"')
    assert "Chef" in content
    assert "Barista" not in content
    assert "<html" not in content


def test_it_searches_and_orders_jobs(client, world, job):
    make_job(world.team_a, key="job-2", title="Chef", department="Kitchen")
    client.force_login(world.rita)
    url = reverse("dashboard:interview_list", kwargs={"slug": "acme-hiring"})

    searched = client.get(url, {"q": "bar"})
    ordered = client.get(url, {"ordering": "-title"})

    assert [j.title for j in searched.context["page"].object_list] == ["Barista"]
    assert [j.title for j in ordered.context["page"].object_list] == ["Chef", "Barista"]


def test_it_serves_the_whole_page_on_a_history_restore(client, world, job):
    client.force_login(world.rita)
    url = reverse("dashboard:interview_list", kwargs={"slug": "acme-hiring"})

    response = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")

    assert b"<html" in response.content


def test_it_counts_new_responses_since_the_last_visit(client, world, job):
    client.force_login(world.rita)
    url = reverse("dashboard:interview_list", kwargs={"slug": "acme-hiring"})
    client.get(url)
    make_candidate(job, "p-new", "Nia New", responded_days=0)
    CachedParticipant.objects.filter(key="p-new").update(responded_at=timezone.now())

    response = client.get(url)

    assert b"1 new" in response.content


def test_browsing_within_a_visit_keeps_the_count_and_writes_nothing(client, world, job):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.rita)
    url = reverse("dashboard:interview_list", kwargs={"slug": "acme-hiring"})
    client.get(url)  # the visit starts
    make_candidate(job, "p-new", "Nia New")
    CachedParticipant.objects.filter(key="p-new").update(responded_at=timezone.now())

    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert b"1 new" in response.content  # still new on the next view of the visit
        writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]
        assert writes == []


def test_after_a_break_new_counts_from_the_end_of_the_previous_visit(client, world, job):
    from willo_integration.models import LastVisit

    client.force_login(world.rita)
    url = reverse("dashboard:interview_list", kwargs={"slug": "acme-hiring"})
    client.get(url)
    ended = timezone.now() - timedelta(hours=2)
    LastVisit.objects.filter(user=world.rita).update(seen_at=ended)
    session = client.session
    (key,) = [k for k, _ in session.items() if k.startswith("dashboard_jobs_visit")]
    session[key] = {**session[key], "seen": ended.isoformat()}
    session.save()
    for key_, when in (("p-before", ended - timedelta(hours=1)), ("p-after", ended + timedelta(1))):
        make_candidate(job, key_, key_)
        CachedParticipant.objects.filter(key=key_).update(responded_at=when)

    response = client.get(url)

    assert b"1 new" in response.content
    assert LastVisit.objects.get(user=world.rita).seen_at > ended  # this visit recorded


def test_it_paginates_jobs_with_real_links(client, world):
    for i in range(27):
        make_job(world.team_a, key=f"job-{i:02d}", title=f"Job {i:02d}")
    client.force_login(world.rita)

    response = client.get(reverse("dashboard:interview_list", kwargs={"slug": "acme-hiring"}))

    assert b"Page 1 of 2" in response.content
    assert b'href="?ordering=title&amp;page=2"' in response.content or (
        b'href="?page=2"' in response.content
    )


# --- job page --------------------------------------------------------------------------------


def test_it_shows_questions_pipeline_and_table(client, world, job):
    client.force_login(world.rita)

    response = client.get(job_url(job))

    assert response.status_code == 200
    for text in (
        "Tell us about yourself",
        "Ann Archer",
        "Ben Baker",
        "Cat Cole",
        "4 candidates",
        "Export CSV",
        "Invite a candidate",
        "Accept selected",
    ):
        assert text in response.content.decode(), text
    statuses = [column.status for column in response.context["pipeline"]]
    assert statuses == ["Invited", "Started", "Completed", "Accepted", "Rejected"]


def test_it_filters_the_table_by_status_score_and_identity(client, world, job):
    client.force_login(world.rita)

    by_status = client.get(job_url(job), {"status": "Completed"}, HTTP_HX_REQUEST="true")
    by_score = client.get(job_url(job), {"score_min": "8"}, HTTP_HX_REQUEST="true")
    by_identity = client.get(job_url(job), {"has_identity_check": "yes"}, HTTP_HX_REQUEST="true")
    by_name = client.get(job_url(job), {"q": "ben"}, HTTP_HX_REQUEST="true")

    assert {p.name for p in by_status.context["rows"]} == {"Ann Archer", "Ben Baker"}
    assert {p.name for p in by_score.context["rows"]} == {"Ann Archer", "Dan Dale"}
    assert [p.name for p in by_identity.context["rows"]] == ["Ann Archer"]
    assert [p.name for p in by_name.context["rows"]] == ["Ben Baker"]
    assert by_status.content.decode().lstrip().startswith('<section id="results"')


def test_it_filters_by_response_date(client, world, job):
    client.force_login(world.rita)
    since = (timezone.now() - timedelta(days=5)).date().isoformat()

    response = client.get(job_url(job), {"responded_from": since})

    assert {p.name for p in response.context["rows"]} == {"Ann Archer", "Dan Dale"}


def test_it_sorts_by_score_and_marks_the_column(client, world, job):
    client.force_login(world.rita)

    response = client.get(job_url(job), {"ordering": "-average_score"})

    assert [p.name for p in response.context["rows"]][:3] == ["Dan Dale", "Ann Archer", "Ben Baker"]
    assert b'aria-sort="descending"' in response.content


def test_it_links_candidates_and_export_with_the_current_filter(client, world, job):
    client.force_login(world.rita)

    response = client.get(job_url(job), {"status": "Completed"})

    assert "candidates/p-ann/?status=Completed" in response.content.decode()
    assert "export.csv?status=Completed" in response.content.decode()


def test_it_exports_the_filtered_candidates_as_csv(client, world, job):
    client.force_login(world.rita)

    response = client.get(job_url(job, "dashboard:interview_export"), {"status": "Completed"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    names = {row[1] for row in rows[1:]} | {row[0] for row in rows[1:]}
    assert "Ann Archer" in names
    assert "Ben Baker" in names
    assert "Cat Cole" not in names
    assert "Dan Dale" not in names
    assert len(rows) == 3


def test_a_viewer_sees_no_decision_or_invite_controls(client, world, job):
    client.force_login(world.victor)

    response = client.get(job_url(job))

    assert response.status_code == 200
    assert b"Ann Archer" in response.content
    for control in (b"Accept selected", b"Invite a candidate", b'name="keys"', b">Accept<"):
        assert control not in response.content


def test_a_viewer_cannot_invite(client, world, job):
    client.force_login(world.victor)

    response = client.post(job_url(job, "dashboard:interview_invite"), {"name": "X"})

    assert response.status_code == 403


def test_it_shows_our_own_validation_errors_in_the_invite_form(client, world, job):
    client.force_login(world.rita)

    response = client.post(
        job_url(job, "dashboard:interview_invite"),
        {"name": "", "email": "not-an-email", "phone": "12"},
        HTTP_HX_REQUEST="true",
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="invite">')
    assert "This field is required." in content
    assert "Enter a valid email address." in content
    assert "Enter a phone number of 7 to 15 digits" in content


def test_it_shows_willos_errors_in_the_invite_form(client, world, job, willo_transport):
    def willo(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.url.path.endswith("/participants/")
        return httpx.Response(
            400, json={"email": ["A participant with this email already exists."]}
        )

    willo_transport(willo)
    client.force_login(world.rita)

    response = client.post(
        job_url(job, "dashboard:interview_invite"),
        {"name": "Eve Evans", "email": "eve@example.com", "send_notifications": "on"},
        HTTP_HX_REQUEST="true",
    )

    assert "A participant with this email already exists." in response.content.decode()
    assert not CachedParticipant.objects.filter(email="eve@example.com").exists()


def test_it_invites_a_candidate_and_says_so(client, world, job, willo_transport):
    sent = {}

    def willo(request: httpx.Request) -> httpx.Response:
        sent.update(json.loads(request.content))
        return httpx.Response(
            201,
            json={
                "key": "p-eve",
                "name": "Eve Evans",
                "email": "eve@example.com",
                "status": "Invited",
                "interview": {"key": job.key, "title": job.title},
            },
        )

    willo_transport(willo)
    client.force_login(world.rita)

    response = client.post(
        job_url(job, "dashboard:interview_invite"),
        {"name": "Eve Evans", "email": "eve@example.com", "phone": "+44 7700 900123"},
        HTTP_HX_REQUEST="true",
    )

    assert "Invited Eve Evans (eve@example.com)." in response.content.decode()
    assert sent["send_notifications"] is False
    assert "candidates-changed" in response["HX-Trigger"]


def test_it_offers_a_refresh_when_the_candidates_were_never_fetched(client, world, job):
    CachedInterview.objects.filter(pk=job.pk).update(participants_fetched_at=None)
    client.force_login(world.rita)

    response = client.get(job_url(job))

    assert b"Candidates not fetched from Willo yet." in response.content
    assert b"Refresh candidates" in response.content
