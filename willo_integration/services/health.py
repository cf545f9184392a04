"""What the health endpoints report of the data: when Willo last reached us."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max

from dashboard.models import Team


def webhook_last_received_at() -> datetime | None:
    """When the newest webhook of any team arrived (None: none yet)."""
    return Team.objects.aggregate(last=Max("last_webhook_at"))["last"]
