"""Every page a member can reach fits a 390 px phone: nothing scrolls sideways, even with
a candidate, a job and a client whose names and emails are one long unbroken word."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from dashboard.models import Membership
from tests.e2e.conftest import password_of, sandbox_owner_team
from tests.e2e.test_decisions import no_sideways_scroll
from tests.e2e.test_recruiter_flow import serious_violations
from willo_integration.models import CachedInterview, CachedParticipant

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = 390
LONG_EMAIL = "a" * 48 + "@example.com"  # 60 characters, no place to break
LONG_NAME = "Maximiliana" + "x" * 40 + " Featherstonehaugh-Cholmondeley"
CLIENT = "Client" + "y" * 50
LONG_TITLE = "Senior" + "Engineering" * 5 + " Manager"


@pytest.fixture
def phone_world(live_server, settings):
    """The sandbox's parent as an agency team (verified), one job fetched with its
    candidates, the first candidate, the job and a client renamed to long unbroken words;
    ada is its admin, vic a viewer, and staff a superuser."""
    from willo_integration.sandbox.models import Interview as SandboxInterview
    from willo_integration.sandbox.models import Organisation as SandboxOrganisation
    from willo_integration.sandbox.models import Participant as SandboxParticipant
    from willo_integration.services.refresh import interview_refresh, interviews_refresh
    from willo_integration.services.scope import Scope
    from willo_integration.services.team_keys import team_key_verify

    team = sandbox_owner_team(live_server, settings, "Northwind Agency", participants=12)
    sandbox_job = (
        SandboxInterview.objects.filter(
            organisation__name="Northwind Talent", participants__status="Completed"
        )
        .order_by("pk")
        .first()
    )
    SandboxInterview.objects.filter(pk=sandbox_job.pk).update(title=LONG_TITLE)
    candidate = sandbox_job.participants.filter(status="Completed").order_by("pk").first()
    SandboxParticipant.objects.filter(pk=candidate.pk).update(name=LONG_NAME, email=LONG_EMAIL)
    child = SandboxOrganisation.objects.filter(parent__isnull=False).order_by("pk").first()
    SandboxOrganisation.objects.filter(pk=child.pk).update(name=CLIENT)
    assert team_key_verify(team=team, actor=None, ip_address=None).ok
    scope = Scope(team=team)
    interviews_refresh(scope=scope)
    job = CachedInterview.objects.get(team=team, scope="", key=sandbox_job.key)
    interview_refresh(scope=scope, key=job.key)
    users = get_user_model().objects
    ada = users.create_user(username="ada", password=password_of("ada"), email=LONG_EMAIL)
    vic = users.create_user(username="vic", password=password_of("vic"))
    Membership.objects.create(user=ada, team=team, role=Membership.Role.ADMIN)
    Membership.objects.create(user=vic, team=team, role=Membership.Role.VIEWER)
    staff = users.create_superuser(username="staff", password=password_of("staff"))
    participant = CachedParticipant.objects.get(team=team, key=candidate.key)
    assert participant.email == LONG_EMAIL
    return team, job, participant, ada, vic, staff


def fits(page, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{path} is {width} px wide at {PHONE} px"
    no_sideways_scroll(page, PHONE)


def test_every_members_page_fits_a_phone(page, signed_in, phone_world, screenshot):
    team, job, candidate, ada, vic, staff = phone_world
    page.set_viewport_size({"width": PHONE, "height": 800})
    signed_in(ada)
    jobs = f"/teams/{team.slug}/jobs/"
    candidate_page = f"/teams/{team.slug}/candidates/{candidate.key}/"

    fits(page, "/")
    fits(page, "/teams/")
    fits(page, f"/teams/{team.slug}/")
    expect(page.locator("#reviews")).to_be_visible()  # the team's review settings
    assert serious_violations(page) == []
    fits(page, jobs)
    expect(page.locator("#jobs")).to_contain_text("Candidates not fetched yet")  # the others
    assert serious_violations(page) == []
    fits(page, f"{jobs}{job.key}/")
    expect(page.locator("#results")).to_contain_text(LONG_EMAIL)
    screenshot("phone-job")
    assert serious_violations(page) == []
    fits(page, f"{jobs}{job.key}/?status=Completed&ordering=name")  # the table, sorted
    fits(page, f"{jobs}{job.key}/?q=nobody-is-called-this")  # the empty result
    assert serious_violations(page) == []
    fits(page, candidate_page)
    expect(page.locator("main")).to_contain_text(LONG_EMAIL)
    screenshot("phone-candidate")
    fits(page, f"{candidate_page}identity/")
    others = CachedParticipant.objects.filter(team=team, interview=job).exclude(pk=candidate.pk)
    compared = [candidate.key, *others.values_list("key", flat=True)[:2]]
    fits(page, f"{jobs}{job.key}/compare/?" + "&".join(f"c={key}" for key in compared))
    expect(page.locator(".compare__candidate").first).to_contain_text(LONG_NAME)
    fits(page, f"{jobs}{job.key}/compare/?c={candidate.key}")  # too few: the message
    fits(page, "/mentions/")
    fits(page, f"/teams/{team.slug}/changes/")
    fits(page, f"/teams/{team.slug}/sync/")
    fits(page, f"/teams/{team.slug}/agency/")
    expect(page.locator("#agency-cockpit")).to_contain_text(CLIENT)
    assert serious_violations(page) == []
    screenshot("phone-agency")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Work in {CLIENT}").click()
    expect(page.get_by_role("region", name="Client organisation")).to_contain_text(CLIENT)
    no_sideways_scroll(page, PHONE)  # the client's jobs, under the banner
    fits(page, f"/teams/{team.slug}/")
    fits(page, f"/teams/{team.slug}/agency/")
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name=f"Back to {team.name}").click()
    fits(page, "/accounts/password_change/")
    fits(page, "/teams/no-such-team/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    signed_in(vic)  # a viewer may not change the team's review settings: 403
    fits(page, f"/teams/{team.slug}/")
    with page.expect_navigation():
        page.evaluate(
            """slug => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = `/teams/${slug}/review-settings/`;
                const token = document.createElement("input");
                token.name = "csrfmiddlewaretoken";
                token.value = JSON.parse(document.body.getAttribute("hx-headers"))["x-csrftoken"];
                form.append(token);
                document.body.append(form);
                form.submit();
            }""",
            team.slug,
        )
    expect(page.get_by_role("heading", name="You cannot do that")).to_be_visible()
    no_sideways_scroll(page, PHONE)

    signed_in(staff)
    fits(page, "/admin/")
    fits(page, "/sandbox/")  # Willo's weather, for staff
    assert serious_violations(page) == []
    page.context.clear_cookies()
    fits(page, "/accounts/login/")
    assert serious_violations(page) == []


def test_shortcut_hints_show_with_a_keyboard_and_not_on_a_touch_screen(
    browser, live_server, page, signed_in, phone_world
):
    from django.conf import settings
    from django.test import Client

    team, _job, candidate, ada, _vic, _staff = phone_world
    path = f"/teams/{team.slug}/candidates/{candidate.key}/"
    signed_in(ada)
    page.goto(path)
    expect(page.locator("#decision kbd").first).to_be_visible()
    expect(page.locator("[data-open-shortcuts]")).to_be_visible()

    client = Client()
    client.force_login(ada)
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": PHONE, "height": 800},
        is_mobile=True,
        has_touch=True,
    )
    phone.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    try:
        touch = phone.new_page()
        touch.goto(path)
        expect(touch.locator("#decision").get_by_role("button", name="Accept")).to_be_visible()
        expect(touch.locator("#decision kbd").first).to_be_hidden()
        for hint in touch.locator("a kbd, .button kbd").all():
            expect(hint).to_be_hidden()
        expect(touch.locator("[data-open-shortcuts]")).to_be_hidden()
        no_sideways_scroll(touch, PHONE)
    finally:
        phone.close()


def test_a_job_never_fetched_fetches_its_candidates_and_then_counts_them(
    page, signed_in, phone_world
):
    team, job, _candidate, ada, _vic, _staff = phone_world
    from willo_integration.sandbox.models import Participant as SandboxParticipant

    unfetched = CachedInterview.objects.filter(
        team=team, scope="", participants_fetched_at=None
    ).exclude(pk=job.pk)
    with_candidates = set(SandboxParticipant.objects.values_list("interview__key", flat=True))
    other = next(j for j in unfetched if j.key in with_candidates)
    page.set_viewport_size({"width": PHONE, "height": 800})
    signed_in(ada)
    page.goto(f"/teams/{team.slug}/jobs/{other.key}/")

    title = page.locator("#results-title")
    expect(title).not_to_have_text("0 candidates")  # before, during and after the fetch
    expect(title).to_have_text(re.compile(r"^\d+ candidates?$"), timeout=15_000)
    other.refresh_from_db()
    assert other.participants_fetched_at is not None
    count = CachedParticipant.objects.filter(interview=other).count()
    expect(title).to_have_text(f"{count} candidate{'' if count == 1 else 's'}")
    no_sideways_scroll(page, PHONE)
    assert serious_violations(page) == []
