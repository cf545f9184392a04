"""The screen page: a preview of the candidates with N or more wrong answers, then Reject
these, confirmed, for those previewed who still match, with the email if chosen."""

from __future__ import annotations

import httpx
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from dashboard.models import Decision, OutboundEmail
from tests.dashboard.test_compare import CHECKBOXES
from tests.dashboard.test_interviews_views import QUESTIONS, job_url, make_candidate, make_job
from willo_integration.models import CachedParticipant
from willo_integration.services.email_templates import template_save

pytestmark = pytest.mark.django_db

BREWS = CHECKBOXES  # "Which do you brew?": V60 and French press are right, Pods wrong


def brewed(participant, *options):
    """The candidate's answer to BREWS (their seeded answer to "Pick a colour" is Blue,
    a wrong one)."""
    participant.detail["answers"].append(
        {
            "key": f"{participant.key}-a8",
            "question": BREWS,
            "type_specific_data": {"selected_answer_options": [{"option": o} for o in options]},
        }
    )
    participant.save()


def chose_red(participant):
    for answer in participant.detail["answers"]:
        if answer["question"]["key"] == "q-choice":
            answer["type_specific_data"]["selected_answer_options"] = [{"option": "o-red"}]
    participant.save()


@pytest.fixture
def job(world):
    """Two screened questions. Ann and Ben: 2 wrong; Dan: 1 wrong (Accepted in Willo);
    Eve: 0 wrong; Cat: invited; Fay: responded, answers never fetched."""
    job = make_job(world.team_a)
    job.detail["questions"] = [*QUESTIONS, BREWS]
    job.save()
    brewed(make_candidate(job, "p-ann", "Ann Archer"), "o-pod")
    brewed(make_candidate(job, "p-ben", "Ben Baker"))
    make_candidate(job, "p-cat", "Cat Cole", status="Invited")
    dan = make_candidate(job, "p-dan", "Dan Dale", status="Accepted")
    brewed(dan, "o-v60", "o-press")
    eve = make_candidate(job, "p-eve", "Eve Evans")
    brewed(eve, "o-press", "o-v60")
    chose_red(eve)
    make_candidate(job, "p-fay", "Fay Fox")
    CachedParticipant.objects.filter(key="p-fay").update(detail=None, detail_fetched_at=None)
    return job


def screen_url(job, **query):
    url = job_url(job, "dashboard:job_screen")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def rejection_template(world):
    return template_save(team=world.team_a, kind="rejection", name="Thanks",
                         subject="Your application", body="Dear {candidate_first_name}, thanks.",
                         is_default=True, actor=world.alice)  # fmt: skip


def test_it_previews_those_with_n_or_more_wrong_answers(client, world, job):
    client.force_login(world.rita)

    response = client.get(screen_url(job, n=2))

    assert response.status_code == 200
    assert [c.participant.key for c in response.context["matching"]] == ["p-ann", "p-ben"]
    page = response.content.decode()
    assert "2 candidates with 2 or more wrong answers" in page
    assert "Pods" in page
    assert "correct: V60, French press" in page
    assert page.count('name="keys"') == 2
    assert 'name="keys" value="p-dan"' not in page
    assert "Reject these 2" in page
    assert "only the Rejected status goes to Willo" in page
    assert "A question left unanswered counts as wrong" in page
    assert "1 candidate whose answers are not fetched yet" in page
    assert "Fay Fox" in page
    assert "Cat Cole" not in page  # not responded


def test_it_lists_at_the_default_n_of_every_question_screened(client, world, job):
    client.force_login(world.rita)

    response = client.get(screen_url(job))

    assert response.context["screen"].min_wrong == 2
    one = client.get(screen_url(job, n=1))
    assert [c.participant.key for c in one.context["matching"]] == ["p-ann", "p-ben", "p-dan"]


@pytest.mark.parametrize("n", ["0", "3", "two", ""])
def test_an_n_outside_1_to_the_questions_screened_is_a_form_error(client, world, job, n):
    client.force_login(world.rita)

    response = client.get(screen_url(job, n=n))

    assert response.status_code == 400
    assert "Enter a whole number from 1 to 2" in response.content.decode()
    assert response.context.get("screen") is None


def test_a_job_without_correct_answers_marked_says_so(client, world):
    job = make_job(world.team_a, key="job-2")
    job.detail["questions"] = [q for q in QUESTIONS if q["key"] != "q-choice"]
    job.save()
    client.force_login(world.rita)

    response = client.get(screen_url(job))

    assert response.status_code == 200
    assert "This job has no multiple-choice or checkbox questions with correct answers marked" in (
        response.content.decode()
    )


