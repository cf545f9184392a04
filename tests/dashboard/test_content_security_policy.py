"""Every page carries a strict Content-Security-Policy; the browser tests fail on a violation."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.dashboard.settings_probe import settings_probe

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, list[str]]:
    directives = (part.strip().split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


def test_pages_forbid_inline_script_inline_style_and_eval(client, world):
    client.force_login(world.alice)

    policy = _policy(client.get(reverse("dashboard:team_detail", kwargs={"slug": "acme-hiring"})))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_the_login_page_has_the_policy_too(client, db):
    assert "script-src 'self'" in client.get("/accounts/login/")["Content-Security-Policy"]


def test_media_from_the_sandbox_on_another_loopback_origin_may_play(tmp_path):
    """``willo_sandbox serve --port 8001`` serves answers over plain http: its origin is
    allowed when the sandbox is on (settings are read at start, hence a subprocess)."""
    media, images = settings_probe(
        tmp_path,
        "[list(map(str, settings.CONTENT_SECURITY_POLICY['DIRECTIVES'][d])) "
        "for d in ('media-src', 'img-src')]",
        WILLO_SANDBOX_BASE_URL="http://127.0.0.1:8001/api/integrations/v2",
    )

    assert "http://127.0.0.1:8001" in media
    assert "http://127.0.0.1:8001" in images


def test_no_template_has_inline_script_style_or_htmx_event_handlers():
    """Pages only: an email's HTML (templates/emails/) is read by mail clients, which no
    CSP governs and which need inline styles."""
    offending = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\shx-on|\son[a-z]+=")
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in TEMPLATES.rglob("*.html")
        if path.relative_to(TEMPLATES).parts[0] != "emails"
        for match in offending.finditer(path.read_text())
    ]

    assert found == []
    assert any(TEMPLATES.glob("emails/*.html"))  # what is left out is there to leave out
