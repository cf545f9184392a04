"""The staff's Sandbox page: Willo's weather in the demo (slow, rate-limited, down, or back
to normal), changed at run time for the sandbox this process serves."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dashboard.models import actor_label
from willo_integration.sandbox import knobs

# One click each: (label, what it sets, what a member will see).
PRESETS = {
    "down": ("Willo is down", {"error_rate": 1.0}, "every request fails with a 5xx"),
    "slow": ("Willo is slow", {"latency_ms": 2000.0}, "every request takes 2 s more"),
    "throttled": (
        "Willo rate-limits",
        {"rate_limit": 2, "rate_window_s": 10.0},
        "2 requests per 10 s per key, then 429 with Retry-After",
    ),
}


class SandboxKnobsForm(forms.Form):
    latency_ms = forms.FloatField(
        label="Added latency (ms)", min_value=0, max_value=60_000, initial=0
    )
    rate_limit = forms.IntegerField(
        label="Rate limit (requests per window, per key)",
        min_value=1,
        max_value=100_000,
        required=False,
        help_text="Empty: no limit.",
    )
    rate_window_s = forms.FloatField(
        label="Rate window (s)", min_value=0.1, max_value=3600, initial=1
    )
    error_percent = forms.FloatField(
        label="Requests failing with a 5xx (%)", min_value=0, max_value=100, initial=0
    )

    @classmethod
    def of(cls, current: knobs.Knobs) -> SandboxKnobsForm:
        return cls(
            initial={
                "latency_ms": current.latency_ms,
                "rate_limit": current.rate_limit,
                "rate_window_s": current.rate_window_s,
                "error_percent": round(current.error_rate * 100, 2),
            }
        )

    def knobs(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "latency_ms": data["latency_ms"],
            "rate_limit": data["rate_limit"],
            "rate_window_s": data["rate_window_s"],
            "error_rate": data["error_percent"] / 100,
        }


@require_http_methods(["GET", "POST"])
@login_required
def sandbox_knobs(request: HttpRequest) -> HttpResponse:
    """Staff only, and only where the sandbox is on (404 elsewhere: it does not exist)."""
    if not settings.WILLO_SANDBOX_ENABLED:
        raise Http404("The Willo sandbox is not enabled here.")
    if not request.user.is_staff:
        raise PermissionDenied("The Sandbox page is for staff.")
    status = 200
    if request.method == "POST":
        preset = request.POST.get("preset", "")
        by = actor_label(request.user)
        if preset == "normal":
            defaults = knobs.defaults()
            knobs.change(
                by=by,
                latency_ms=defaults.latency_ms,
                rate_limit=defaults.rate_limit,
                rate_window_s=defaults.rate_window_s,
                error_rate=defaults.error_rate,
            )
            messages.success(request, "Willo is back to normal (the environment's settings).")
            return redirect("dashboard:sandbox_knobs")
        if preset in PRESETS:
            label, changes, effect = PRESETS[preset]
            knobs.change(by=by, **changes)
            messages.success(request, f"{label}: {effect}.")
            return redirect("dashboard:sandbox_knobs")
        form = SandboxKnobsForm(request.POST)
        if form.is_valid():
            knobs.change(by=by, **form.knobs())
            messages.success(request, "Sandbox knobs saved.")
            return redirect("dashboard:sandbox_knobs")
        status = 400
    else:
        form = SandboxKnobsForm.of(knobs.current())
    context = {
        "form": form,
        "current": knobs.current(),
        "defaults": knobs.defaults(),
        "presets": [(name, label, effect) for name, (label, _c, effect) in PRESETS.items()],
        "simulate_seconds": settings.WILLO_SANDBOX_SIMULATE_SECONDS,
    }
    return render(request, "dashboard/sandbox.html", context, status=status)
