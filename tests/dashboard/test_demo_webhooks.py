"""`make demo` registers the demo teams' webhooks (the agency's clients too) with the
sandbox it serves, once however often it runs, and says so."""

from __future__ import annotations

import sqlite3

from tests.demo_site import _free_port, _manage, _site_env

EVENTS = 4  # new_response, status_change, new_comment, new_score


def _webhooks(database) -> list[tuple[str, str, str]]:
    with sqlite3.connect(database) as db:
        return sorted(db.execute("SELECT key, url, event FROM sandbox_webhook").fetchall())


def test_demo_setup_registers_the_webhooks_once_however_often_it_runs(tmp_path):
    port = _free_port()
    env = _site_env(tmp_path, port, {"WILLO_SANDBOX_SIMULATE_SECONDS": "20"})
    _manage(env, "migrate", "--noinput", "-v", "0")

    first = _manage(env, "demo_setup", "--participants", "20")
    registered = _webhooks(tmp_path / "db.sqlite3")
    again = _manage(env, "demo_setup", "--participants", "20")

    scopes = first.count("webhooks registered with the sandbox")
    assert scopes >= 3  # both teams, and the agency's clients
    assert "client " in first  # an agency client's own webhooks
    assert len(registered) == EVENTS * scopes
    assert {url.split("/webhooks/")[0] for _key, url, _event in registered} == {
        f"http://127.0.0.1:{port}"
    }
    assert again.count("webhooks already registered") == scopes
    assert "webhooks registered with the sandbox" not in again
    assert _webhooks(tmp_path / "db.sqlite3") == registered  # the same ones, not new tokens
    assert "Every 20 s a sandbox candidate responds" in first
