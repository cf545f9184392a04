"""The staff's Sandbox page and the sandbox's knobs from the environment: Willo slow, rate
limited or down in one click, back to normal in another, each change logged; refused to
everyone but staff, and absent where the sandbox is off."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.dashboard.settings_probe import settings_probe
from willo_integration.sandbox import knobs

pytestmark = pytest.mark.django_db

PAGE = "/sandbox/"
API = "/api/integrations/v2/interviews/"  # any sandbox endpoint: the knobs act before auth


@pytest.fixture(autouse=True)
def _fresh_knobs():
    knobs.reset()
    yield
    knobs.reset()


def test_the_page_has_the_url_operators_are_told(world):
    assert reverse("dashboard:sandbox_knobs") == PAGE


def test_only_staff_see_it(client, world):
    assert client.get(PAGE).status_code == 302  # to the login page
    client.force_login(world.alice)  # a team admin, not staff
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"preset": "down"}).status_code == 403
    assert knobs.current().error_rate == 0
    assert 'href="/sandbox/"' not in client.get("/teams/").content.decode()

    client.force_login(world.staff)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Willo is down" in page.content.decode()
    assert 'href="/sandbox/"' in page.content.decode()  # in the header, for staff


def test_willo_down_in_one_click_and_back(client, world, caplog):
    client.force_login(world.staff)
    assert client.get(API).status_code == 401  # the sandbox answers (no key: refused)

    response = client.post(PAGE, {"preset": "down"})

    assert response.status_code == 302
    assert knobs.current().error_rate == 1.0
    assert client.get(API).status_code in {500, 502, 503}
    assert "sandbox knobs changed by staff: error_rate 0.0 -> 1.0" in caplog.text

    client.post(PAGE, {"preset": "normal"})
    assert knobs.current() == knobs.defaults()
    assert client.get(API).status_code == 401


def test_rate_limited_in_one_click(client, world):
    client.force_login(world.staff)

    client.post(PAGE, {"preset": "throttled"})

    statuses = [client.get(API).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert client.get(API)["Retry-After"].isdigit()


def test_the_knobs_form_sets_each_knob(client, world):
    client.force_login(world.staff)

    response = client.post(
        PAGE,
        {"latency_ms": "5", "rate_limit": "", "rate_window_s": "2", "error_percent": "25"},
    )

    assert response.status_code == 302
    current = knobs.current()
    assert (current.latency_ms, current.rate_limit, current.rate_window_s, current.error_rate) == (
        5.0,
        None,
        2.0,
        0.25,
    )


def test_a_knob_out_of_range_is_a_form_error_and_changes_nothing(client, world):
    client.force_login(world.staff)

    response = client.post(
        PAGE,
        {"latency_ms": "-1", "rate_limit": "0", "rate_window_s": "1", "error_percent": "150"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was changed" in page
    assert "greater than or equal to 0" in page
    assert "less than or equal to 100" in page
    assert knobs.current() == knobs.defaults()


def test_there_is_no_sandbox_page_where_the_sandbox_is_off(client, world, settings):
    settings.WILLO_SANDBOX_ENABLED = False
    client.force_login(world.staff)

    assert client.get(PAGE).status_code == 404
    assert 'href="/sandbox/"' not in client.get("/teams/").content.decode()


def test_the_knobs_come_from_the_environment(tmp_path):
    found = settings_probe(
        tmp_path,
        "[knobs.current().latency_ms, knobs.current().rate_limit, "
        "knobs.current().rate_window_s, knobs.current().error_rate, "
        "'willo-sandbox-simulate' in settings.CELERY_BEAT_SCHEDULE]",
        WILLO_SANDBOX_LATENCY_MS="150",
        WILLO_SANDBOX_RATE_LIMIT="7",
        WILLO_SANDBOX_RATE_WINDOW_S="3",
        WILLO_SANDBOX_ERROR_RATE="0.1",
        WILLO_SANDBOX_SIMULATE_SECONDS="0",
    )

    assert found == [150.0, 7, 3.0, 0.1, False]


def test_the_demo_schedules_the_sandboxs_life_every_20_seconds_by_default(tmp_path):
    entry = settings_probe(tmp_path, "settings.CELERY_BEAT_SCHEDULE['willo-sandbox-simulate']")

    assert entry == {"task": "willo_integration.sandbox.tasks.simulate_task", "schedule": 20.0}
