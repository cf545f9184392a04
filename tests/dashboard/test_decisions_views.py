"""Accept and reject from the candidate page, a table row and in bulk; undo, retry, the notice.

No decision view calls Willo: each records the decision and answers at once. Decisions are
sent the way beat sends them, by ``decisions_sweep()`` once their undo window has passed.
"""

from __future__ import annotations

import json
import logging
import re

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.models import Decision
from tests.dashboard.test_interviews_views import job_url, seed_job
from willo_integration.models import CachedParticipant
from willo_integration.services.decisions import decisions_sweep

NOTICE_OOB = '<div id="decision-notices" hx-swap-oob="innerHTML">'


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


class Willo:
    """A fake Willo that takes every status change, and records every request it is sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = self.accept

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    @staticmethod
    def accept(request: httpx.Request) -> httpx.Response:
        key = request.url.path.rstrip("/").split("/")[-1]
        if request.method == "PATCH":
            status = json.loads(request.content)["status"]
            return httpx.Response(200, json={"key": key, "status": status})
        return httpx.Response(200, json={"key": key, "status": "Completed"})

    @property
    def patched(self) -> list[tuple[str, str]]:
        return [
            (r.url.path.rstrip("/").split("/")[-1], json.loads(r.content)["status"])
            for r in self.requests
            if r.method == "PATCH"
        ]


@pytest.fixture
def willo(willo_transport) -> Willo:
    fake = Willo()
    willo_transport(fake)
    return fake


def decide_url(world, key):
    return reverse(
        "dashboard:participant_decide", kwargs={"slug": world.team_a.slug, "participant_key": key}
    )


def candidate_url(world, key):
    return reverse(
        "dashboard:participant_detail", kwargs={"slug": world.team_a.slug, "participant_key": key}
    )


def undo_url(decision, name="dashboard:decision_undo"):
    return reverse(name, kwargs={"slug": decision.team.slug, "decision_id": decision.pk})


def bulk_url(job):
    return job_url(job, "dashboard:participants_decide_bulk")


def send_now(*decisions: Decision) -> None:
    """Their undo window has passed and beat's sweep runs."""
    Decision.objects.filter(pk__in=[d.pk for d in decisions]).update(next_attempt_at=timezone.now())
    decisions_sweep()


def decide(client, world, key, status="Accepted", **extra) -> Decision:
    client.post(decide_url(world, key), {"status": status, **extra}, HTTP_HX_REQUEST="true")
    return Decision.objects.filter(participant_key=key).latest("created_at", "pk")


def panel(client, world, key) -> str:
    """The candidate page's decision panel, as the page shows it."""
    html = client.get(candidate_url(world, key)).content.decode()
    start = html.index('<section id="decision"')
    return html[start : html.index("</section>", start)]


# --- deciding: recorded at once, Willo not called ---------------------------------------------


def test_accepting_answers_the_panel_with_a_countdown_and_undo_and_calls_no_one(
    client, world, job, willo
):
    client.force_login(world.rita)

    response = client.post(
        decide_url(world, "p-ann"), {"status": "Accepted"}, HTTP_HX_REQUEST="true"
    )

    content = response.content.decode()
    decision = Decision.objects.get()
    assert willo.requests == []
    assert (decision.state, decision.actor_username) == (Decision.State.PENDING, "rita")
    assert content.lstrip().startswith('<section id="decision"')
    assert re.search(r"Ann Archer will be accepted in <span data-countdown=\"(9|10)\"", content)
    assert f'hx-post="{undo_url(decision)}"' in content
    assert 'Undo<span class="visually-hidden"> the acceptance of Ann Archer</span>' in content
    assert "<strong data-status>Completed</strong>" in content  # Willo has not heard of it
    assert NOTICE_OOB in content  # the notice, outside what the live refresh swaps
    notice = content[content.index(NOTICE_OOB) :]
    assert "Ann Archer will be accepted in" in notice
    assert ">Dismiss</button>" in notice
    assert CachedParticipant.objects.get(key="p-ann").status == "Completed"


