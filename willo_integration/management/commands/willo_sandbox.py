"""``manage.py willo_sandbox serve|seed|simulate``: run the Willo simulator on its own."""

from __future__ import annotations

import random
import socket
import time
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.servers.basehttp import WSGIServer, run
from django.urls import clear_url_caches

from willo_integration.sandbox import knobs, seed, simulate, webhooks
from willo_integration.sandbox.models import Organisation

DEFAULT_PARTICIPANTS = 180


class NoDelayWSGIServer(WSGIServer):
    """Each answer leaves at once: without TCP_NODELAY a keep-alive client's delayed ACK
    holds a small response's body back ~40 ms behind its headers."""

    def get_request(self):
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


class Command(BaseCommand):
    help = "Serve, seed or animate the Willo API sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="Serve the sandbox API standalone.")
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=8001)
        self._seed_arguments(serve)
        serve.add_argument("--latency-ms", type=float, default=0.0)
        serve.add_argument(
            "--rate-limit", type=int, default=None, help="requests per key per window"
        )
        serve.add_argument("--rate-window", type=float, default=1.0, help="seconds (default 1)")
        serve.add_argument("--error-rate", type=float, default=0.0, help="0..1 share of 5xx")

        seed_cmd = sub.add_parser("seed", help="Create the demo data (idempotent).")
        self._seed_arguments(seed_cmd)

        sim = sub.add_parser("simulate", help="Make candidates respond, get scored and commented.")
        sim.add_argument("--interval", type=float, default=5.0, help="seconds between events")
        sim.add_argument("--count", type=int, default=0, help="stop after N events (0: forever)")
        sim.add_argument("--seed", type=int, default=None)
        sim.add_argument(
            "--base-url",
            default=None,
            help="API root used in webhook media links (default: the site's /api/integrations/v2)",
        )
        sim.add_argument("--organisation", default=seed.DEMO_ORGANISATION)

    def _seed_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participants", type=int, default=DEFAULT_PARTICIPANTS)
        parser.add_argument("--api-key", default=None, help="exact API key for the demo owner")
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.WILLO_SANDBOX_ENABLED:
            raise CommandError("The Willo sandbox is disabled: set WILLO_SANDBOX_ENABLED=true.")
        getattr(self, f"_{options['action']}")(options)

    def _prepare(self, options: dict[str, Any]) -> seed.SeedKeys:
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        keys = seed.seed(
            participants=options["participants"],
            seed=options["seed"],
            owner_api_key=options["api_key"],
        )
        self.stdout.write(f"Sandbox data ready in {time.monotonic() - started:.1f}s.")
        return keys

    def _print_keys(self, keys: seed.SeedKeys, base: str | None) -> None:
        if base:
            self.stdout.write(self.style.SUCCESS(f"Willo sandbox API: {base}/"))
        self.stdout.write("API keys (send as 'Authorization: <key>'):")
        for label, key in keys.keys.items():
            self.stdout.write(f"  {key}  {label}")
        self.stdout.write(
            "Agency user keys (send as 'X-Agency-User-Key' with the parent owner's key):"
        )
        for label, key in keys.agency_keys.items():
            self.stdout.write(f"  {key}  {label}")

    def _seed(self, options: dict[str, Any]) -> None:
        self._print_keys(self._prepare(options), None)

    def _serve(self, options: dict[str, Any]) -> None:
        keys = self._prepare(options)
        base = f"http://{options['host']}:{options['port']}/api/integrations/v2"
        knobs.configure(
            latency_ms=options["latency_ms"],
            rate_limit=options["rate_limit"],
            rate_window_s=options["rate_window"],
            error_rate=options["error_rate"],
            public_base_url=base,
        )
        self._print_keys(keys, base)
        current = knobs.current()
        self.stdout.write(
            f"Knobs: latency {current.latency_ms:g} ms, rate limit "
            f"{current.rate_limit or 'off'} per {current.rate_window_s:g}s, "
            f"error rate {current.error_rate:g}"
        )
        settings.ROOT_URLCONF = "willo_integration.sandbox.standalone_urls"
        clear_url_caches()
        run(
            options["host"],
            options["port"],
            WSGIHandler(),
            ipv6=False,
            threading=True,
            server_cls=NoDelayWSGIServer,
        )

    def _simulate(self, options: dict[str, Any]) -> None:
        org = Organisation.objects.filter(name=options["organisation"], parent=None).first()
        if org is None:
            raise CommandError("No sandbox data: run `manage.py willo_sandbox seed` first.")
        if options["base_url"]:
            knobs.configure(public_base_url=options["base_url"].rstrip("/"))
        rng = random.Random(options["seed"])
        done = 0
        try:
            while not options["count"] or done < options["count"]:
                self.stdout.write(simulate.step(org, rng))
                done += 1
                if not options["count"] or done < options["count"]:
                    time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            webhooks.wait_idle(timeout=30)
