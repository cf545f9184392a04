"""A morning's review by keyboard in chromium: the review queue against today's walk.

    .venv/bin/python bench/review_loop.py [--participants 10000] [--walk 40] [--dwell 2]

Everything on loopback: a throwaway SQLite database; the Willo sandbox served by
`manage.py willo_sandbox serve` in a subprocess (the answers' media come from it); the
dashboard served by `manage.py runserver --noreload` in another; Debian's chromium driven
by Playwright. One job holds N cached candidates (cloned from real sandbox payloads), of
which 2 x --walk have responded and wait for a decision.

- *Queue*: review mode from the first waiting candidate; per candidate a dwell, then `y`
  (my Yes), and the next candidate shows by itself.
- *Today* (the baseline): the job table filtered to Completed, newest response first;
  per candidate `j` until its row has focus, Enter, a dwell, `a`, Alt+Left back.

Each walk has its own candidates (the oldest responses for the queue, the newest for the
table). Printed: keys per candidate, and the time from the key that asks for the next
candidate to the frame in which its name and first answer are painted (p50/p95/max),
measured in the page (the key's and the frame's timestamps on the page's clock); the web
server's CPU seconds per walk.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.recruiter_pages import SANDBOX_KEY, _free_port, _grow, _start_sandbox  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "bench-password-1"
# Records, on the page's own clock, each key pressed and each frame in which a new
# candidate's name and first answer are on screen (sessionStorage outlives a navigation).
PAINT_WATCH = """
(() => {
  const now = () => performance.timeOrigin + performance.now();
  window.addEventListener("keydown", () => sessionStorage.setItem("keyAt", String(now())), true);
  let shown = "";
  function frame() {
    const heading = document.querySelector("[data-candidate-name]") ||
      document.querySelector("main h1");
    const name = heading ? heading.textContent.trim() : "";
    if (name && name !== shown && document.querySelector("article.answer")) {
      shown = name;
      requestAnimationFrame(() => {
        const paints = JSON.parse(sessionStorage.getItem("paints") || "[]");
        paints.push([name, now()]);
        sessionStorage.setItem("paints", JSON.stringify(paints));
      });
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})();
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--walk", type=int, default=40)
    parser.add_argument("--dwell", type=float, default=2.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="willo-bench-"))
    database = workdir / "dashboard.sqlite3"
    sandbox_port, web_port = _free_port(), _free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}/api/integrations/v2"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_DEBUG="true",
        WILLO_ALLOW_EAGER_TASKS="true",
        WILLO_ALLOW_PRIVATE_API_HOSTS="true",  # the sandbox is on loopback
        WILLO_DECISION_UNDO_SECONDS="3600",  # nothing is sent during the walk
        DATABASE_URL=f"sqlite:///{database}",
        WILLO_REQUESTS_PER_SECOND="50",
        # The answers' media come from the sandbox's own origin, which the CSP then allows.
        WILLO_SANDBOX_BASE_URL=sandbox_url,
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sandbox = _start_sandbox(workdir, sandbox_port, 0)
    web = None
    try:
        team, job = _seed(args, sandbox_url)
        web = _start_web(workdir, web_port)
        _walks(args, f"http://127.0.0.1:{web_port}", team, job, web.pid)
    finally:
        for process in (web, sandbox):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)


def _seed(args, base_url: str):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dashboard.models import Membership, Team
    from willo_integration.models import CachedInterview, CachedParticipant
    from willo_integration.services.refresh import interview_refresh, interviews_refresh
    from willo_integration.services.scope import Scope

    team = Team(name="Bench Hiring", environment=Team.Environment.CUSTOM, custom_base_url=base_url)
    team.set_api_key(SANDBOX_KEY)
    team.save()
    user = get_user_model().objects.create_user("bench", password=PASSWORD)
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    scope = Scope(team=team)
    interviews_refresh(scope=scope)
    sizes = {j.key: interview_refresh(scope=scope, key=j.key) for j in team_jobs(team)}
    job = max(team_jobs(team), key=lambda j: sizes[j.key])
    templates = list(
        CachedParticipant.objects.filter(team=team, interview=job, detail__isnull=False)
    )
    _grow(job, templates, args.participants)
    rows = CachedParticipant.objects.filter(team=team, interview=job)
    rows.filter(status="Completed").update(status="Started")  # the rest are not waiting
    CachedParticipant.objects.filter(team=team).exclude(interview=job).delete()
    CachedInterview.objects.filter(team=team).exclude(pk=job.pk).delete()
    now = timezone.now()
    answered = (r for r in rows.filter(detail__isnull=False).order_by("pk").iterator()
                if r.participant() and r.participant().answers)  # fmt: skip
    morning = [row for row, _ in zip(answered, range(2 * args.walk), strict=False)]
    for n, row in enumerate(morning):
        row.status = "Completed"
        row.fetched_at = row.detail_fetched_at = now  # fresh: no page re-reads them
        row.responded_at = now - timedelta(hours=12) + timedelta(minutes=n)
        row.name = f"Candidate {n:02d} {row.name.split(' ')[0]}"
    CachedParticipant.objects.bulk_update(
        morning, ["status", "responded_at", "name", "fetched_at", "detail_fetched_at"]
    )
    return team, job


