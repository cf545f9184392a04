"""A member's preferences: single-key shortcuts, playback speed and autoplay in review,
blind review (see services/blind.py), and which emails they get (services/member_emails.py).

They belong to the member, not a team, and are the dashboard's own (Willo never hears of
them). A member who never saved any has the defaults, without a row.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from dashboard.models import MemberPreferences

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger("willo_integration.services")

SPEEDS = MemberPreferences.SPEEDS
SPEED_CHOICES = MemberPreferences._meta.get_field("playback_speed").choices  # ("1.5", "1.5×")
SPEED_REFUSED = f"Choose a speed of {', '.join(label for _, label in SPEED_CHOICES)}."


class PreferenceInvalid(ValueError):
    """A preference that cannot be kept (a speed not offered)."""


def preferences_of(member: AbstractBaseUser) -> MemberPreferences:
    """The member's preferences; the defaults (unsaved) if they never changed any."""
    if not member.is_authenticated:
        return MemberPreferences()
    found = MemberPreferences.objects.filter(user=member).first()
    return found if found is not None else MemberPreferences(user=member)


def preferences_save(
    *,
    member: AbstractBaseUser,
    shortcuts: bool,
    playback_speed: str,
    autoplay: bool,
    blind_review: bool,
    email_mentions: bool,
    email_share_verdicts: bool,
    email_digest: bool,
) -> MemberPreferences:
    """Keep the member's preferences (the preferences page)."""
    _check_speed(playback_speed)
    preferences, _ = MemberPreferences.objects.update_or_create(
        user=member,
        defaults={
            "shortcuts": shortcuts,
            "playback_speed": playback_speed,
            "autoplay": autoplay,
            "blind_review": blind_review,
            "email_mentions": email_mentions,
            "email_share_verdicts": email_share_verdicts,
            "email_digest": email_digest,
        },
    )
    logger.info(
        "preferences of %s saved (shortcuts %s, speed %s, autoplay %s, blind review %s, "
        "emails of mentions %s, of verdicts %s, digest %s)",
        member.get_username(), _on(shortcuts), playback_speed, _on(autoplay),
        _on(blind_review), _on(email_mentions), _on(email_share_verdicts), _on(email_digest),
    )  # fmt: skip
    return preferences


def playback_speed_set(*, member: AbstractBaseUser, speed: str) -> MemberPreferences:
    """Remember the speed the member last chose on a player, for every player after."""
    _check_speed(speed)
    preferences, _ = MemberPreferences.objects.update_or_create(
        user=member, defaults={"playback_speed": speed}
    )
    logger.info("playback speed of %s set to %s", member.get_username(), speed)
    return preferences


def shortcuts_set(*, member: AbstractBaseUser, on: bool) -> MemberPreferences:
    """Turn the member's single-key shortcuts on or off (the shortcuts dialog's switch)."""
    preferences, _ = MemberPreferences.objects.update_or_create(
        user=member, defaults={"shortcuts": on}
    )
    logger.info("shortcuts of %s turned %s", member.get_username(), "on" if on else "off")
    return preferences


def _on(value: bool) -> str:
    return "on" if value else "off"


def _check_speed(speed: str) -> None:
    if speed not in SPEEDS:
        raise PreferenceInvalid(SPEED_REFUSED)
