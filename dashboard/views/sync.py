"""The team page's sync panel: the latest sync's progress, and starting one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from dashboard.views.scoping import HtmxHttpRequest, scope_for
from willo_integration.models import SyncRun
from willo_integration.services.scope import Scope
from willo_integration.services.sync import SyncBusy, sync_latest, sync_start


def sync_context(scope: Scope, membership) -> dict:
    run = sync_latest(scope=scope)
    return {
        "team": scope.team,
        "run": run,
        "can_sync": membership.has_role("admin"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def team_sync(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the sync panel (polled while a sync is active). POST (team admins): start one."""
    if request.method == "POST":
        membership, scope = scope_for(request, slug, min_role="admin")
        kind = SyncRun.Kind.FULL if request.POST.get("kind") == "full" else SyncRun.Kind.INCREMENTAL
        notice = ""
        try:
            run = sync_start(scope=scope, kind=kind)
        except SyncBusy as busy:
            notice = str(busy)
        else:
            from willo_integration.tasks import sync_task

            sync_task.delay_on_commit(run.pk)
    else:
        membership, scope = scope_for(request, slug)
        notice = ""
    context = sync_context(scope, membership) | {"notice": notice}
    return render(request, "dashboard/team_detail.html#sync", context)
