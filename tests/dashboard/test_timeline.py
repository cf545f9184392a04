"""One timeline per candidate, newest first: decisions in every state, reviews (colleagues'
hidden under independent review until I recommend), notes, identity reveals, the invitation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.models import Decision, IdentityReveal, Note
from tests.dashboard.test_interviews_views import seed_job
from tests.dashboard.test_reviews import review
from willo_integration.services.scope import Scope


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


@pytest.fixture
def scope(world):
    return Scope(team=world.team_a)


def page(client, world, key="p-ann", **query) -> str:
    url = reverse(
        "dashboard:participant_detail", kwargs={"slug": world.team_a.slug, "participant_key": key}
    )
    html = client.get(url, query, **({"HTTP_HX_REQUEST": "true"} if query else {}))
    html = html.content.decode()
    start = html.index('<section id="timeline"')
    return html[start : html.index("</section>", start)]


def entries(html: str) -> list[str]:
    """Each entry's line, in the timeline's order, without its time."""
    lines = re.findall(r"<li class=\"timeline__entry[^>]*>\s*<p>(.*?)</p>", html, re.S)
    return [" ".join(re.sub(r"<time[^>]*>.*?</time>|<[^>]+>", "", line).split()) for line in lines]


def decision(world, state, **fields):
    return Decision.objects.create(
        team=world.team_a, participant_key="p-ann", participant_name="Ann Archer",
        status=fields.pop("status", "Accepted"), actor=world.rita, actor_username="rita",
        state=state, **fields,
    )  # fmt: skip


def test_every_decision_state_is_on_the_timeline_newest_first(client, world, job):
    now = timezone.now()
    undone = decision(world, Decision.State.UNDONE, undone_at=now, undone_by_username="alice")
    sent = decision(world, Decision.State.SENT, status="Rejected", sent_at=now)
    failed = decision(world, Decision.State.FAILED, last_error="Willo refused it: closed")
    replaced = decision(world, Decision.State.SUPERSEDED)
    ages = {undone: 40, sent: 30, failed: 20, replaced: 10}
    for made, minutes in ages.items():
        Decision.objects.filter(pk=made.pk).update(
            created_at=now - timedelta(minutes=minutes + 1),
            updated_at=now - timedelta(minutes=minutes),
        )
    Decision.objects.filter(pk=undone.pk).update(undone_at=now - timedelta(minutes=39))
    Decision.objects.filter(pk=sent.pk).update(sent_at=now - timedelta(minutes=29))
    client.force_login(world.rita)

    html = page(client, world)

    assert entries(html) == [
        "The acceptance was replaced by a newer decision before it was sent",
        "rita decided: Accept",
        "The acceptance did not reach Willo: Willo refused it: closed",
        "rita decided: Accept",
        "Willo Willo confirmed the rejection",
        "rita decided: Reject",
        "alice undid the acceptance before it was sent",
        "rita decided: Accept",
        "Willo Invited to the interview in Willo",
    ]


def test_reviews_show_with_their_changes_and_colleagues_only_once_i_recommend(
    client, world, job, scope
):
    review(scope, world.alice, "strong_no", note="Too quiet.")
    review(scope, world.rita, "", a1=4)
    client.force_login(world.rita)

    hidden = page(client, world)
    review(scope, world.rita, "yes", a1=4, a2=5)
    shown = page(client, world)

    assert "rita reviewed: no recommendation yet; 1 answer rated, average 4.0 of 5" in hidden
    assert "alice" not in hidden
    assert "Too quiet." not in hidden
    assert "Colleagues' reviews show once you give your recommendation." in hidden
    assert "rita changed their review: none → Yes; 2 answers rated, average 4.5 of 5" in shown
    assert "alice reviewed: Strong no" in shown
    assert "Too quiet." in shown


def test_notes_and_identity_reveals_are_on_it(client, world, job):
    Note.objects.create(
        team=world.team_a, participant_key="p-ann", author=world.alice, author_username="alice",
        text="Call her <b>back</b>",
    )  # fmt: skip
    IdentityReveal.objects.create(team=world.team_a, participant_key="p-ann", actor_username="rita")
    client.force_login(world.rita)

    html = page(client, world)

    assert "alice wrote a note" in html
    assert "Call her &lt;b&gt;back&lt;/b&gt;" in html
    assert "rita revealed the identity check&#x27;s masked details" in html


def test_the_live_refresh_brings_the_timeline_out_of_band(client, world, job, scope):
    client.force_login(world.rita)
    review(scope, world.rita, "yes")

    url = reverse(
        "dashboard:participant_detail",
        kwargs={"slug": world.team_a.slug, "participant_key": "p-ann"},
    )
    html = client.get(url, {"part": "live"}, HTTP_HX_REQUEST="true").content.decode()

    timeline = html[html.index('<section id="timeline"') :]
    assert timeline[: timeline.index(">")].endswith('hx-swap-oob="true"')
    assert "rita reviewed: Yes" in html


def test_another_teams_events_never_show(client, world, job):
    Note.objects.create(
        team=world.team_b, participant_key="p-ann", author_username="bob", text="Bravo's note"
    )
    client.force_login(world.rita)

    assert "Bravo" not in page(client, world)


def test_status_changes_from_willo_are_on_it(client, world, job, scope):
    from willo_integration import schemas
    from willo_integration.models import Source
    from willo_integration.services.cache_writer import participant_store

    moved = schemas.Participant(
        key="p-cat",
        status="Started",
        status_changed_at=timezone.now(),
        status_changed_by="cat@example.com",
    )
    participant_store(scope=scope, payload=moved, source=Source.WEBHOOK)
    client.force_login(world.rita)

    lines = entries(page(client, world, key="p-cat"))

    assert lines[0] == "Willo Status in Willo: Started, by cat@example.com"
    assert lines[-1] == "Willo Invited to the interview in Willo"


def test_erasure_takes_the_candidates_status_history_with_them(world, job, scope):
    from willo_integration import schemas
    from willo_integration.models import Source, StatusChange
    from willo_integration.services.cache_writer import participant_store
    from willo_integration.services.data_protection import candidate_erase

    for key in ("p-cat", "p-ben"):
        moved = schemas.Participant(key=key, status="Rejected", status_changed_at=timezone.now())
        participant_store(scope=scope, payload=moved, source=Source.READ)

    candidate_erase(keys=["p-cat"])

    assert list(StatusChange.objects.values_list("participant_key", flat=True)) == ["p-ben"]


def test_willos_comments_and_scores_are_on_it_with_each_criterion(client, world, job):
    from willo_integration.models import WilloComment, WilloScore

    now = timezone.now()
    WilloComment.objects.create(
        team=world.team_a, participant_key="p-ann", key="c1", text="Great energy",
        author_name="Steve Doe", created_at=now - timedelta(minutes=2), received_at=now,
    )  # fmt: skip
    WilloScore.objects.create(
        team=world.team_a, participant_key="p-ann", key="s1", general_score="4.50",
        scored_by_name="Steve Doe", scored_at=now - timedelta(minutes=1), received_at=now,
        criteria=[{"text": "Communication skills", "score": "5.00"}, {"text": None, "score": None}],
    )  # fmt: skip
    client.force_login(world.rita)

    html = page(client, world)

    assert entries(html)[:2] == [
        "Willo Steve Doe scored in Willo: 4.50",
        "Willo Steve Doe commented in Willo",
    ]
    assert "Communication skills: <strong>5.00</strong>" in html
    assert "A criterion: <strong>not given</strong>" in html
    assert "Great energy" in html
