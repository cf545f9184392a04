"""The dashboard's own template filters."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.template import Context, Template
from django.test import override_settings
from django.utils import translation


def _render(source: str, **context) -> str:
    return Template("{% load dashboard_tags %}" + source).render(Context(context))


def test_day_shows_the_date_in_the_local_time_zone():
    late_evening_utc = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)

    assert _render("{{ at|day }}", at=late_evening_utc) == "14 Mar 2026"
    with override_settings(TIME_ZONE="Pacific/Auckland"):
        assert _render("{{ at|day }}", at=late_evening_utc) == "15 Mar 2026"
        assert _render("{{ at|day:'Y-m-d' }}", at=late_evening_utc) == "2026-03-15"


def test_day_matches_the_date_filter_and_takes_plain_dates():
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    assert _render("{{ at|day }}", at=at) == _render('{{ at|date:"j M Y" }}', at=at)
    assert _render("{{ at|day:'D j F' }}", at=date(2026, 1, 5)) == "Mon 5 January"


def test_day_follows_the_active_language():
    at = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

    english = _render("{{ at|day:'j F Y' }}", at=at)
    with translation.override("fr"):
        french = _render("{{ at|day:'j F Y' }}", at=at)

    assert (english, french) == ("1 May 2026", "1 mai 2026")


def test_day_shows_nothing_for_a_missing_or_unreadable_value():
    assert _render("[{{ at|day }}]", at=None) == "[]"
    assert _render("[{{ at|day }}]", at="yesterday") == "[]"