def team_jobs(team):
    from willo_integration.models import CachedInterview

    return list(CachedInterview.objects.filter(team=team))


def _start_web(workdir: Path, port: int) -> subprocess.Popen:
    log = open(workdir / "web.log", "w")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the web server did not start; see {workdir / 'web.log'}")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Walker:
    """A tab that counts the keys it presses and reads the page's paint log."""

    def __init__(self, page) -> None:
        self.page = page
        self.keys = 0

    def press(self, key: str) -> None:
        self.keys += 1
        self.page.keyboard.press(key)

    def painted(self, name: str, timeout: float = 15.0) -> float:
        """Milliseconds from the last key to the frame that showed ``name``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                paints = json.loads(
                    self.page.evaluate("() => sessionStorage.getItem('paints') || '[]'")
                )
                key_at = self.page.evaluate("() => Number(sessionStorage.getItem('keyAt'))")
            except Exception:  # the page is navigating: ask again
                paints, key_at = [], 0
            for shown, at in paints:
                if shown.startswith(name) and at >= key_at > 0:
                    return at - key_at
            time.sleep(0.01)
        raise SystemExit(f"{name!r} was not painted within {timeout} s")


def _walks(args, url: str, team, job, web_pid: int) -> None:
    from playwright.sync_api import sync_playwright

    from willo_integration.models import CachedParticipant

    waiting = list(
        CachedParticipant.objects.filter(team=team, interview=job, status="Completed")
        .order_by("responded_at", "pk")
        .values_list("name", flat=True)
    )
    queue_names, table_names = waiting[: args.walk], list(reversed(waiting[args.walk :]))
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for walk in ("queue", "today"):
            context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
            context.add_init_script(PAINT_WATCH)
            page = context.new_page()
            page.goto("/accounts/login/")
            page.fill("#id_username", "bench")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            cpu = _cpu_seconds(web_pid)
            if walk == "queue":
                timings, keys = _queue_walk(page, args, team, job, queue_names)
            else:
                timings, keys = _table_walk(page, args, team, job, table_names)
            results[walk] = (timings, keys, _cpu_seconds(web_pid) - cpu)
            context.close()
        browser.close()
    _report(args, results)


def _queue_walk(page, args, team, job, names):
    walker = Walker(page)
    page.goto(f"/teams/{team.slug}/review/?job={job.key}&start=1")
    page.wait_for_selector("#review-mode article.answer")
    page.wait_for_load_state("networkidle")
    timings = []
    for name in [*names[1:], None]:
        time.sleep(args.dwell)
        walker.press("y")
        if name is None:  # the last one: the queue goes on to the table's candidates
            break
        timings.append(walker.painted(name))
    return timings, walker.keys / len(names)


def _table_walk(page, args, team, job, names):
    walker = Walker(page)
    table = f"/teams/{team.slug}/jobs/{job.key}/?status=Completed&ordering=-responded_at"
    page.goto(table)
    timings = []
    per_page = 25
    for n, name in enumerate(names):
        row = n % per_page
        if n and row == 0:  # the next page of the table (a click, counted as a key)
            walker.keys += 1
            page.goto(f"{table}&page={n // per_page + 1}")
        page.wait_for_selector("a[data-candidate-link]")
        for _ in range(row + 1):  # the focus starts before the first row again
            walker.press("j")
        walker.press("Enter")
        timings.append(walker.painted(name))
        time.sleep(args.dwell)
        walker.press("a")
        page.wait_for_selector("#decision-notice")
        page.go_back()  # Alt+Left, as the browser's own key
        walker.keys += 1
        page.wait_for_selector("a[data-candidate-link]")
    return timings, walker.keys / len(names)


def _report(args, results) -> None:
    def pct(values, q):
        ordered = sorted(values)
        return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]

    print(
        f"A morning's review by keyboard: {args.walk} candidates per walk on a "
        f"{args.participants:,}-candidate job, {args.dwell:g} s dwell each"
    )
    print("  walk                      keys/candidate key -> next painted, ms (p50 / p95 / max)"
          "  web server CPU s")  # fmt: skip
    rows = {"queue": "review queue (y)", "today": "table -> candidate -> back"}
    for walk, label in rows.items():
        timings, keys, cpu = results[walk]
        print(
            f"  {label:<26}{keys:>6.1f}        {pct(timings, 0.5):7.1f} / {pct(timings, 0.95):7.1f}"
            f" / {max(timings):7.1f}          {cpu:6.2f}"
        )
    queue, today = results["queue"][0], results["today"][0]
    print(f"  ratio (today / queue): p50 {pct(today, .5) / pct(queue, .5):.1f}x, "
          f"p95 {pct(today, .95) / pct(queue, .95):.1f}x")  # fmt: skip
    keys_ok = results["queue"][1] <= 2
    paint_ok = pct(queue, 0.95) <= 150
    keys_word, paint_word = ("met" if ok else "MISSED" for ok in (keys_ok, paint_ok))
    print(f"  targets: at most 2 keys per candidate {keys_word}; "
          f"next candidate painted within 150 ms p95 {paint_word}")  # fmt: skip
    print(f"  (median of the queue's keys-to-paint: {statistics.median(queue):.1f} ms)")


if __name__ == "__main__":
    main()
