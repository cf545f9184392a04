"""A job page's candidate filters in words: what an empty result was filtered by, each
filter with the query that clears it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.utils.formats import date_format

from willo_integration.services.participants import ParticipantFilters


@dataclass(frozen=True)
class ActiveFilter:
    words: str  # completes "No candidates ...", e.g. "with a Willo score from 4 to 2"
    clear_label: str  # "Clear the Willo score"
    clear_query: str  # the filters without this one (the ordering kept)


def _number(value: float) -> str:
    return f"{value:g}"


def _day(value: date) -> str:
    return date_format(value, "j M Y")


def _range(low, high, show, *, between: str, least: str, most: str) -> str:
    """A range one or both of whose ends are set, each end shown by ``show``."""
    if low is not None and high is not None:
        words = between.format(low=show(low), high=show(high))
        return words + (" (the first is above the second)" if low > high else "")
    if low is not None:
        return least.format(low=show(low))
    return most.format(high=show(high))


def active_filters(filters: ParticipantFilters) -> list[ActiveFilter]:
    """The filters set, in the order of the filter form; the ordering is not one."""
    active: list[tuple[str, str, ParticipantFilters]] = []
    if filters.status:
        active.append(
            (f"with the status {filters.status}", "the status", replace(filters, status=""))
        )
    if filters.q:
        active.append(
            (
                f"whose name or email contains “{filters.q}”",
                "the search",
                replace(filters, q=""),
            )
        )
    if filters.score_min is not None or filters.score_max is not None:
        words = _range(
            filters.score_min,
            filters.score_max,
            _number,
            between="with a Willo score from {low} to {high}",
            least="with a Willo score of {low} or more",
            most="with a Willo score of {high} or less",
        )
        active.append((words, "the Willo score", replace(filters, score_min=None, score_max=None)))
    if filters.in_favour_min is not None:
        active.append(
            (
                f"with at least {filters.in_favour_min} Strong yes or Yes from the team",
                "the Team Yes minimum",
                replace(filters, in_favour_min=None),
            )
        )
    if filters.responded_from is not None or filters.responded_to is not None:
        words = _range(
            filters.responded_from,
            filters.responded_to,
            _day,
            between="who responded from {low} to {high}",
            least="who responded on or after {low}",
            most="who responded on or before {high}",
        )
        active.append(
            (
                words,
                "the response dates",
                replace(filters, responded_from=None, responded_to=None),
            )
        )
    if filters.has_identity_check is not None:
        active.append(
            (
                "with an identity check"
                if filters.has_identity_check
                else "without an identity check",
                "the identity check",
                replace(filters, has_identity_check=None),
            )
        )
    return [ActiveFilter(words, f"Clear {label}", rest.as_query()) for words, label, rest in active]


def no_candidates_sentence(active: list[ActiveFilter]) -> str:
    """ "No candidates with the status Accepted and with a Willo score of 9 or more." """
    parts = [item.words for item in active]
    if len(parts) > 1:
        parts = [", ".join(parts[:-1]) + " and " + parts[-1]]
    return " ".join(["No candidates", *parts]) + "."
