"""What open pages poll: a change marker answered from the cache, 204 while unchanged.

When the marker moved, the answer carries ``HX-Trigger: willo-changed`` and a new
poller; the page's regions listening for that event fetch themselves again, keeping the
user's filter, page and selection.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard.presenters.live import live_context
from dashboard.views.scoping import HtmxHttpRequest, scope_for


@require_GET
@login_required
def team_changes(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    _membership, scope = scope_for(request, slug)
    candidate = request.GET.get("candidate", "")[:64]
    context = live_context(scope, candidate)
    if request.GET.get("since") == context["live_marker"]:
        return HttpResponse(status=204)
    response = render(request, "dashboard/_live.html", {"team": scope.team, **context})
    response["HX-Trigger"] = "willo-changed"
    return response
