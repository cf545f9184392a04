"""A hiring manager's shared pages and their media streaming, against what we already serve.

    .venv/bin/python bench/share_page.py [--candidates 20] [--runs 30] [--media-requests 200]

Everything runs on this machine: a throwaway SQLite database, the Willo sandbox served by
`manage.py willo_sandbox serve` in a subprocess (its seeded answers carry media links to
itself), one job's candidates fetched from it (cloned from its real payloads up to
``--candidates``), and a share of all of them.

- *Pages* (in-process through Django's test client, so the time is server time: view,
  services, templates, SQL; and the CPU time of this process over the request): the
  shared shortlist of N candidates and one shared candidate, beside the recruiter's
  page of the same candidate, measured in the same run.
- *Media*: the dashboard served by a threaded WSGI server in this process, an answer
  video fetched ``--media-requests`` times whole and as 64 KiB ranges, through the
  share's media URL (the share checked on every request, Willo's storage asked with the
  same range) and straight from where it is stored; MB/s, requests/s and the ratio share
  / direct. Two videos: the sandbox's sample (77 KB, from the sandbox), and a large one
  (``--large-mb``, from a loopback server standing in for Willo's storage; a tenth as
  many requests).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from recruiter_pages import SANDBOX_KEY, _fmt, _free_port, _grow, _start_sandbox  # noqa: E402

RANGE_BYTES = 64 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--media-requests", type=int, default=200)
    parser.add_argument("--large-mb", type=int, default=20, help="the large video's size")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="willo-bench-share-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_DEBUG="true",
        WILLO_ALLOW_EAGER_TASKS="true",  # one process: tasks run in it
        WILLO_ALLOW_PRIVATE_API_HOSTS="true",  # the sandbox is on loopback
        DATABASE_URL=f"sqlite:///{workdir / 'dashboard.sqlite3'}",
        WILLO_REQUESTS_PER_SECOND="50",
        SHARE_GUESSES_PER_MINUTE="100000",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    port = _free_port()
    sandbox = _start_sandbox(workdir, port, 0)
    try:
        _run(args, f"http://127.0.0.1:{port}/api/integrations/v2")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)


def _run(args: argparse.Namespace, base_url: str) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from dashboard.models import Membership, Team
    from willo_integration.models import CachedInterview, CachedParticipant
    from willo_integration.services.refresh import interview_refresh, interviews_refresh
    from willo_integration.services.scope import Scope
    from willo_integration.services.shares import share_create

    team = Team(name="Bench Hiring", environment=Team.Environment.CUSTOM, custom_base_url=base_url)
    team.set_api_key(SANDBOX_KEY)
    team.save()
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    scope = Scope(team=team)
    interviews_refresh(scope=scope)
    sizes = {
        job.key: interview_refresh(scope=scope, key=job.key)
        for job in CachedInterview.objects.filter(team=team)
    }
    job = CachedInterview.objects.get(team=team, key=max(sizes, key=sizes.get))
    answered = [
        row for row in CachedParticipant.objects.filter(team=team, interview=job) if _video(row)
    ]
    for row in answered:  # their details, as a recruiter's visit would have fetched them
        from willo_integration.services.participants import participant_refresh

        participant_refresh(scope=scope, key=row.key)
    answered = [CachedParticipant.objects.get(pk=row.pk) for row in answered]
    _grow(job, answered, max(args.candidates, len(answered)))
    rows = list(
        CachedParticipant.objects.filter(team=team, interview=job, detail__isnull=False).order_by(
            "-created_at"
        )[: args.candidates]
    )
    made = share_create(
        scope=scope,
        interview=job,
        participant_keys=[row.key for row in rows],
        recipient_name="Bench Manager",
        recipient_email="manager@example.com",
        days=14,
        creator=user,
    )
    token, candidate = made.token, rows[0]
    shortlist_url = reverse("share:page", kwargs={"token": token})
    shared_url = reverse(
        "share:candidate", kwargs={"token": token, "participant_key": candidate.key}
    )
    recruiter_url = reverse("dashboard:participant_detail", args=[team.slug, candidate.key])
    manager, recruiter = Client(), Client()
    recruiter.force_login(user)

    pages = {
        f"shared shortlist, {len(rows)} candidates": _measure(manager, shortlist_url, args.runs),
        "shared candidate page": _measure(manager, shared_url, args.runs),
        "recruiter's candidate page (the same candidate)": _measure(
            recruiter, recruiter_url, args.runs
        ),
    }
    print(f"Share pages, {args.runs} runs each, server time in ms and CPU ms (median / p95)")
    for name, (wall, cpu) in pages.items():
        print(f"  {name}: {_fmt(wall)}; CPU {_fmt(cpu)}")
    base_wall, base_cpu = pages["recruiter's candidate page (the same candidate)"]
    for name in list(pages)[:2]:
        wall, cpu = pages[name]
        wall_ratio = statistics.median(wall) / statistics.median(base_wall)
        cpu_ratio = statistics.median(cpu) / statistics.median(base_cpu)
        print(f"  ratio {name} / recruiter's page: {wall_ratio:.2f}x time, {cpu_ratio:.2f}x CPU")

    link = _video(candidate)
    media_url = reverse(
        "share:media",
        kwargs={"token": token, "participant_key": candidate.key, "answer_key": link[0]},
    )
    large = _large_video(args.large_mb)
    other = rows[1]
    detail = other.detail
    answer = next(a for a in detail["answers"] if a["key"] == _video(other)[0])
    answer["remote_link"] = large
    CachedParticipant.objects.filter(pk=other.pk).update(detail=detail)
    large_path = reverse(
        "share:media",
        kwargs={"token": token, "participant_key": other.key, "answer_key": answer["key"]},
    )
    _media(args, {"the sandbox's sample": (media_url, link[1]), "large": (large_path, large)})


def _video(row) -> tuple[str, str] | None:
    """The (answer key, media link) of the candidate's first playable video."""
    payload = row.participant()
    for answer in payload.answers if payload else []:
        kind = answer.question.answer_type if answer.question else ""
        if kind == "video" and answer.remote_link and not answer.is_media_deleted:
            return answer.key, answer.remote_link
    return None


