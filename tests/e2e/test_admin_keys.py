"""What a staff user sees managing a team's Willo API key in the admin, against the live sandbox."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.models import Team
from willo_integration.sandbox.models import ApiKey
from willo_integration.sandbox.seed import seed
from willo_integration.services.team_keys import team_key_set, team_key_verify

pytestmark = pytest.mark.django_db(transaction=True)

WRONG_KEY = "not-a-willo-key-0000000000000000wxyz"


@pytest.fixture
def sandbox(live_server, settings):
    """The seeded Willo sandbox, reached over real HTTP: (owner key, owner email)."""
    settings.WILLO_SANDBOX_BASE_URL = f"{live_server.url}/api/integrations/v2"
    owner_key = seed(participants=20).demo_owner_key
    return owner_key, ApiKey.objects.select_related("user").get(key=owner_key).user.email


@pytest.fixture
def team(transactional_db):
    return Team.objects.create(name="Northwind Hiring", environment=Team.Environment.SANDBOX)


@pytest.fixture
def verified_team(team, sandbox):
    """The team with the sandbox owner's key, already verified."""
    owner_key, owner_email = sandbox
    team.willo_user_email = owner_email
    team.save()
    team_key_set(team=team, api_key=owner_key, actor=None, ip_address=None)
    assert team_key_verify(team=team, actor=None, ip_address=None).ok
    return team


@pytest.fixture
def staff_page(page, crew, signed_in):
    signed_in(crew.staff)
    return page


def _enter_key(page, team: Team, api_key: str, *, willo_user_email: str = "") -> None:
    page.goto(f"/admin/dashboard/team/{team.pk}/change/")
    if willo_user_email:
        page.get_by_label("Willo user email").fill(willo_user_email)
    page.get_by_label("API key:", exact=True).fill(api_key)
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def _verify(page, team: Team) -> None:
    page.goto("/admin/dashboard/team/")
    row = page.get_by_role("row").filter(has_text=team.name)
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Verify key with Willo")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()


def test_it_shows_only_the_last_four_characters_of_a_saved_key(
    staff_page, team, sandbox, screenshot
):
    owner_key, _ = sandbox

    _enter_key(staff_page, team, owner_key)

    key_field = staff_page.get_by_label("API key:", exact=True)
    expect(key_field).to_have_attribute("type", "password")
    expect(key_field).to_have_value("")
    expect(staff_page.locator(".field-key_ending")).to_contain_text(f"…{owner_key[-4:]}")
    expect(
        staff_page.get_by_text(f"Leave blank to keep the current key (ending …{owner_key[-4:]})")
    ).to_be_visible()
    assert owner_key not in staff_page.content()
    screenshot("admin-team-change")


def test_it_verifies_a_sandbox_key_and_names_the_willo_user(staff_page, team, sandbox):
    owner_key, owner_email = sandbox
    _enter_key(staff_page, team, owner_key, willo_user_email=owner_email)

    _verify(staff_page, team)

    success = staff_page.locator(".messagelist .success")
    expect(success).to_contain_text(f"{team.name}: Key accepted; it belongs to the Willo user")
    expect(success).to_contain_text(f"Olivia Grant <{owner_email}>")
    row = staff_page.get_by_role("row").filter(has_text=team.name)
    expect(row.locator(".field-key_verified img")).to_have_attribute("alt", "True")
    expect(row.locator(".field-verified_as")).to_have_text(f"Olivia Grant <{owner_email}>")


def test_it_reports_a_wrong_key_and_leaves_the_team_unverified(staff_page, verified_team):
    _enter_key(staff_page, verified_team, WRONG_KEY)

    _verify(staff_page, verified_team)

    error = staff_page.locator(".messagelist .error")
    expect(error).to_contain_text(f"{verified_team.name}: Willo refused this key (401)")
    row = staff_page.get_by_role("row").filter(has_text=verified_team.name)
    expect(row.locator(".field-key_verified img")).to_have_attribute("alt", "False")
    expect(row.locator(".field-verified_as")).to_have_text("-")
    expect(row.locator(".field-key_ending")).to_have_text(f"…{WRONG_KEY[-4:]}")


def test_it_lists_key_changes_in_the_audit_log_without_key_material(staff_page, team, sandbox):
    owner_key, owner_email = sandbox
    _enter_key(staff_page, team, owner_key, willo_user_email=owner_email)
    _verify(staff_page, team)

    staff_page.goto("/admin/dashboard/keyauditentry/")

    rows = staff_page.locator("#result_list tbody tr")
    expect(rows.locator(".field-action")).to_have_text(["Key verified", "Key set"])
    expect(rows.locator(".field-team_name")).to_have_text([team.name] * 2)
    expect(rows.locator(".field-actor_username")).to_have_text(["staff"] * 2)
    expect(rows.first.locator(".field-detail")).to_contain_text("Olivia Grant")
    html = staff_page.content()
    assert owner_key not in html
    assert owner_key[:8] not in html
    assert owner_key[-8:] not in html


@pytest.mark.parametrize("width", [1280, 390])
def test_it_keeps_the_old_key_when_willo_refuses_the_rotated_one(
    staff_page, verified_team, sandbox, width
):
    owner_key, _ = sandbox
    staff_page.set_viewport_size({"width": width, "height": 900})
    staff_page.goto("/admin/dashboard/team/")
    row = staff_page.get_by_role("row").filter(has_text=verified_team.name)
    row.get_by_role("checkbox").check()
    staff_page.get_by_label("Action:").select_option(
        label="Rotate key (replace it with a new one)…"
    )
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Go").click()

    staff_page.get_by_label("New API key").fill(WRONG_KEY)
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Replace the key").click()

    expect(staff_page.locator(".errornote, .errorlist").first).to_contain_text(
        "The new key was not saved and the old key stays"
    )
    verified_team.refresh_from_db()
    assert verified_team.api_key_last4 == owner_key[-4:]
    assert verified_team.key_verified_at is not None
    scroll = staff_page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width

    staff_page.get_by_label("New API key").fill(WRONG_KEY)
    staff_page.get_by_label("Save the new key even though Willo did not accept it").check()
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Replace the key").click()

    expect(staff_page.locator(".messagelist .warning")).to_contain_text(
        f"{verified_team.name}: Key replaced; it now ends with …{WRONG_KEY[-4:]}. "
        "It is not verified"
    )
    verified_team.refresh_from_db()
    assert verified_team.api_key_last4 == WRONG_KEY[-4:]
    assert verified_team.key_verified_at is None