def test_a_row_decision_answers_the_row_with_its_countdown_and_undo(client, world, job, willo):
    client.force_login(world.rita)

    response = client.post(
        decide_url(world, "p-ben"),
        {"status": "Rejected", "view": "row", "filter_query": "status=Completed"},
        HTTP_HX_REQUEST="true",
    )

    content = response.content.decode()
    decision = Decision.objects.get()
    assert willo.requests == []
    assert content.lstrip().startswith('<tr id="row-p-ben"')
    assert "data-undo-window" in content.split(">", 1)[0]
    assert re.search(r"Rejecting in <span data-countdown=\"(9|10)\"", content)
    assert f'hx-post="{undo_url(decision)}" hx-target="#row-p-ben"' in content
    assert '<input type="hidden" name="view" value="row">' in content
    assert "Ben Baker will be rejected in" in content[content.index(NOTICE_OOB) :]


def test_a_bulk_decision_answers_the_results_and_a_notice_to_undo_all(client, world, job, willo):
    client.force_login(world.rita)

    response = client.post(
        bulk_url(job),
        {
            "keys": ["p-ann", "p-ben", "not-in-this-job"],
            "status": "Rejected",
            "filter_query": "q=ann",
        },
        HTTP_HX_REQUEST="true",
    )

    content = response.content.decode()
    decisions = list(Decision.objects.order_by("participant_name"))
    assert willo.requests == []
    assert [d.participant_key for d in decisions] == ["p-ann", "p-ben"]
    assert {d.state for d in decisions} == {Decision.State.PENDING}
    assert content.lstrip().startswith('<section id="results"')
    assert [p.name for p in response.context["rows"]] == ["Ann Archer"]
    notice = content[content.index(NOTICE_OOB) :]
    assert re.search(r"2 candidates will be rejected in <span data-countdown=\"(9|10)\"", notice)
    assert "Undo all 2</button>" in notice
    assert reverse("dashboard:decisions_undo", kwargs={"slug": world.team_a.slug}) in notice
    for decision in decisions:
        assert f'name="decision_id" value="{decision.pk}"' in notice


def test_the_sweep_sends_them_once_the_window_has_passed(client, world, job, willo):
    client.force_login(world.rita)
    client.post(
        bulk_url(job), {"keys": ["p-ann", "p-ben"], "status": "Rejected"}, HTTP_HX_REQUEST="true"
    )

    send_now(*Decision.objects.all())

    assert sorted(willo.patched) == [("p-ann", "Rejected"), ("p-ben", "Rejected")]
    assert set(Decision.objects.values_list("state", flat=True)) == {Decision.State.SENT}


# --- each state, in words ------------------------------------------------------------------


def test_after_the_window_it_says_sending(client, world, job, willo, settings):
    settings.WILLO_DECISION_UNDO_SECONDS = 0
    client.force_login(world.rita)
    decide(client, world, "p-ann")

    html = panel(client, world, "p-ann")

    assert "Sending to Willo…" in html
    assert "data-countdown" not in html
    assert "Undo" not in html


def test_once_sent_it_says_by_whom_and_when_and_offers_a_change(client, world, job, willo):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann")
    send_now(decision)
    decision.refresh_from_db()

    html = panel(client, world, "p-ann")

    at = timezone.localtime(decision.sent_at).strftime("%H:%M")
    assert f"Accepted in Willo by rita at {at}" in html
    assert "<strong data-status>Accepted</strong>" in html
    assert "Change to Rejected" in html
    assert "Undo" not in html


def test_while_willo_is_not_answering_it_says_when_the_next_try_is(
    client, world, job, willo, settings
):
    settings.WILLO_DECISION_UNDO_SECONDS = 0

    def down(request):
        raise httpx.ConnectError("connection refused", request=request)

    willo.answer = down
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann")
    decisions_sweep()
    decision.refresh_from_db()

    html = panel(client, world, "p-ann")

    at = timezone.localtime(decision.next_attempt_at).strftime("%H:%M:%S")
    assert f"Willo is not answering. Next try at {at} (attempt 2 of 6)" in html