def _measure(browser, url: str, runs: int) -> tuple[list[float], list[float]]:
    for _ in range(3):  # warm-up: imports, templates, connections
        assert browser.get(url).status_code == 200, url
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = browser.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return wall, cpu


def _media(args: argparse.Namespace, videos: dict[str, tuple[str, str]]) -> None:
    """Each video (share path, direct URL) fetched whole and as 64 KiB ranges."""
    import socketserver

    import httpx
    from django.core.servers.basehttp import WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    from willo_integration.management.commands.willo_sandbox import NoDelayWSGIServer

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    class Server(socketserver.ThreadingMixIn, NoDelayWSGIServer):
        daemon_threads = True

    port = _free_port()
    server = Server(("127.0.0.1", port), QuietHandler, allow_reuse_address=True)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(
        "Media (keep-alive client in this process; the dashboard served by a threaded WSGI "
        "server in this process, Willo's storage in another thread or process)"
    )
    with httpx.Client(timeout=60) as client:
        for name, (share_path, direct_url) in videos.items():
            size = len(client.get(direct_url).content)
            count = args.media_requests if size < 10**6 else max(10, args.media_requests // 10)
            print(f"  {name} video, {size:,} bytes, {count} requests each")
            share_url = f"http://127.0.0.1:{port}{share_path}"
            for kind in ("whole", "ranges"):
                results = {
                    label: _fetch_many(client, url, size, kind, count)
                    for label, url in (("share", share_url), ("direct", direct_url))
                }
                for label, (megabytes, seconds, cpu, statuses) in results.items():
                    print(
                        f"    {kind:6} {label:6}: {megabytes / seconds:7.1f} MB/s, "
                        f"{count / seconds:7.1f} requests/s, CPU of this process "
                        f"{cpu:.2f} s; answers {statuses}"
                    )
                share, direct = results["share"], results["direct"]
                print(
                    f"    ratio share / direct ({kind}): throughput "
                    f"{(share[0] / share[1]) / (direct[0] / direct[1]):.2f}x"
                )
    server.shutdown()


def _large_video(megabytes: int) -> str:
    """Willo's storage for a large video: a loopback server with byte ranges."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    data = bytes(range(256)) * (megabytes * 4096)

    class Storage(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            start, end = 0, len(data) - 1
            asked = self.headers.get("Range", "")
            if asked.startswith("bytes="):
                first, _, last = asked[6:].partition("-")
                start, end = int(first), min(int(last or end), end)
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            view = memoryview(data)[start : end + 1]
            for offset in range(0, len(view), 1 << 20):
                self.wfile.write(view[offset : offset + (1 << 20)])

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Storage)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/large.mp4"


def _fetch_many(client, url: str, size: int, kind: str, count: int):
    from collections import Counter

    statuses: Counter = Counter()
    received = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    for n in range(count):
        headers = {}
        if kind == "ranges":
            first = (n * RANGE_BYTES) % max(size - 1, 1)
            headers["Range"] = f"bytes={first}-{min(first + RANGE_BYTES, size) - 1}"
        response = client.get(url, headers=headers)
        statuses[response.status_code] += 1
        received += len(response.content)
    seconds = time.perf_counter() - start
    return received / 1e6, seconds, time.process_time() - start_cpu, dict(statuses)


if __name__ == "__main__":
    main()
