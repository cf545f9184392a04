"""A candidate's identity check (IDV, right to work, DBS): loaded lazily, masked until revealed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.client_ip import client_ip_address
from dashboard.presenters.blind import masking_for
from dashboard.presenters.participants import identity_context
from dashboard.views.limits import member_budget
from dashboard.views.scoping import HtmxHttpRequest, candidate_for, scope_for, wants_partial
from willo_integration.services.errors import WilloUnavailable
from willo_integration.services.identity import identity_reveal, participant_identity
from willo_integration.services.reads import ReadLimitReached


def _identity(request: HtmxHttpRequest, *, membership, scope, participant, revealed: bool):
    error, status, retry_after, info = "", 200, 0, None
    masking = masking_for(scope=scope, viewer=request.user, rows=[participant])
    blind_hidden = masking.hides(participant.key)
    try:
        if not blind_hidden:  # a document names its holder: not even fetched
            info = participant_identity(
                scope=scope, key=participant.key, budget=member_budget(request)
            )
    except WilloUnavailable as unavailable:
        info, error = None, str(unavailable)
    except ReadLimitReached as limit:
        # The panel has a place for the message, and its "Try again".
        info, error, status, retry_after = None, limit.message, 429, limit.retry_after
    context = {
        "membership": membership,
        "team": scope.team,
        "participant": masking.show(participant),
        "blind_hidden": blind_hidden,
        "error": error,
        **identity_context(info),
        "revealed": revealed,
        "can_reveal": membership.has_role("recruiter"),
    }
    template = "dashboard/participants/detail.html#identity"
    if not wants_partial(request):
        template = "dashboard/participants/identity.html"
    response = render(request, template, context, status=status)
    if status == 429:
        response["Retry-After"] = str(retry_after)
    return response


@require_GET
@login_required
@vary_on_headers("HX-Request")
def participant_identity_view(
    request: HtmxHttpRequest, slug: str, participant_key: str
) -> HttpResponse:
    """The identity panel, fetched live from Willo when the candidate page asks for it."""
    membership, scope = scope_for(request, slug)
    participant, _freshness = candidate_for(scope, participant_key)
    return _identity(
        request, membership=membership, scope=scope, participant=participant, revealed=False
    )


@require_POST
@login_required
def participant_identity_reveal(
    request: HtmxHttpRequest, slug: str, participant_key: str
) -> HttpResponse:
    """Show the masked document data (name, date of birth, number); the audit log records it."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    participant, _freshness = candidate_for(scope, participant_key)
    if masking_for(scope=scope, viewer=request.user, rows=[participant]).hides(participant.key):
        return _identity(  # blind: reveal the candidate first, on their page
            request, membership=membership, scope=scope, participant=participant, revealed=False
        )
    identity_reveal(
        scope=scope,
        participant_key=participant.key,
        actor=request.user,
        ip_address=client_ip_address(request),
    )
    return _identity(
        request, membership=membership, scope=scope, participant=participant, revealed=True
    )
