"""Browser tests: Playwright for Python driving Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"

# Playwright's sync API runs an event loop in this thread; Django must allow ORM calls from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    # pytest-xdist registers this marker only when it is loaded; under ``-p no:xdist``
    # --strict-markers would otherwise reject it.
    config.addinivalue_line("markers", "xdist_group(name): run the group on one xdist worker")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (make test does)")
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab; the test fails if any page broke the Content-Security-Policy."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert blocked == [], "\n".join(blocked)


@pytest.fixture
def screenshot(page):
    """Save a screenshot of what a person sees, into a git-ignored folder."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# --- The people and teams of the browser tests -------------------------------------------------

ACME_KEY = "acme-willo-api-key-0000000000000000000a1b2"
BRAVO_KEY = "bravo-willo-api-key-111111111111111111c3d4"


def password_of(username: str) -> str:
    return f"{username}-password-123"


@dataclass
class Crew:
    team_a: object  # "Acme Hiring", a sandbox team
    team_b: object  # "Bravo Talent", a sandbox team
    alice: object  # team A admin only
    multi: object  # recruiter in both teams
    staff: object  # superuser for the admin site, in no team


@pytest.fixture
def crew(transactional_db) -> Crew:
    """Committed users and teams, so the live server's thread sees them."""
    from django.contrib.auth import get_user_model

    from dashboard.models import Membership, Team

    user_model = get_user_model()

    def user(username: str, **extra):
        return user_model.objects.create_user(
            username=username,
            password=password_of(username),
            email=f"{username}@example.com",
            **extra,
        )

    team_a = Team(name="Acme Hiring", environment=Team.Environment.SANDBOX)
    team_a.set_api_key(ACME_KEY)
    team_a.save()
    team_b = Team(name="Bravo Talent", environment=Team.Environment.SANDBOX)
    team_b.set_api_key(BRAVO_KEY)
    team_b.save()
    alice = user("alice", first_name="Alice", last_name="Adams")
    multi = user("multi")
    staff = user_model.objects.create_superuser(
        username="staff", password=password_of("staff"), email="staff@example.com"
    )
    Membership.objects.create(user=alice, team=team_a, role=Membership.Role.ADMIN)
    Membership.objects.create(user=multi, team=team_a, role=Membership.Role.RECRUITER)
    Membership.objects.create(user=multi, team=team_b, role=Membership.Role.RECRUITER)
    return Crew(team_a, team_b, alice, multi, staff)


@pytest.fixture
def signed_in(page, live_server):
    """Start the browser already logged in as ``user`` (for tests about something else)."""
    from django.conf import settings
    from django.test import Client

    def sign_in(user) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )

    return sign_in


@pytest.fixture
def log_in(page):
    """Log in through the login form as a person would: ``log_in("alice")``."""

    def submit(username: str, password: str | None = None) -> None:
        # Leave the page open first: a live page's last poll, answered after the login form
        # was fetched, could set another CSRF cookie than the form's (a 403 at random).
        page.goto("about:blank")
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password", exact=True).fill(password or password_of(username))
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return submit


def sandbox_owner_team(live_server, settings, name: str, *, participants: int = 24):
    """A team on the sandbox's demo organisation (a parent with two children), with its
    owner's key, the sandbox served by the live server."""
    from dashboard.models import Team
    from willo_integration.sandbox import seed

    settings.WILLO_SANDBOX_BASE_URL = f"{live_server.url}/api/integrations/v2"
    team = Team(name=name, environment=Team.Environment.SANDBOX)
    team.set_api_key(seed.seed(participants=participants).demo_owner_key)
    team.save()
    return team
