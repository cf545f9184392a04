"""Notes as the team meets them: a recruiter mentions a colleague in a note on a candidate;
the colleague signs in, sees the Mentions badge, opens it and reaches the candidate."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from dashboard.models import Membership, Mention
from tests.e2e.conftest import password_of
from tests.e2e.test_decisions import WIDTHS, completed, no_sideways_scroll
from tests.e2e.test_recruiter_flow import (  # noqa: F401 - northwind is a fixture
    northwind,
    serious_violations,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_mentioned_colleague_finds_the_note_and_the_candidate(
    page,
    log_in,
    northwind,  # noqa: F811
    width,
):
    team, job = northwind
    candidate = completed(team, job)
    colin = get_user_model().objects.create_user(
        username="colin", password=password_of("colin"), email="colin@example.com"
    )
    Membership.objects.create(user=colin, team=team, role=Membership.Role.RECRUITER)
    page.set_viewport_size({"width": width, "height": 900})
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/candidates/{candidate.key}/")
    notes = page.locator("#notes")
    field = notes.get_by_label("Note", exact=True)

    field.fill("@nobody have a look")
    notes.get_by_role("button", name="Add note").click()

    expect(notes.get_by_role("alert")).to_contain_text("@nobody is not a member of")
    expect(field).to_have_value("@nobody have a look")  # nothing lost
    assert not Mention.objects.exists()
    no_sideways_scroll(page, width)
    assert serious_violations(page) == []

    field.fill("@colin please watch the second answer, <b>then</b> decide")
    field.press("Control+Enter")

    expect(notes.get_by_role("status")).to_have_text("Note added.")
    expect(field).to_have_value("")
    note = notes.locator(".note").first
    expect(note.locator("mark.mention")).to_have_text("@colin")
    expect(note).to_contain_text("<b>then</b> decide")  # shown as written, never as markup
    expect(note).to_contain_text("rachel")
    no_sideways_scroll(page, width)
    assert serious_violations(page) == []

    page.context.clear_cookies()
    log_in("colin")
    mentions = page.get_by_role("link", name="Mentions, 1 unseen")
    expect(mentions).to_be_visible()
    no_sideways_scroll(page, width)
    mentions.click()

    expect(page.get_by_role("heading", name="Mentions", level=1)).to_be_visible()
    expect(page.get_by_text("1 new mention on this page.")).to_be_visible()
    expect(page.get_by_role("link", name="Mentions", exact=True)).to_be_visible()  # seen now
    no_sideways_scroll(page, width)
    assert serious_violations(page) == []
    # An agency team (the sandbox's organisation is one): the mention opens the candidate
    # through the switch into the note's organisation, a button.
    page.get_by_role("button", name=candidate.name, exact=True).click()

    expect(page.get_by_role("heading", name=candidate.name, level=1)).to_be_visible()
    expect(page.locator("#notes .note").first).to_contain_text("please watch the second answer")
    assert Mention.objects.get().seen_at is not None
