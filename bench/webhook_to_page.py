"""Webhook to page shown: how long after Willo fires new_response an open job page shows
the candidate, with no reload.

    .venv/bin/python bench/webhook_to_page.py [--deliveries 15]

One gunicorn process (DEBUG settings, SQLite, eager Celery, local-memory cache: the
default one-box mode) serves the dashboard and the sandbox. This process seeds the
sandbox, registers the team's webhooks, opens the job page (ordered by latest response)
in Debian's chromium, and then, for each delivery, makes a sandbox candidate of that job
respond: the sandbox POSTs new_response to the receiver, which stores and applies it; the
page's poller (every 2 s) sees the change marker move and the table fetches itself.

Prints the median and p95 of "page shows the candidate" and, as the baseline measured in
the same run, of "delivery acknowledged", and their ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=15)
    args = parser.parse_args()

    from recruiter_pages import _free_port

    workdir = Path(tempfile.mkdtemp(prefix="willo-bench-live-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "WILLO_ALLOW_EAGER_TASKS": "true",  # webhooks applied in the web process, as measured
        "WILLO_ALLOW_PRIVATE_API_HOSTS": "true",  # the sandbox is on loopback
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "WILLO_SANDBOX_BASE_URL": f"{base}/api/integrations/v2",
        "WILLO_REQUESTS_PER_SECOND": "50",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from willo_integration.sandbox import seed

    keys = seed.seed(participants=120)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dashboard.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--threads", "8", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **env},
        stdout=open(workdir / "gunicorn.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )  # fmt: skip
    # Playwright's sync API runs an event loop in this thread; the ORM calls between its
    # steps are still plain blocking calls (this process only, not the server's).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        _wait_for(base)
        _run(args, base, keys)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(base: str) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/accounts/login/", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def _run(args: argparse.Namespace, base: str, keys) -> None:
    from django.contrib.auth import get_user_model
    from playwright.sync_api import sync_playwright

    from dashboard.models import Membership, Team
    from willo_integration.models import CachedInterview
    from willo_integration.sandbox import knobs, simulate
    from willo_integration.sandbox.models import Interview as SandboxInterview
    from willo_integration.sandbox.models import Participant as SandboxParticipant
    from willo_integration.sandbox.models import WebhookDelivery
    from willo_integration.services.refresh import interview_refresh, interviews_refresh
    from willo_integration.services.scope import Scope
    from willo_integration.services.webhooks import webhook_register

    owner = keys.demo_owner_key
    team = Team(name="Bench Live", environment=Team.Environment.SANDBOX)
    team.set_api_key(owner)
    team.save()
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    scope = Scope(team=team)
    interviews_refresh(scope=scope)
    job = CachedInterview.objects.filter(team=team).order_by("title").first()
    interview_refresh(scope=scope, key=job.key)
    webhook_register(scope=scope, public_url=base)
    interview = SandboxInterview.objects.get(key=job.key)
    waiting = list(
        SandboxParticipant.objects.filter(organisation=interview.organisation, status="Invited")
    )[: args.deliveries]
    rng = random.Random(11)
    shown, acknowledged = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(base_url=base)
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("bench")
        page.get_by_label("Password", exact=True).fill("bench-password-1")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(f"/teams/{team.slug}/jobs/{job.key}/?ordering=-responded_at")
        for participant in waiting:
            participant.interview = interview
            participant.save()
            time.sleep(rng.uniform(0.2, 2.2))  # deliveries land anywhere in the poll cycle
            started = time.perf_counter()
            with knobs.override(webhook_mode="sync"):
                simulate.respond(participant, rng, base=base)
            acknowledged.append(time.perf_counter() - started)
            page.wait_for_selector(f"#row-{participant.key}", timeout=15_000)
            shown.append(time.perf_counter() - started)
        browser.close()
    failed = WebhookDelivery.objects.filter(succeeded=False).count()
    print(f"Webhook to page shown, {len(shown)} new_response deliveries, poll every 2 s")
    print(f"  delivery acknowledged (baseline): {_fmt(acknowledged)}")
    print(f"  page shows the candidate:         {_fmt(shown)}")
    print(f"  failed deliveries: {failed}")
    print(f"  ratio (shown / acknowledged, medians): "
          f"{statistics.median(shown) / statistics.median(acknowledged):.1f}x")  # fmt: skip


def _fmt(seconds: list[float]) -> str:
    p95 = sorted(seconds)[max(0, int(len(seconds) * 0.95) - 1)]
    return f"median {statistics.median(seconds) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


if __name__ == "__main__":
    main()
