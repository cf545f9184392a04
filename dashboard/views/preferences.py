"""A member's preferences: the page, and the two switches the players and the shortcuts
dialog flip without leaving the page they are on."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.forms import ON_OFF, PreferencesForm
from willo_integration.services.blind import blind_teams_of
from willo_integration.services.preferences import (
    PreferenceInvalid,
    playback_speed_set,
    preferences_of,
    preferences_save,
    shortcuts_set,
)

logger = logging.getLogger("dashboard.preferences")


@require_http_methods(["GET", "POST"])
@login_required
def member_preferences(request: HttpRequest) -> HttpResponse:
    """Show the member's preferences; keep them (then back to the page) or say what is wrong."""
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            preferences_save(member=request.user, **form.cleaned_data)
            messages.success(request, "Preferences saved.")
            return redirect("dashboard:member_preferences")
        status = 400
    else:
        form = PreferencesForm.of(preferences_of(request.user))
        status = 200
    return render(
        request,
        "dashboard/preferences.html",
        {"form": form, "blind_teams": blind_teams_of(member=request.user)},
        status=status,
    )


@require_POST
@login_required
def playback_speed(request: HttpRequest) -> HttpResponse:
    """Remember the speed a member chose on a player (``speed=1.5``)."""
    speed = request.POST.get("speed", "")
    try:
        playback_speed_set(member=request.user, speed=speed)
    except PreferenceInvalid as refused:
        return _refused(request, f"speed {speed!r}", str(refused))
    return _done(request, f"Playback speed {speed}× kept for your next answers.")


@require_POST
@login_required
def shortcuts(request: HttpRequest) -> HttpResponse:
    """Turn single-key shortcuts on or off (``shortcuts=on|off``, the shortcuts dialog)."""
    value = request.POST.get("shortcuts", "")
    if value not in dict(ON_OFF):
        return _refused(request, f"shortcuts {value!r}", "Choose on or off for shortcuts.")
    shortcuts_set(member=request.user, on=value == "on")
    return _done(request, f"Single-key shortcuts are {value}.")


def _from_script(request: HttpRequest) -> bool:
    """htmx, or the site's own fetch (which says so), as opposed to a form without JS."""
    return bool(getattr(request, "htmx", False)) or (
        request.headers.get("X-Requested-With") == "fetch"
    )


def _done(request: HttpRequest, words: str) -> HttpResponse:
    if _from_script(request):
        return HttpResponse(status=204)
    messages.success(request, words)
    return HttpResponseRedirect(_back(request))


def _refused(request: HttpRequest, what: str, words: str) -> HttpResponse:
    logger.info("preference of %s refused: %s", request.user.get_username(), what)
    return HttpResponse(words, status=400, content_type="text/plain; charset=utf-8")


def _back(request: HttpRequest) -> str:
    """The page the form came from when ``next`` names one of ours, else the preferences."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("dashboard:member_preferences")
