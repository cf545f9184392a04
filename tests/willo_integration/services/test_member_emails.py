"""Members' emails: a mention, the hiring manager's verdicts on a share (one summary per
share and hour), and the daily digest of the jobs a member follows; each made once, each
switchable in the member's preferences, none naming a candidate to a member who reviews
blind, each with an absolute link back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from dashboard.models import JobFollow, MemberPreferences, Membership, OutboundEmail, ShareVerdict
from willo_integration.services.email_delivery import email_send
from willo_integration.services.member_emails import (
    job_follow,
    job_followed,
    job_unfollow,
    member_digests,
    member_emails_run,
    share_verdict_summaries,
)
from willo_integration.services.notes import note_add
from willo_integration.services.outbox import outbox_drain
from willo_integration.services.scope import Scope
from willo_integration.services.shares import share_create

from .conftest import cached_interview, cached_participant

Kind = OutboundEmail.Kind
DAY = datetime(2026, 11, 2, tzinfo=UTC)
PUBLIC = "https://dash.example"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.DASHBOARD_PUBLIC_URL = PUBLIC


def _member(team, username: str, *, email: str | None = None, **preferences):
    user = get_user_model().objects.create_user(
        username=username,
        password="x" * 12,
        email=f"{username}@example.com" if email is None else email,
    )
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    if preferences:
        MemberPreferences.objects.create(user=user, **preferences)
    return user


def deliver() -> list:
    """Drain the outbox (eager tasks send at once; otherwise send what is due here)."""
    outbox_drain()
    due = OutboundEmail.objects.filter(state=OutboundEmail.State.QUEUED)
    for email_id in due.values_list("pk", flat=True):
        email_send(email_id=email_id)
    return mail.outbox


def html_of(message) -> str:
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def emails(kind) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=kind).order_by("pk"))


@pytest.fixture
def job(scope):
    return cached_interview(scope, key="job1", title="Barista")


@pytest.fixture
def ada(scope, job):
    return cached_participant(scope, job, key="p-ada", name="Ada Lovelace")


# -- mentions ----------------------------------------------------------------------------


def test_a_mention_queues_one_email_per_mentioned_member_with_an_address(scope, ada):
    rita = _member(scope.team, "rita")
    _member(scope.team, "alice")
    _member(scope.team, "victor")
    _member(scope.team, "nomail", email="")

    note_add(
        scope=scope, participant_key="p-ada", author=rita,
        text="@alice @victor @nomail: strong answers from Ada, see q3. @alice again.",
    )  # fmt: skip

    queued = emails(Kind.MENTION)
    assert sorted(e.to_email for e in queued) == ["alice@example.com", "victor@example.com"]
    assert all(e.state == OutboundEmail.State.QUEUED for e in queued)
    sent = deliver()
    assert sorted(parseaddr(m.to[0])[1] for m in sent) == [
        "alice@example.com",
        "victor@example.com",
    ]
    message = sent[0]
    assert message.subject == "rita mentioned you on Ada Lovelace (Acme Hiring)"
    link = f"{PUBLIC}/teams/acme-hiring/candidates/p-ada/#notes"
    assert link in message.body
    assert f'href="{link}"' in html_of(message)
    assert "strong answers from Ada, see q3." in message.body
    assert f"{PUBLIC}/accounts/preferences/" in message.body


def test_a_member_with_mention_emails_off_gets_none(scope, ada):
    rita = _member(scope.team, "rita")
    _member(scope.team, "alice", email_mentions=False)
    _member(scope.team, "victor")

    note_add(scope=scope, participant_key="p-ada", author=rita, text="@alice @victor look")

    assert [e.to_email for e in emails(Kind.MENTION)] == ["victor@example.com"]


def test_a_note_without_mentions_queues_nothing(scope, ada):
    rita = _member(scope.team, "rita")

    note_add(scope=scope, participant_key="p-ada", author=rita, text="strong answers")

    assert not OutboundEmail.objects.exists()


def test_a_member_who_reviews_blind_is_not_told_the_candidates_name(scope, ada):
    rita = _member(scope.team, "rita")
    _member(scope.team, "alice", blind_review=True)

    note_add(scope=scope, participant_key="p-ada", author=rita, text="@alice Ada Lovelace: yes")

    (message,) = deliver()
    assert message.subject == "rita mentioned you on a candidate (Acme Hiring)"
    for part in (message.subject, message.body, html_of(message)):
        assert "Ada" not in part
        assert "Lovelace" not in part


def test_a_mention_in_a_client_organisation_links_to_the_mentions_page(team, job):
    child = Scope(team=team, child_key="c" * 32)
    cached_participant(child, cached_interview(child, key="job-c"), key="p-cid", name="Cid")
    rita = _member(team, "rita")
    _member(team, "alice")

    note_add(scope=child, participant_key="p-cid", author=rita, text="@alice look")

    (email,) = emails(Kind.MENTION)
    assert email.scope == "c" * 32
    assert f"{PUBLIC}/mentions/" in email.text_body


# -- the hiring manager's verdicts -------------------------------------------------------


@pytest.fixture
def share(scope, job):
    rita = _member(scope.team, "rita")
    for key, name in (("p-ann", "Ann Archer"), ("p-ben", "Ben Baker"), ("p-cat", "Cat Cole")):
        cached_participant(scope, job, key=key, name=name)
    return share_create(
        scope=scope,
        interview=job,
        participant_keys=["p-ann", "p-ben", "p-cat"],
        recipient_name="Hana Manager",
        recipient_email="hana@example.com",
        days=14,
        creator=rita,
    ).share


def verdict(share, key: str, value: str, at: datetime, comment: str = "") -> None:
    given, _ = ShareVerdict.objects.update_or_create(
        share=share, participant_key=key, defaults={"verdict": value, "comment": comment}
    )
    ShareVerdict.objects.filter(pk=given.pk).update(updated_at=at)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def test_three_verdicts_in_an_hour_make_one_email_to_the_shares_creator(share):
    verdict(share, "p-ann", "yes", at(10, 5), comment="Great with customers")
    verdict(share, "p-ben", "maybe", at(10, 30))
    verdict(share, "p-cat", "no", at(10, 59))

    assert share_verdict_summaries(now=at(11, 5)) == 1

    (message,) = deliver()
    assert message.to == ["rita <rita@example.com>"]
    assert message.subject == "Hana Manager gave 3 verdicts on Barista"
    for line in ("Ann Archer: Yes (Great with customers)", "Ben Baker: Maybe", "Cat Cole: No"):
        assert line in message.body
        assert line in html_of(message)
    assert "Between 10:00 and 11:00 UTC on 2 November 2026" in message.body
    assert f"{PUBLIC}/teams/acme-hiring/jobs/job1/" in message.body


def test_a_second_run_in_the_same_hour_makes_none_and_the_next_hour_makes_another(share):
    verdict(share, "p-ann", "yes", at(10, 5))
    verdict(share, "p-ben", "maybe", at(10, 30))
    assert share_verdict_summaries(now=at(11, 5)) == 1

    assert share_verdict_summaries(now=at(11, 35)) == 0
    verdict(share, "p-cat", "no", at(11, 10))
    verdict(share, "p-ann", "no", at(11, 40))  # changed her mind
    assert share_verdict_summaries(now=at(11, 55)) == 0  # that hour is not over
    assert share_verdict_summaries(now=at(12, 1)) == 1

    first, second = emails(Kind.SHARE_VERDICTS)
    assert "Ann Archer: Yes" in first.text_body
    assert "Cat Cole" not in first.text_body
    assert second.subject == "Hana Manager gave 2 verdicts on Barista"
    assert "Cat Cole: No" in second.text_body
    assert "Ann Archer: No" in second.text_body
    assert "Ben Baker" not in second.text_body


def test_an_hour_missed_by_beat_is_still_summarised_later(share):
    verdict(share, "p-ann", "yes", at(10, 5))
    verdict(share, "p-ben", "no", at(12, 5))

    assert share_verdict_summaries(now=at(14, 0)) == 2
    assert share_verdict_summaries(now=at(14, 5)) == 0


def test_no_summary_when_the_creator_turned_them_off_or_left_the_team(share):
    rita = share.created_by
    verdict(share, "p-ann", "yes", at(10, 5))
    MemberPreferences.objects.create(user=rita, email_share_verdicts=False)
    assert share_verdict_summaries(now=at(11, 5)) == 0

    MemberPreferences.objects.filter(user=rita).update(email_share_verdicts=True)
    Membership.objects.filter(user=rita).delete()
    assert share_verdict_summaries(now=at(11, 5)) == 0
    assert not OutboundEmail.objects.exists()


def test_a_blind_share_names_candidates_by_number(scope, job):
    rita = _member(scope.team, "rita")
    cached_participant(scope, job, key="p-ann", name="Ann Archer")
    blind = share_create(
        scope=scope, interview=job, participant_keys=["p-ann"], recipient_name="Hana",
        recipient_email="hana@example.com", days=14, blind=True, creator=rita,
    ).share  # fmt: skip
    verdict(blind, "p-ann", "yes", at(10, 5))

    share_verdict_summaries(now=at(11, 5))

    (email,) = emails(Kind.SHARE_VERDICTS)
    assert "Ann" not in email.text_body + email.html_body
    assert "Candidate 1: Yes" in email.text_body


# -- following jobs, and the daily digest -------------------------------------------------


def follow(scope, interview, member, since: datetime) -> JobFollow:
    made = job_follow(scope=scope, interview=interview, member=member)
    JobFollow.objects.filter(pk=made.pk).update(digested_until=since)
    return made


def responded(scope, job, key: str, name: str, when: datetime):
    return cached_participant(scope, job, key=key, name=name, responded_at=when)


def test_following_and_unfollowing_a_job(scope, job, other_team):
    alice = _member(scope.team, "alice")

    job_follow(scope=scope, interview=job, member=alice)
    job_follow(scope=scope, interview=job, member=alice)  # once

    assert job_followed(scope=scope, interview_key="job1", member=alice)
    assert JobFollow.objects.get().interview_title == "Barista"
    assert not job_followed(scope=Scope(team=other_team), interview_key="job1", member=alice)
    job_unfollow(scope=scope, interview_key="job1", member=alice)
    assert not job_followed(scope=scope, interview_key="job1", member=alice)


def test_a_job_of_another_scope_cannot_be_followed(scope, job, other_team):
    from willo_integration.services.errors import JobNotFound

    alice = _member(scope.team, "alice")

    with pytest.raises(JobNotFound):
        job_follow(scope=Scope(team=other_team), interview=job, member=alice)
    assert not JobFollow.objects.exists()


def test_the_digest_goes_after_seven_once_a_day_with_the_new_responses(scope, job):
    alice = _member(scope.team, "alice")
    follow(scope, job, alice, since=at(-24))
    responded(scope, job, "p-old", "Olga Old", at(-30))  # before she followed
    responded(scope, job, "p-ann", "Ann Archer", at(-14))
    responded(scope, job, "p-ben", "Ben Baker", at(-2))

    assert member_digests(now=at(6, 59)) == 0
    assert member_digests(now=at(7, 5)) == 1
    assert member_digests(now=at(9, 0)) == 0  # one a day
    responded(scope, job, "p-cat", "Cat Cole", at(10))
    assert member_digests(now=at(12, 0)) == 0  # still one a day
    assert member_digests(now=at(24 + 7, 1)) == 1

    first, second = emails(Kind.DIGEST)
    assert first.to_email == "alice@example.com"
    assert first.subject == "2 new responses in the jobs you follow (Acme Hiring)"
    assert "Barista: 2 new responses (Ben Baker, Ann Archer)" in first.text_body
    assert "Olga" not in first.text_body
    assert f"{PUBLIC}/teams/acme-hiring/jobs/job1/" in first.text_body
    assert "Barista: 1 new response (Cat Cole)" in second.text_body
    assert "Ann" not in second.text_body
    assert JobFollow.objects.get().digested_until == at(24 + 7, 1)
    (message, _second) = deliver()
    assert "Ben Baker" in html_of(message)


def test_one_digest_per_member_and_team_lists_every_job_they_follow(scope, job, other_team):
    alice = _member(scope.team, "alice")
    chef = cached_interview(scope, key="job2", title="Chef")
    follow(scope, job, alice, since=at(-24))
    follow(scope, chef, alice, since=at(-24))
    quiet = cached_interview(scope, key="job3", title="Quiet")
    follow(scope, quiet, alice, since=at(-24))
    responded(scope, job, "p-ann", "Ann Archer", at(-3))
    responded(scope, chef, "p-ben", "Ben Baker", at(-3))
    bravo = Scope(team=other_team)
    Membership.objects.create(user=alice, team=other_team, role=Membership.Role.VIEWER)
    bravo_job = cached_interview(bravo, key="job-b", title="Waiter")
    follow(bravo, bravo_job, alice, since=at(-24))
    responded(bravo, bravo_job, "p-zed", "Zed Zane", at(-3))

    assert member_emails_run(now=at(8)) == 2

    acme, bravo_email = emails(Kind.DIGEST)
    assert "Barista: 1 new response (Ann Archer)" in acme.text_body
    assert "Chef: 1 new response (Ben Baker)" in acme.text_body
    assert "Quiet" not in acme.text_body
    assert "Zed" not in acme.text_body
    assert f"{PUBLIC}/teams/acme-hiring/jobs/" in acme.text_body
    assert bravo_email.team == other_team
    assert "Waiter: 1 new response (Zed Zane)" in bravo_email.text_body


def test_nothing_new_makes_no_digest(scope, job):
    alice = _member(scope.team, "alice")
    follow(scope, job, alice, since=at(-24))
    responded(scope, job, "p-old", "Olga Old", at(-30))

    assert member_digests(now=at(8)) == 0
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("why", ["digest off", "no address", "left the team"])
def test_no_digest_for_a_member_who_turned_it_off_has_no_address_or_left(scope, job, why):
    alice = _member(
        scope.team,
        "alice",
        email="" if why == "no address" else None,
        **({"email_digest": False} if why == "digest off" else {}),
    )
    follow(scope, job, alice, since=at(-24))
    responded(scope, job, "p-ann", "Ann Archer", at(-3))
    if why == "left the team":
        Membership.objects.filter(user=alice).delete()

    assert member_digests(now=at(8)) == 0
    assert not OutboundEmail.objects.exists()


def test_a_blind_reviewers_digest_counts_without_names(scope, job):
    alice = _member(scope.team, "alice", blind_review=True)
    follow(scope, job, alice, since=at(-24))
    responded(scope, job, "p-ann", "Ann Archer", at(-3))

    member_digests(now=at(8))

    (email,) = emails(Kind.DIGEST)
    assert "Barista: 1 new response" in email.text_body
    assert "Ann" not in email.text_body + email.html_body


def test_a_digest_uses_the_jobs_title_as_cached_now(scope, job):
    alice = _member(scope.team, "alice")
    follow(scope, job, alice, since=at(-24))
    job.title = "Head barista"
    job.save()
    responded(scope, job, "p-ann", "Ann Archer", at(-3))

    member_digests(now=at(8))

    assert "Head barista: 1 new response" in emails(Kind.DIGEST)[0].text_body


def test_the_run_of_beat_with_nothing_due_makes_nothing(scope):
    assert member_emails_run(now=timezone.now()) == 0
