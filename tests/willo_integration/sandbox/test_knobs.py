"""Latency, the per-key rate limit with Retry-After, and injected 5xx errors."""

from __future__ import annotations

import time

from willo_integration.sandbox import knobs


def test_latency_is_added_to_every_response(api):
    with knobs.override(latency_ms=150):
        started = time.monotonic()
        assert api().get("/languages/").status_code == 200
        assert time.monotonic() - started >= 0.15


def test_the_rate_limit_answers_429_with_retry_after(api, seeded):
    with knobs.override(rate_limit=3, rate_window_s=2):
        statuses = [api().get("/languages/").status_code for _ in range(4)]
        limited = api().get("/languages/")
        other_key = api(seeded.admin).get("/languages/")
    assert statuses == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 2
    assert "throttled" in limited.json()["detail"]
    # The limit is per key: another key still gets through.
    assert other_key.status_code == 200


def test_the_rate_limit_window_slides(api):
    with knobs.override(rate_limit=1, rate_window_s=0.2):
        assert api().get("/languages/").status_code == 200
        assert api().get("/languages/").status_code == 429
        time.sleep(0.25)
        assert api().get("/languages/").status_code == 200


def test_an_error_rate_of_one_fails_every_request_with_a_5xx(api):
    with knobs.override(error_rate=1.0, error_seed=1):
        statuses = {api().get("/interviews/").status_code for _ in range(10)}
    assert statuses <= {500, 502, 503}


def test_an_error_rate_fails_about_that_share(api):
    with knobs.override(error_rate=0.3, error_seed=7):
        failures = sum(api().get("/languages/").status_code >= 500 for _ in range(100))
    assert 15 <= failures <= 45


def test_knobs_come_from_settings(settings):
    settings.SANDBOX_KNOBS = {"latency_ms": 25, "rate_limit": 9, "unknown": 1}
    knobs.reset()
    try:
        current = knobs.current()
        assert (current.latency_ms, current.rate_limit) == (25, 9)
    finally:
        knobs.reset()