def test_a_refused_decision_says_why_and_offers_retry(client, world, job, willo, settings):
    settings.WILLO_DECISION_UNDO_SECONDS = 0
    willo.answer = lambda request: httpx.Response(400, json={"status": ["Not allowed now."]})
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann")
    decisions_sweep()

    html = panel(client, world, "p-ann")

    assert "Not sent: Willo refused it:" in html
    assert "Not allowed now." in html
    assert undo_url(decision, "dashboard:decision_retry") in html


def test_an_undone_decision_says_willo_never_heard_of_it(client, world, job, willo):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann")
    client.post(undo_url(decision), HTTP_HX_REQUEST="true")

    html = panel(client, world, "p-ann")

    assert "Acceptance undone by rita: Willo never heard of it" in html


def test_a_decision_replaced_before_it_was_sent_says_so_in_the_history(client, world, job, willo):
    client.force_login(world.rita)
    decide(client, world, "p-ann", "Accepted")
    decide(client, world, "p-ann", "Rejected")

    html = panel(client, world, "p-ann")

    history = html[html.index('<ol class="decision-history"') :]
    items = re.findall(r"<li>.*?</li>", history, re.S)
    assert len(items) == 2
    assert "<strong>Reject</strong> by rita" in items[0]
    assert "Ann Archer will be rejected in" in items[0]
    assert "<strong>Accept</strong> by rita" in items[1]
    assert "Replaced by a later decision before it was sent" in items[1]


def test_a_sent_decision_changed_keeps_both_in_the_history(client, world, job, willo):
    client.force_login(world.rita)
    accepted = decide(client, world, "p-ann", "Accepted")
    send_now(accepted)
    rejected = decide(client, world, "p-ann", "Rejected")
    send_now(rejected)

    html = panel(client, world, "p-ann")

    assert willo.patched == [("p-ann", "Accepted"), ("p-ann", "Rejected")]
    history = html[html.index('<ol class="decision-history"') :]
    assert history.index("Rejected in Willo by rita") < history.index("Accepted in Willo by rita")
    assert "Change to Accepted" in html


def test_while_a_change_waits_to_be_sent_the_other_button_keeps_what_willo_has(
    client, world, job, willo
):
    client.force_login(world.rita)
    send_now(decide(client, world, "p-ann", "Accepted"))
    decide(client, world, "p-ann", "Rejected")

    html = panel(client, world, "p-ann")

    assert re.search(r"<button [^>]*button--accept\"\s*>Keep Accepted", html)
    assert re.search(r"<button [^>]*button--reject\" disabled>Reject", html)


# --- undo ----------------------------------------------------------------------------------


def test_undo_in_the_window_answers_200_and_willo_never_hears_of_it(client, world, job, willo):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann")

    response = client.post(undo_url(decision), {"view": "panel"}, HTTP_HX_REQUEST="true")
    send_now(decision)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section id="decision"')
    assert (
        "Acceptance undone by rita: Willo never heard of it" in content[content.index(NOTICE_OOB) :]
    )
    decision.refresh_from_db()
    assert decision.state == Decision.State.UNDONE
    assert willo.requests == []
    assert CachedParticipant.objects.get(key="p-ann").status == "Completed"


