"""The team page's sync panel: the latest sync's progress, starting one, and resuming or
cancelling one that waits for Willo (or whose worker stopped)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.models import actor_label
from dashboard.presenters.teams import sync_context, team_page_context
from dashboard.views.scoping import HtmxHttpRequest, scope_for
from willo_integration.models import SyncRun
from willo_integration.services.sync import (
    SyncBusy,
    SyncNotWaiting,
    sync_cancel,
    sync_enqueue,
    sync_resume,
    sync_start,
)


@login_required
@require_http_methods(["GET", "POST"])
def team_sync(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the sync panel (polled while a sync is active). POST (team admins): start one."""
    notice = ""
    if request.method == "POST":
        membership, scope = scope_for(request, slug, min_role="admin")
        kind = SyncRun.Kind.FULL if request.POST.get("kind") == "full" else SyncRun.Kind.INCREMENTAL
        try:
            run = sync_start(scope=scope, kind=kind)
        except SyncBusy as busy:
            notice = str(busy)
        else:
            sync_enqueue(run=run)
    else:
        membership, scope = scope_for(request, slug)
    context = sync_context(scope, membership, notice=notice)
    return render(request, "dashboard/team_detail.html#sync", context)


@require_POST
@login_required
def team_sync_resume(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """Team admins: try a sync waiting for Willo (or whose worker stopped) again now."""
    membership, scope = scope_for(request, slug, min_role="admin")
    try:
        run = sync_resume(scope=scope, run_id=run_id)
    except SyncNotWaiting as not_waiting:
        return _team_page(request, scope, membership, notice=str(not_waiting))
    sync_enqueue(run=run)
    messages.info(request, "Resumed the sync: it is trying Willo again.")
    return _to_team_page(slug)


@require_POST
@login_required
def team_sync_cancel(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """Team admins: cancel a sync waiting for Willo (or whose worker stopped), for good."""
    membership, scope = scope_for(request, slug, min_role="admin")
    try:
        sync_cancel(scope=scope, run_id=run_id, actor=actor_label(request.user))
    except SyncNotWaiting as not_waiting:
        return _team_page(request, scope, membership, notice=str(not_waiting))
    messages.info(request, "Cancelled the sync. What it fetched stays cached.")
    return _to_team_page(slug)


def _to_team_page(slug: str) -> HttpResponseRedirect:
    url = reverse("dashboard:team_detail", kwargs={"slug": slug})
    return HttpResponseRedirect(f"{url}#sync")


def _team_page(request: HttpRequest, scope, membership, *, notice: str) -> HttpResponse:
    """The team page with why the sync could not be resumed or cancelled: 409."""
    context = team_page_context(scope, membership, notice=notice)
    return render(request, "dashboard/team_detail.html", context, status=409)
