"""Decisions in `make demo`'s mode (the filesystem broker, a real worker and beat): a
recruiter's click answers at once; the worker sends it once its undo window has passed;
Willo down then up, it is sent exactly once; undone in its window, Willo never hears of it.

Willo is the demo's own sandbox, over HTTP: "down" is the site started with
WILLO_SANDBOX_ERROR_RATE=1 (every Willo request answers 5xx), "up" the same site started
again without it, on the same database and broker, as an operator restarting would.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest

from dashboard.management.commands.demo_setup import DEMO_PASSWORD, DEMO_USERNAME
from tests.services.conftest import wait_for

# A responded candidate of the demo team, read into the cache as opening its page would.
CANDIDATE = """
import json
from dashboard.models import Team
from willo_integration.sandbox.models import Participant
from willo_integration.services.participants import participant_refresh
from willo_integration.services.scope import Scope

team = Team.objects.get(name="Northwind Talent")
candidate = Participant.objects.filter(
    organisation__name=team.name, organisation__parent=None, status="Completed"
).order_by("id").first()
participant_refresh(scope=Scope(team=team), key=candidate.key)
print(json.dumps({"team": team.slug, "key": candidate.key}))
"""


@pytest.fixture
def demo_site_env() -> dict[str, str]:
    # A short undo window, and Willo's timeout short enough for a lease to run out quickly.
    return {"WILLO_DECISION_UNDO_SECONDS": "3", "WILLO_TIMEOUT_SECONDS": "2"}


def _signed_in(site, username: str = DEMO_USERNAME, password: str = DEMO_PASSWORD) -> httpx.Client:
    browser = httpx.Client(base_url=site.url, timeout=10, follow_redirects=False)
    browser.get("/accounts/login/")
    answer = browser.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
    )
    assert answer.status_code == 302, answer.text[:300]
    return browser


def _post(browser: httpx.Client, path: str, **data: str) -> httpx.Response:
    return browser.post(path, data=data, headers={"X-CSRFToken": browser.cookies["csrftoken"]})


def _decision(site, key: str) -> tuple[str, int, str]:
    (row,) = site.rows(
        "SELECT state, attempts, last_error FROM dashboard_decision WHERE participant_key = ? "
        "ORDER BY id DESC LIMIT 1",
        (key,),
    )
    return row


def _sandbox_status(site, key: str) -> str:
    sql = "SELECT status FROM sandbox_participant WHERE key = ?"
    return site.rows(sql, (key,))[0][0]


def _patches(log: str, key: str) -> list[str]:
    """The status codes the sandbox answered to PATCHes of the candidate, from the web
    process's request log."""
    return re.findall(rf'"PATCH /api/integrations/v2/participants/{key}/ HTTP/1\.1" (\d+)', log)


def test_willo_down_then_up_the_decision_is_sent_exactly_once(demo_site):
    candidate = json.loads(demo_site.shell(CANDIDATE).strip().splitlines()[-1])
    key = candidate["key"]
    demo_site.stop()
    demo_site.env["WILLO_SANDBOX_ERROR_RATE"] = "1"  # Willo is down
    demo_site.start()
    browser = _signed_in(demo_site)

    answer = _post(
        browser, f"/teams/{candidate['team']}/candidates/{key}/decision/", status="Accepted"
    )

    assert answer.status_code == 302  # recorded; nothing waited for Willo
    assert _decision(demo_site, key)[0] == "pending"
    # The worker tries once the window has passed; Willo fails; the decision waits.
    wait_for(lambda: _decision(demo_site, key)[2], timeout=30)  # its first attempt's outcome
    state, _attempts, reason = _decision(demo_site, key)
    assert state == "pending"
    assert re.fullmatch(r"Willo failed \(HTTP 50\d\)\.", reason)
    down_log = demo_site.log()
    assert _patches(down_log, key)  # Willo was asked, and failed every time
    assert set(_patches(down_log, key)) <= {"500", "502", "503"}

    demo_site.stop()
    del demo_site.env["WILLO_SANDBOX_ERROR_RATE"]  # Willo is back
    demo_site.start()

    wait_for(lambda: _decision(demo_site, key)[0] == "sent", timeout=60)
    assert _sandbox_status(demo_site, key) == "Accepted"
    assert _patches(demo_site.log(), key).count("200") == 1
    assert _patches(down_log, key).count("200") == 0


def test_undone_within_its_window_willo_never_hears_of_it(demo_site):
    candidate = json.loads(demo_site.shell(CANDIDATE).strip().splitlines()[-1])
    key = candidate["key"]
    browser = _signed_in(demo_site)
    _post(browser, f"/teams/{candidate['team']}/candidates/{key}/decision/", status="Rejected")
    (decision_id,) = demo_site.rows(
        "SELECT id FROM dashboard_decision WHERE participant_key = ?", (key,)
    )[0]

    undo = _post(browser, f"/teams/{candidate['team']}/decisions/{decision_id}/undo/")

    assert undo.status_code in (200, 302)
    assert _decision(demo_site, key)[0] == "undone"
    # Past the window, with beat sweeping every second and the worker holding its task.
    wait_for(lambda: "decision_send_task" in demo_site.log() and "not claimed" in demo_site.log())
    assert _decision(demo_site, key)[0] == "undone"
    assert _patches(demo_site.log(), key) == []
    assert _sandbox_status(demo_site, key) == "Completed"
