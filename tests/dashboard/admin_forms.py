"""The admin's team change form, as a browser would post it."""

from __future__ import annotations

from dashboard.models import Team


def team_form_data(team: Team, **overrides) -> dict:
    data = {
        "name": team.name,
        "slug": team.slug,
        "environment": team.environment,
        "custom_base_url": team.custom_base_url,
        "willo_user_email": team.willo_user_email,
        "new_api_key": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data
