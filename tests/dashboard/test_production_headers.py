"""Production settings on real responses: HSTS, secure cookies, no framing, strict CSP,
HTTPS redirect (health probes excepted). Run in a subprocess with the production
environment, as the deploy check is."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.dashboard.test_deploy_check import ROOT, _production_env

PROBE = r"""
import json, django
from django.core.management import call_command
django.setup()
call_command("migrate", verbosity=0)
call_command("collectstatic", verbosity=0, interactive=False)
from django.contrib.auth import get_user_model
from django.test import Client
get_user_model().objects.create_user("probe", password="probe-password-123")
browser = Client(HTTP_HOST="dashboard.example.com")
page = browser.get("/accounts/login/", secure=True)
login = browser.post(
    "/accounts/login/",
    {"username": "probe", "password": "probe-password-123",
     "csrfmiddlewaretoken": page.cookies["csrftoken"].value},
    secure=True,
)
def cookie(response, name):
    morsel = response.cookies[name]
    return {k: str(morsel[k]) for k in ("secure", "httponly", "samesite")}
plain = Client(HTTP_HOST="dashboard.example.com")
print(json.dumps({
    "headers": dict(page.headers),
    "csrf_cookie": cookie(page, "csrftoken"),
    "login_status": login.status_code,
    "session_cookie": cookie(login, "sessionid"),
    "http_page": [plain.get("/accounts/login/").status_code,
                  plain.get("/accounts/login/").headers.get("Location")],
    "http_healthz": plain.get("/healthz").status_code,
    "page": page.content.decode(),
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    database = tmp_path_factory.mktemp("prod") / "db.sqlite3"
    env = _production_env(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_STATIC_ROOT=str(database.parent / "static"),
        DJANGO_LOG_LEVEL="ERROR",
        # One box without a broker: the health probe has nothing remote to reach.
        CELERY_BROKER_URL=None,
        WILLO_ALLOW_EAGER_TASKS="true",
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_hsts_for_a_year_with_subdomains_and_preload(production):
    assert (
        production["headers"]["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )


def test_no_framing_no_sniffing_no_referrer_leak(production):
    headers = production["headers"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_the_policy_forbids_inline_script_and_framing(production):
    policy = {
        words[0]: words[1:]
        for words in (
            p.split() for p in production["headers"]["Content-Security-Policy"].split(";")
        )
        if words
    }
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    # No plain-http origin (the sandbox's, in development) reaches production's players.
    assert policy["media-src"] == ["'self'", "https:"]
    assert policy["img-src"] == ["'self'", "data:", "https:"]


def test_cookies_are_secure(production):
    assert production["login_status"] == 302
    session = production["session_cookie"]
    assert (session["secure"], session["httponly"], session["samesite"]) == ("True", "True", "Lax")
    assert production["csrf_cookie"]["secure"] == "True"


def test_plain_http_goes_to_https_except_the_health_probe(production):
    assert production["http_page"] == [301, "https://dashboard.example.com/accounts/login/"]
    assert production["http_healthz"] == 200


def test_static_files_have_hashed_names(production):
    assert re.search(r'href="/static/css/app\.[0-9a-f]{12}\.css"', production["page"])
    assert re.search(r'src="/static/vendor/htmx\.min\.[0-9a-f]{12}\.js"', production["page"])
