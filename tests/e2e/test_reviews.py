"""Reviewing as recruiters meet it: rating answers and recommending with the keyboard, and
independent review hiding a colleague's review until I have given mine."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from dashboard.models import Membership, Review
from tests.e2e.conftest import password_of
from tests.e2e.test_decisions import WIDTHS, completed, no_sideways_scroll
from tests.e2e.test_recruiter_flow import (  # noqa: F401 - northwind is a fixture
    northwind,
    serious_violations,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def colleague(northwind):  # noqa: F811
    team, _job = northwind
    user = get_user_model().objects.create_user(
        username="carmen", password=password_of("carmen"), email="carmen@example.com"
    )
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    return user


@pytest.mark.parametrize("width", WIDTHS)
def test_a_colleagues_review_shows_only_once_i_have_recommended(
    page,
    log_in,
    northwind,  # noqa: F811
    colleague,
    screenshot,
    width,
):
    team, job = northwind
    candidate = completed(team, job)
    page.set_viewport_size({"width": width, "height": 900})
    log_in("carmen")
    page.goto(f"/teams/{team.slug}/candidates/{candidate.key}/")
    review = page.locator("#review")
    review.get_by_label("Strong no").check()
    review.get_by_label("Review note").fill("Carmen thinks the answers were thin.")
    review.get_by_role("button", name="Save review").click()
    expect(review.get_by_text("Review saved.")).to_be_visible()
    page.context.clear_cookies()

    log_in("rachel")
    page.goto(f"/teams/{team.slug}/candidates/{candidate.key}/")
    team_reviews = page.locator("#team-reviews")
    expect(team_reviews).to_contain_text("Hidden until you give your recommendation")
    expect(page.get_by_text("Carmen thinks the answers were thin.")).to_have_count(0)
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)

    review = page.locator("#review")
    first_rating = review.locator(".rating").first
    first_rating.get_by_role("radio").nth(3).focus()  # keyboard: the 4
    page.keyboard.press("Space")
    review.get_by_label("Yes", exact=True).check()
    review.get_by_role("button", name="Save review").click()

    expect(review.get_by_text("Review saved.")).to_be_visible()
    expect(team_reviews).to_contain_text("Carmen thinks the answers were thin.")
    expect(team_reviews).to_contain_text("Strong no 1")
    expect(team_reviews).to_contain_text("Yes 1")
    expect(team_reviews).to_contain_text("Team rating: 4.0 of 5")
    screenshot(f"review-{width}")
    mine = Review.objects.get(reviewer__username="rachel")
    assert mine.recommendation == "yes"
    assert list(mine.ratings.values_list("rating", flat=True)) == [4]
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)

    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?ordering=-team_in_favour")
    row = page.locator(f"#row-{candidate.key}")
    expect(row).to_contain_text("1 yes")
    expect(row).to_contain_text("1 no")
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)
