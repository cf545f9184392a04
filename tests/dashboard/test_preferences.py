"""A member's preferences: the page, the speed and shortcuts switches, and the body's data
attributes the scripts read."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.models import MemberPreferences

PAGE = reverse("dashboard:member_preferences")
SPEED = reverse("dashboard:playback_speed")
SHORTCUTS = reverse("dashboard:shortcuts_set")
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def checked(content: str, name: str) -> list[str]:
    """The values of the checked inputs named ``name``."""
    inputs = re.findall(r"<input[^>]*>", content)
    return [
        re.search(r'value="([^"]*)"', tag).group(1) if 'value="' in tag else "on"
        for tag in inputs
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag)
    ]


def body_of(content: str) -> dict[str, str]:
    tag = re.search(r"<body\b[^>]*>", content).group(0)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))


def kept(user) -> MemberPreferences | None:
    return MemberPreferences.objects.filter(user=user).first()


def save(client, **changes) -> object:
    data = {"shortcuts": "on", "playback_speed": "1", **changes}
    return client.post(PAGE, {k: v for k, v in data.items() if v is not None})


def test_it_resolves_after_the_auth_urls():
    assert PAGE == "/accounts/preferences/"
    assert SPEED == "/accounts/preferences/speed/"
    assert SHORTCUTS == "/accounts/preferences/shortcuts/"


def test_it_shows_the_defaults_to_a_member_who_never_saved(client, world):
    client.force_login(world.rita)

    response = client.get(PAGE)

    content = response.content.decode()
    assert response.status_code == 200
    assert checked(content, "shortcuts") == ["on"]
    assert checked(content, "playback_speed") == ["1"]
    assert checked(content, "autoplay") == []
    assert "in every team" in content
    assert "stay in this dashboard" in content
    for label in ("0.75×", "1×", "1.25×", "1.5×", "2×"):
        assert f"> {label}</label>" in content
    assert "<legend>Single-key keyboard shortcuts</legend>" in content
    assert "<legend>Default playback speed</legend>" in content
    assert "WCAG 2.1.4" in content
    assert kept(world.rita) is None  # reading stores nothing


def test_it_saves_and_redirects_to_the_page_with_a_message(client, world):
    client.force_login(world.rita)

    response = save(client, shortcuts="off", playback_speed="1.5", autoplay="on")

    assert response.status_code == 302
    assert response["Location"] == PAGE
    prefs = kept(world.rita)
    assert (prefs.shortcuts, prefs.playback_speed, prefs.autoplay) == (False, "1.5", True)
    page = client.get(PAGE).content.decode()
    assert "Preferences saved." in page
    assert checked(page, "shortcuts") == ["off"]
    assert checked(page, "playback_speed") == ["1.5"]
    assert checked(page, "autoplay") == ["on"]


def test_an_unticked_autoplay_turns_it_off(client, world):
    MemberPreferences.objects.create(user=world.rita, autoplay=True)
    client.force_login(world.rita)

    save(client, playback_speed="2")

    assert kept(world.rita).autoplay is False
    assert kept(world.rita).playback_speed == "2"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"playback_speed": "3"}, "Choose a speed of 0.75×, 1×, 1.25×, 1.5×, 2×."),
        ({"playback_speed": None}, "Choose a speed of 0.75×, 1×, 1.25×, 1.5×, 2×."),
        ({"shortcuts": "maybe"}, "Choose On or Off for single-key shortcuts."),
    ],
    ids=["unknown speed", "no speed", "unknown shortcuts"],
)
def test_it_refuses_what_it_cannot_keep_and_stores_nothing(client, world, changes, words):
    client.force_login(world.rita)

    response = save(client, autoplay="on", **changes)

    assert response.status_code == 400
    content = response.content.decode()
    assert words in content
    assert "Nothing was saved" in content
    assert "Preferences saved." not in content
    assert kept(world.rita) is None


def test_an_invalid_save_keeps_what_was_saved_before(client, world):
    MemberPreferences.objects.create(user=world.rita, playback_speed="1.25")
    client.force_login(world.rita)

    assert save(client, shortcuts="off", playback_speed="9").status_code == 400

    prefs = kept(world.rita)
    assert (prefs.shortcuts, prefs.playback_speed) == (True, "1.25")


@pytest.mark.parametrize("url", [PAGE, SPEED, SHORTCUTS])
def test_it_asks_a_visitor_to_log_in(client, db, url):
    for response in (client.get(url), client.post(url, {"speed": "2", "shortcuts": "off"})):
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
    assert MemberPreferences.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (PAGE, {"shortcuts": "off", "playback_speed": "2"}),
        (SPEED, {"speed": "2"}),
        (SHORTCUTS, {"shortcuts": "off"}),
    ],
)
def test_it_refuses_a_post_without_the_csrf_token(world, url, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.rita)

    response = client.post(url, data, **FETCH)

    assert response.status_code == 403
    assert kept(world.rita) is None


def test_the_speed_is_remembered_for_a_script_with_no_content(client, world):
    MemberPreferences.objects.create(user=world.rita, shortcuts=False, autoplay=True)
    client.force_login(world.rita)

    response = client.post(SPEED, {"speed": "1.25"}, **FETCH)

    assert response.status_code == 204
    prefs = kept(world.rita)
    assert (prefs.playback_speed, prefs.shortcuts, prefs.autoplay) == ("1.25", False, True)
    assert client.post(SPEED, {"speed": "0.75"}, **HTMX).status_code == 204
    assert kept(world.rita).playback_speed == "0.75"


@pytest.mark.parametrize("speed", ["3", "", "1.0", "fast"])
def test_an_unknown_speed_is_refused_in_plain_words_and_logged(client, world, caplog, speed):
    client.force_login(world.rita)

    with caplog.at_level(logging.INFO, logger="dashboard.preferences"):
        response = client.post(SPEED, {"speed": speed}, **FETCH)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "Choose a speed of 0.75×, 1×, 1.25×, 1.5×, 2×."
    assert f"refused: speed {speed!r}" in caplog.text
    assert kept(world.rita) is None


def test_without_javascript_the_speed_goes_back_to_a_page_of_ours(client, world):
    client.force_login(world.rita)
    back = reverse("dashboard:team_list")

    ours = client.post(SPEED, {"speed": "2", "next": back})
    elsewhere = client.post(SPEED, {"speed": "1.5", "next": "https://evil.example/"})
    none = client.post(SPEED, {"speed": "1.5"})

    assert ours.status_code == 302
    assert ours["Location"] == back
    assert elsewhere["Location"] == PAGE
    assert none["Location"] == PAGE
    assert "Playback speed 1.5× kept" in client.get(PAGE).content.decode()


def test_the_shortcuts_switch_turns_them_off_and_on(client, world):
    client.force_login(world.rita)

    off = client.post(SHORTCUTS, {"shortcuts": "off"}, **FETCH)
    assert off.status_code == 204
    assert kept(world.rita).shortcuts is False
    on = client.post(SHORTCUTS, {"shortcuts": "on"}, **FETCH)
    assert on.status_code == 204
    assert kept(world.rita).shortcuts is True
    assert kept(world.rita).playback_speed == "1"


@pytest.mark.parametrize("value", ["", "yes", "OFF", "true"])
def test_the_shortcuts_switch_refuses_anything_but_on_or_off(client, world, caplog, value):
    client.force_login(world.rita)

    with caplog.at_level(logging.INFO, logger="dashboard.preferences"):
        response = client.post(SHORTCUTS, {"shortcuts": value}, **FETCH)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "Choose on or off for shortcuts."
    assert f"refused: shortcuts {value!r}" in caplog.text
    assert kept(world.rita) is None


def test_without_javascript_the_shortcuts_switch_goes_back_with_a_message(client, world):
    client.force_login(world.rita)
    back = reverse("dashboard:mentions")

    response = client.post(SHORTCUTS, {"shortcuts": "off", "next": back}, follow=True)

    assert response.redirect_chain == [(back, 302)]
    assert "Single-key shortcuts are off." in response.content.decode()


@pytest.mark.parametrize("url", [SPEED, SHORTCUTS])
def test_the_switches_answer_only_posts(client, world, url):
    client.force_login(world.rita)

    assert client.get(url).status_code == 405


def test_the_body_says_the_members_preferences(client, world):
    client.force_login(world.rita)
    page = reverse("dashboard:team_list")

    assert body_of(client.get(page).content.decode()) == {
        "shortcuts": "on",
        "playback-speed": "1",
        "autoplay": "off",
    }
    MemberPreferences.objects.create(
        user=world.rita, shortcuts=False, playback_speed="1.5", autoplay=True
    )
    content = client.get(page).content.decode()
    assert body_of(content) == {"shortcuts": "off", "playback-speed": "1.5", "autoplay": "on"}
    dialog_box = re.search(r'<input[^>]*id="shortcuts-enabled"[^>]*>', content).group(0)
    assert "checked" not in dialog_box
    assert f'data-url="{SHORTCUTS}"' in dialog_box


def test_the_body_has_the_defaults_for_a_visitor(client, db):
    content = client.get(reverse("login")).content.decode()

    assert body_of(content) == {"shortcuts": "on", "playback-speed": "1", "autoplay": "off"}


def test_the_header_links_to_the_preferences(client, world):
    client.force_login(world.rita)

    content = client.get(reverse("dashboard:team_list")).content.decode()

    assert f'<a href="{PAGE}">Preferences</a>' in content
    assert "kept for your account" in content


def test_one_members_preferences_do_not_touch_anothers(client, world):
    MemberPreferences.objects.create(user=world.alice, playback_speed="0.75", autoplay=True)
    client.force_login(world.rita)

    save(client, shortcuts="off", playback_speed="2")
    client.post(SPEED, {"speed": "1.5"}, **FETCH)
    client.post(SHORTCUTS, {"shortcuts": "on"}, **FETCH)

    alice = kept(world.alice)
    assert (alice.shortcuts, alice.playback_speed, alice.autoplay) == (True, "0.75", True)
    assert kept(world.bob) is None
    client.force_login(world.bob)
    assert body_of(client.get(PAGE).content.decode()) == {
        "shortcuts": "on",
        "playback-speed": "1",
        "autoplay": "off",
    }
    assert kept(world.rita).playback_speed == "1.5"


EMAILS = ("email_mentions", "email_share_verdicts", "email_digest")


def test_the_emails_are_on_by_default_with_the_models_labels_and_the_address(client, world):
    client.force_login(world.rita)

    content = client.get(PAGE).content.decode()

    for name in EMAILS:
        assert checked(content, name) == ["on"]
    assert ">Email me when I am mentioned</label>" in content
    assert ">Email me hiring managers&#x27; verdicts on my shares</label>" in content
    assert ">A daily digest of the jobs I follow</label>" in content
    assert "Emails go to <strong>rita@example.com</strong>" in content


def test_the_emails_are_switched_off_and_on_like_the_others(client, world):
    client.force_login(world.rita)

    save(client, email_mentions="on")

    prefs = kept(world.rita)
    assert (prefs.email_mentions, prefs.email_share_verdicts, prefs.email_digest) == (
        True,
        False,
        False,
    )
    page = client.get(PAGE).content.decode()
    assert checked(page, "email_mentions") == ["on"]
    assert checked(page, "email_digest") == []
    save(client, email_share_verdicts="on", email_digest="on")
    prefs = kept(world.rita)
    assert (prefs.email_mentions, prefs.email_share_verdicts, prefs.email_digest) == (
        False,
        True,
        True,
    )


def test_a_member_without_an_address_is_told_emails_cannot_reach_them(client, world):
    world.rita.email = ""
    world.rita.save()
    client.force_login(world.rita)

    content = client.get(PAGE).content.decode()

    assert "Your account has no email address</strong>, so these emails cannot reach you" in content
    assert "Emails go to" not in content
