"""Following a job from its page: any member may, for a daily digest of its new responses;
HTMX swaps the button, a form without JavaScript goes back to the job with a message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.models import JobFollow, MemberPreferences
from tests.dashboard.test_interviews_views import job_url, make_job, seed_job

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


def follow_url(job):
    return job_url(job, "dashboard:job_follow")


def follows(user) -> list[str]:
    return list(JobFollow.objects.filter(user=user).values_list("interview_key", flat=True))


def test_the_url_is_the_jobs():
    url = reverse("dashboard:job_follow", kwargs={"slug": "acme", "interview_key": "job-1"})

    assert url == "/teams/acme/jobs/job-1/follow/"


def test_the_job_page_offers_to_follow_it(client, world, job):
    client.force_login(world.rita)

    content = client.get(job_url(job)).content.decode()

    assert f'action="{follow_url(job)}"' in content
    assert 'name="follow" value="1"' in content
    assert "Follow this job</button>" in content
    aside = content[content.index("page-header__aside") :]
    assert aside.index("Review this job's responses") < aside.index("Follow this job")


def test_following_without_javascript_goes_back_to_the_job_with_a_message(client, world, job):
    client.force_login(world.rita)

    response = client.post(follow_url(job), {"follow": "1"}, follow=True)

    assert response.redirect_chain == [(job_url(job), 302)]
    content = response.content.decode()
    assert "You follow Barista: its new responses come in your daily digest email." in content
    assert "Following ✓ (daily digest)" in content
    assert 'name="follow" value="0"' in content
    assert follows(world.rita) == ["job-1"]
    assert JobFollow.objects.get().interview_title == "Barista"


def test_htmx_gets_the_button_back_and_unfollowing_undoes_it(client, world, job):
    client.force_login(world.rita)

    followed = client.post(follow_url(job), {"follow": "1"}, **HTMX)

    assert followed.status_code == 200
    partial = followed.content.decode()
    assert partial.lstrip().startswith('<form id="job-follow"')
    assert "Following ✓ (daily digest)" in partial
    assert "<html" not in partial
    unfollowed = client.post(follow_url(job), {"follow": "0"}, **HTMX).content.decode()
    assert "Follow this job</button>" in unfollowed
    assert follows(world.rita) == []


def test_following_twice_is_following_once(client, world, job):
    client.force_login(world.rita)

    client.post(follow_url(job), {"follow": "1"})
    client.post(follow_url(job), {"follow": "1"})

    assert follows(world.rita) == ["job-1"]


def test_a_viewer_may_follow_and_each_member_follows_for_themselves(client, world, job):
    client.force_login(world.victor)

    assert client.post(follow_url(job), {"follow": "1"}).status_code == 302

    assert follows(world.victor) == ["job-1"]
    assert follows(world.rita) == []
    client.force_login(world.rita)
    assert "Follow this job</button>" in client.get(job_url(job)).content.decode()


@pytest.mark.parametrize("value", ["", "yes", "2", "true"])
def test_anything_but_one_or_zero_is_refused(client, world, job, value):
    client.force_login(world.rita)

    response = client.post(follow_url(job), {"follow": value})

    assert response.status_code == 400
    assert response.content.decode() == "Send follow=1 to follow the job or follow=0 to stop."
    assert follows(world.rita) == []


def test_another_teams_job_is_not_found_and_get_is_not_allowed(client, world, job):
    other = make_job(world.team_b, key="job-b")
    client.force_login(world.rita)

    assert client.post(job_url(other, "dashboard:job_follow"), {"follow": "1"}).status_code == 404
    foreign = reverse(
        "dashboard:job_follow", kwargs={"slug": "acme-hiring", "interview_key": "job-b"}
    )
    assert client.post(foreign, {"follow": "1"}).status_code == 404
    assert client.get(follow_url(job)).status_code == 405
    assert not JobFollow.objects.exists()


def test_the_button_says_when_the_digest_cannot_reach_them(client, world, job):
    client.force_login(world.rita)
    client.post(follow_url(job), {"follow": "1"})
    MemberPreferences.objects.create(user=world.rita, email_digest=False)

    off = client.get(job_url(job)).content.decode()

    assert "Your daily digest is off" in off
    world.rita.email = ""
    world.rita.save()
    nowhere = client.post(follow_url(job), {"follow": "1"}, **HTMX).content.decode()
    assert "Your account has no email address" in nowhere
