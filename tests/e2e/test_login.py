"""What a person sees logging in, failing, being locked out, logging out, changing password."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import password_of

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = "/accounts/login/"
NEW_PASSWORD = "a-much-longer-new-passphrase"


def _submit_login(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_it_logs_in_and_lands_on_the_team_page(page, crew, screenshot):
    page.goto(LOGIN)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot("login-page")

    _submit_login(page, "alice", password_of("alice"))

    page.wait_for_url(f"**/teams/{crew.team_a.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Hiring")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot("team-page")


def test_it_shows_a_clear_error_for_a_wrong_password(page, crew):
    page.goto(LOGIN)

    with page.expect_navigation():
        _submit_login(page, "alice", "not-her-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Please enter a correct username and password."
    )
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_it_locks_the_account_after_five_failed_attempts(page, crew):
    page.goto(LOGIN)
    for _ in range(4):
        with page.expect_navigation():
            _submit_login(page, "alice", "wrong-password")
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")

    with page.expect_navigation():
        _submit_login(page, "alice", "wrong-password")

    expect(page.get_by_role("heading", name="Too many failed log-in attempts")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("locked after 5 failed attempts")


def test_it_refuses_the_right_password_once_locked_out(page, crew):
    page.goto(LOGIN)
    for _ in range(5):
        with page.expect_navigation():
            _submit_login(page, "alice", "wrong-password")

    page.goto(LOGIN)
    with page.expect_navigation():
        _submit_login(page, "alice", password_of("alice"))

    expect(page.get_by_role("heading", name="Too many failed log-in attempts")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_it_logs_out_with_the_header_control(page, crew, log_in):
    log_in("alice")

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_have_text("You have logged out.")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    page.goto(f"/teams/{crew.team_a.slug}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))


def test_it_changes_the_password_and_logs_in_with_the_new_one(page, crew, log_in):
    log_in("alice")
    page.get_by_role("link", name="Password").click()
    page.wait_for_url("**/accounts/password_change/")

    page.get_by_label("Old password").fill(password_of("alice"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()

    page.wait_for_url("**/accounts/password_change/done/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    log_in("alice", NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Hiring")
