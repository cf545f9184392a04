"""The agency page: an agency team's client (child) organisations with a cockpit each,
creating a client, and switching the session into a client and back."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from dashboard.forms import ChildOrganisationForm
from dashboard.models import Membership
from dashboard.views.limits import answers_read_limit, member_budget
from dashboard.views.scoping import HtmxHttpRequest, agency_choice_set, scope_for, wants_partial
from willo_integration.client import BadRequestError
from willo_integration.services.agency import (
    agency_cockpit,
    child_create,
    children_listed,
    children_refresh_shared,
)
from willo_integration.services.errors import WILLO_FAILURES
from willo_integration.services.freshness import log_failure, unavailable_message
from willo_integration.services.scope import NotAChild, child_choice

logger = logging.getLogger("dashboard.agency")


def _agency_membership(request: HtmxHttpRequest, slug: str, *, min_role: str | None = None):
    """The requester's membership of an agency team; 404 for a team that is not one."""
    membership, _scope = scope_for(request, slug, min_role=min_role)
    if not membership.team.is_parent:
        raise Http404("This team is not an agency.")
    return membership


def _page(
    request: HtmxHttpRequest,
    membership: Membership,
    *,
    form: ChildOrganisationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    team = membership.team
    context = {
        "team": team,
        "membership": membership,
        "cockpits": agency_cockpit(team),
        "form": form or ChildOrganisationForm(),
        "can_create": membership.has_role("admin"),
        "current_child": getattr(getattr(request, "agency_choice", None), "child", None),
    }
    return render(request, "dashboard/agency/detail.html", context, status=status)


@require_GET
@login_required
@answers_read_limit
def agency_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    membership = _agency_membership(request, slug)
    if not children_listed(membership.team):
        _refresh(request, membership)  # first visit: list them from Willo
    return _page(request, membership)


@require_POST
@login_required
@answers_read_limit
def agency_refresh(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Read the list of children from Willo again."""
    membership = _agency_membership(request, slug)
    if _refresh(request, membership):
        messages.success(request, "The client organisations are up to date with Willo.")
    return HttpResponseRedirect(reverse("dashboard:agency_detail", kwargs={"slug": slug}))


def _refresh(request: HtmxHttpRequest, membership: Membership) -> bool:
    try:
        children_refresh_shared(membership.team, budget=member_budget(request))
    except WILLO_FAILURES as exc:
        log_failure("children refresh", membership.team.slug, exc)
        messages.error(
            request, f"The client organisations could not be read. {unavailable_message(exc)}"
        )
        return False
    return True


@require_POST
@login_required
def agency_child_create(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Team admins: create a client organisation in Willo."""
    membership = _agency_membership(request, slug, min_role="admin")
    form = ChildOrganisationForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, form=form, status=422)
    try:
        child = child_create(membership.team, **form.cleaned_data)
    except BadRequestError as exc:
        logger.info("team %s: Willo refused a new child organisation: %s", slug, exc)
        form.add_willo_errors(exc.field_errors or {"__all__": [str(exc)]})
        return _page(request, membership, form=form, status=422)
    except WILLO_FAILURES as exc:
        log_failure("child create", slug, exc)
        form.add_error(None, f"Not created. {unavailable_message(exc)}")
        return _page(request, membership, form=form, status=503)
    messages.success(request, f"Created the client organisation {child.name}.")
    return HttpResponseRedirect(reverse("dashboard:agency_detail", kwargs={"slug": slug}))


@require_POST
@login_required
def agency_switch(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Work inside a child (``child``, and ``relation``: a relation digest, "" for the
    child's admin relation) or, with no child, back in the agency's own organisation;
    ``candidate`` (a participant key, from a mention) opens that candidate there."""
    membership = _agency_membership(request, slug)
    team = membership.team
    child_key = request.POST.get("child", "").strip()
    candidate = request.POST.get("candidate", "").strip()
    if not child_key:
        agency_choice_set(request, team.slug, None)
        if not candidate:
            messages.info(request, f"Back in {team.name}.")
        url = reverse("dashboard:agency_detail", kwargs={"slug": slug})
    else:
        try:
            choice = child_choice(team, child_key, request.POST.get("relation", "").strip())
        except NotAChild:
            logger.info("team %s: switch to a child that is not its own refused", slug)
            raise Http404("No such client organisation here.") from None
        agency_choice_set(
            request, team.slug, {"child": choice.child.key, "relation": choice.relation.key_digest}
        )
        messages.info(request, f"You are now working in {choice.child} as {choice.relation}.")
        url = reverse("dashboard:interview_list", kwargs={"slug": slug})
    if candidate and "/" not in candidate:
        url = reverse(
            "dashboard:participant_detail", kwargs={"slug": slug, "participant_key": candidate}
        )
    if wants_partial(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)
