"""Blind review: a member reveals who a candidate is (recorded on their timeline)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from dashboard.client_ip import client_ip_address
from dashboard.views.scoping import HtmxHttpRequest, candidate_for, safe_url, scope_for
from willo_integration.services.blind import candidate_reveal


@require_POST
@login_required
def participant_reveal(request: HtmxHttpRequest, slug: str, participant_key: str) -> HttpResponse:
    """Show this member who the candidate is, from now on, and go back where they were."""
    _membership, scope = scope_for(request, slug)
    participant, _freshness = candidate_for(scope, participant_key)
    candidate_reveal(
        scope=scope,
        participant_key=participant.key,
        viewer=request.user,
        ip_address=client_ip_address(request),
    )
    messages.info(request, "Revealed: your reveal is on the candidate's timeline.")
    back = safe_url(request, request.POST.get("next", "")) or reverse(
        "dashboard:participant_detail",
        kwargs={"slug": scope.team.slug, "participant_key": participant.key},
    )
    return redirect(back)
