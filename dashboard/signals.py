"""Signal receivers: tell a person who just logged out that they did."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver


@receiver(user_logged_out, dispatch_uid="dashboard.logged_out_message")
def logged_out_message(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "_messages"):
        messages.info(request, "You have logged out.")