def test_undo_after_it_was_sent_answers_409_with_why_in_the_panel(
    client, world, job, willo, caplog
):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann")
    send_now(decision)

    with caplog.at_level(logging.INFO, logger="dashboard.decisions"):
        response = client.post(undo_url(decision), {"view": "panel"}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    why = "Too late to undo: Willo has the acceptance. Change the decision instead."
    assert response.status_code == 409
    assert content.lstrip().startswith('<section id="decision"')
    assert f'<p class="message message--error decision__error" role="alert">{why}</p>' in content
    assert why in content[content.index(NOTICE_OOB) :]
    assert f"undo of decision {decision.pk} by rita refused: {why}" in caplog.text
    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT


def test_undo_from_a_row_that_is_too_late_answers_409_with_the_row(client, world, job, willo):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ben", "Rejected", view="row")
    send_now(decision)

    response = client.post(undo_url(decision), {"view": "row"}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert response.status_code == 409
    assert content.lstrip().startswith('<tr id="row-p-ben"')
    assert 'role="alert">Too late to undo: Willo has the rejection.' in content


def test_undo_from_the_notice_answers_the_notice(client, world, job, willo):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann")

    response = client.post(undo_url(decision), {"view": "notice"}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="decision-notice"')
    assert "Acceptance undone by rita" in content
    assert "hx-get" not in content  # undone is final: nothing more to fetch


def test_undo_of_another_teams_decision_answers_404(client, world, job, willo):
    other = Decision.objects.create(
        team=world.team_b, participant_key="p-ann", status="Accepted", send_after=timezone.now()
    )
    client.force_login(world.rita)

    response = client.post(undo_url(other), HTTP_HX_REQUEST="true")

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.state == Decision.State.PENDING


def test_undo_is_post_only_and_needs_the_csrf_token(world, job, willo):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.rita)
    browser.post(decide_url(world, "p-ann"), {"status": "Accepted"})
    assert not Decision.objects.exists()  # no token: refused
    client = Client()
    client.force_login(world.rita)
    client.post(decide_url(world, "p-ann"), {"status": "Accepted"})
    decision = Decision.objects.get()

    get = browser.get(undo_url(decision))
    forged = browser.post(undo_url(decision))

    assert get.status_code == 405
    assert forged.status_code == 403
    decision.refresh_from_db()
    assert decision.state == Decision.State.PENDING


def test_undo_all_undoes_what_it_can_and_says_why_not_for_the_rest(client, world, job, willo):
    client.force_login(world.rita)
    client.post(
        bulk_url(job),
        {"keys": ["p-ann", "p-ben", "p-cat"], "status": "Rejected"},
        HTTP_HX_REQUEST="true",
    )
    ann = Decision.objects.get(participant_key="p-ann")
    send_now(ann)
    ids = list(Decision.objects.values_list("pk", flat=True))

    response = client.post(
        reverse("dashboard:decisions_undo", kwargs={"slug": world.team_a.slug}),
        {"decision_id": ids, "view": "notice"},
        HTTP_HX_REQUEST="true",
    )
    send_now(*Decision.objects.all())

    content = response.content.decode()
    assert response.status_code == 200
    assert (
        "2 rejections undone: Willo never heard of them. 1 could not be undone: Too late to "
        "undo: Willo has the rejection. Change the decision instead."
    ) in content
    assert willo.patched == [("p-ann", "Rejected")]
    states = dict(Decision.objects.values_list("participant_key", "state"))
    assert states == {"p-ann": "sent", "p-ben": "undone", "p-cat": "undone"}


def test_undo_all_of_another_teams_decisions_answers_404(client, world, job):
    other = Decision.objects.create(team=world.team_b, participant_key="x", status="Rejected")
    client.force_login(world.rita)

    response = client.post(
        reverse("dashboard:decisions_undo", kwargs={"slug": world.team_a.slug}),
        {"decision_id": [other.pk]},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.state == Decision.State.PENDING


# --- the notice, as it fetches itself ---------------------------------------------------------


def notice_url(world, *decisions):
    url = reverse("dashboard:decisions_notice", kwargs={"slug": world.team_a.slug})
    return url + "?" + "&".join(f"decision_id={d.pk}" for d in decisions)


def test_the_notice_refreshes_itself_until_the_decision_is_sent(client, world, job, willo):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann")
    pending = client.get(notice_url(world, decision), HTTP_HX_REQUEST="true").content.decode()
    send_now(decision)

    sent = client.get(notice_url(world, decision), HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-trigger="willo-changed from:body"' in pending
    assert "Accepted in Willo by rita" in sent
    assert "hx-get" not in sent
    assert ">Dismiss</button>" in sent


def test_a_bulk_notice_counts_the_states(client, world, job, willo):
    client.force_login(world.rita)
    client.post(
        bulk_url(job),
        {"keys": ["p-ann", "p-ben", "p-cat"], "status": "Rejected"},
        HTTP_HX_REQUEST="true",
    )
    decisions = list(Decision.objects.all())
    ann = next(d for d in decisions if d.participant_key == "p-ann")
    send_now(ann)

    content = client.get(notice_url(world, *decisions), HTTP_HX_REQUEST="true").content.decode()

    assert "Rejection of 3 candidates: 1 sent to Willo, 2 can still be undone" in content
    assert "Undo all 2</button>" in content


def test_the_notice_shows_nothing_of_another_team(client, world, job):
    other = Decision.objects.create(team=world.team_b, participant_key="x", status="Rejected")
    client.force_login(world.rita)

    response = client.get(notice_url(world, other), HTTP_HX_REQUEST="true")

    assert response.status_code == 204


# --- asking first -------------------------------------------------------------------------


def test_a_candidate_who_has_not_responded_is_asked_about_first(client, world, job):
    client.force_login(world.rita)

    invited = client.get(candidate_url(world, "p-cat")).content.decode()
    responded = client.get(candidate_url(world, "p-ann")).content.decode()
    table = client.get(job_url(job)).content.decode()

    assert 'data-confirm="Reject Cat Cole"' in invited
    assert "Cat Cole has not responded yet (Invited)." in invited
    assert "data-confirm=" not in responded
    assert '<dialog id="confirm-dialog"' in responded
    assert "You can undo it for 10 seconds. Only the status goes to Willo." in responded
    assert 'data-confirm="Accept Cat Cole"' in table
    assert 'data-confirm="Accept Ann Archer"' not in table
    assert 'data-confirm-bulk="Rejected"' in table


def test_without_javascript_a_decision_redirects_with_its_words(client, world, job, willo):
    client.force_login(world.rita)

    single = client.post(decide_url(world, "p-ann"), {"status": "Accepted"}, follow=True)
    row = client.post(
        decide_url(world, "p-ben"), {"status": "Rejected", "view": "row", "filter_query": "q=ben"}
    )

    assert single.redirect_chain[-1][0] == candidate_url(world, "p-ann")
    assert "Ann Archer will be accepted in" in single.content.decode()
    assert row.url == job_url(job) + "?q=ben"
    assert willo.requests == []


# --- retry, viewers, bad input ---------------------------------------------------------------


def test_retry_sends_a_failed_decision_again_by_the_sweep(client, world, job, willo, settings):
    settings.WILLO_DECISION_UNDO_SECONDS = 0
    willo.answer = lambda request: httpx.Response(400, json={"status": ["Not allowed now."]})
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann")
    decisions_sweep()
    willo.answer = Willo.accept
    willo.requests.clear()

    response = client.post(undo_url(decision, "dashboard:decision_retry"), HTTP_HX_REQUEST="true")

    assert willo.requests == []
    assert "Sending to Willo…" in response.content.decode()
    decisions_sweep()
    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT
    assert willo.patched == [("p-ann", "Accepted")]


def test_a_viewer_sees_no_controls_and_the_endpoints_answer_403(client, world, job):
    client.force_login(world.victor)
    page = client.get(candidate_url(world, "p-ann"))
    decision = Decision.objects.create(
        team=world.team_a, participant_key="p-ann", status="Accepted"
    )
    team = {"slug": world.team_a.slug}

    answers = [
        client.post(decide_url(world, "p-ann"), {"status": "Accepted"}),
        client.post(bulk_url(job), {"keys": ["p-ann"], "status": "Rejected"}),
        client.post(undo_url(decision)),
        client.post(reverse("dashboard:decisions_undo", kwargs=team), {"decision_id": decision.pk}),
        client.get(notice_url(world, decision)),
    ]

    assert page.status_code == 200
    assert b'data-decision="Accepted"' not in page.content
    assert b"confirm-dialog" not in page.content
    assert b"decision-notices" not in page.content
    assert {a.status_code for a in answers} == {403}
    assert Decision.objects.get().state == Decision.State.PENDING


def test_it_refuses_an_unknown_status(client, world, job):
    client.force_login(world.rita)

    response = client.post(decide_url(world, "p-ann"), {"status": "Maybe"})

    assert response.status_code == 400
    assert not Decision.objects.exists()