def test_reject_these_rejects_only_the_previewed_who_still_match(client, world, job):
    client.force_login(world.rita)
    chose_red(CachedParticipant.objects.get(key="p-ben"))  # since the preview: 1 wrong now

    response = client.post(
        screen_url(job),
        {"n": "2", "keys": ["p-ann", "p-ben", "p-eve"], "email": "none", "checked": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    rejected = Decision.objects.filter(status="Rejected", state="pending")
    assert list(rejected.values_list("participant_key", flat=True)) == ["p-ann"]
    assert rejected.get().ip_address is not None
    assert OutboundEmail.objects.count() == 0
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Ann Archer will be rejected in" in message
    assert "Undo any of them in the job's table" in message
    assert "Ben Baker (now 1 wrong, fewer than 2)" in message
    assert "Eve Evans (now 0 wrong, fewer than 2)" in message
    assert "email" not in message


def test_reject_these_needs_the_confirmation(client, world, job):
    client.force_login(world.rita)

    response = client.post(screen_url(job), {"n": "2", "keys": ["p-ann"], "email": "none"})

    assert response.status_code == 400
    assert "Tick the box to confirm you have checked these candidates." in (
        response.content.decode()
    )
    assert not Decision.objects.exists()


def test_reject_these_queues_the_rejection_email_with_the_delay_chosen(client, world, job):
    rejection_template(world)
    client.force_login(world.rita)
    page = client.get(screen_url(job, n=2)).content.decode()
    assert '<option value="24" selected>' in page  # the team's delay

    response = client.post(
        screen_url(job), {"n": "2", "keys": ["p-ann", "p-ben"], "email": "48", "checked": "on"}
    )

    assert response.status_code == 302
    emails = OutboundEmail.objects.order_by("participant_key")
    assert [(e.participant_key, e.kind, e.delay_seconds, e.state) for e in emails] == [
        ("p-ann", "rejection", 48 * 3600, "waiting"),
        ("p-ben", "rejection", 48 * 3600, "waiting"),
    ]
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "2 candidates will be rejected in" in message
    assert "2 rejection emails queued, to go 48 h after Willo has the decision." in message


def test_without_a_rejection_template_it_rejects_without_email(client, world, job):
    client.force_login(world.rita)

    page = client.get(screen_url(job, n=2)).content.decode()

    assert "No rejection email: this job has no rejection template." in page
    assert 'name="email" value="none"' in page
    refused = client.post(
        screen_url(job), {"n": "2", "keys": ["p-ann"], "email": "24", "checked": "on"}
    )
    assert refused.status_code == 400
    assert not Decision.objects.exists()


def test_blind_review_screens_candidates_by_number(client, world, job):
    world.team_a.blind_review = True
    world.team_a.save()
    client.force_login(world.rita)

    page = client.get(screen_url(job, n=2)).content.decode()

    assert "Ann Archer" not in page
    assert "Fay Fox" not in page
    assert "Candidate 1" in page
    assert "candidates are shown by number" in page

    response = client.post(
        screen_url(job), {"n": "2", "keys": ["p-ann", "p-eve"], "email": "none", "checked": "on"}
    )
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Eve Evans" not in message
    assert "(now 0 wrong, fewer than 2)" in message


def test_a_viewer_may_not_screen(client, world, job):
    client.force_login(world.victor)

    assert client.get(screen_url(job)).status_code == 403
    response = client.post(
        screen_url(job), {"n": "2", "keys": ["p-ann"], "email": "none", "checked": "on"}
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()
    assert "Screen by correct answers" not in client.get(job_url(job)).content.decode()


def test_the_job_page_links_recruiters_to_the_screen(client, world, job):
    client.force_login(world.rita)

    page = client.get(job_url(job)).content.decode()

    assert f'href="{screen_url(job)}">Screen by correct answers</a>' in page


def test_another_teams_job_is_not_found(client, world, job, willo_transport):
    willo_transport(lambda request: httpx.Response(404, json={"detail": "Not found."}))
    other = make_job(world.team_b, key="job-b")
    make_candidate(other, "p-bea", "Bea Bell")
    client.force_login(world.rita)
    url = reverse("dashboard:job_screen", kwargs={"slug": "acme-hiring", "interview_key": "job-b"})

    assert client.get(url).status_code == 404
    post = client.post(url, {"n": "1", "keys": ["p-bea"], "email": "none", "checked": "on"})
    assert post.status_code == 404
    assert not Decision.objects.exists()
    client.force_login(world.bob)
    assert client.get(screen_url(job)).status_code == 404
