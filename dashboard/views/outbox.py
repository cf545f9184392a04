"""The team's Outbox: every email the dashboard sends, what waits and what went; Cancel,
Send now, and settling one whose outcome is unknown. Also the email a decision's notice
offers (queued here, sent once Willo has the decision)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from dashboard.email_forms import DecisionEmailForm
from dashboard.models import OutboundEmail
from dashboard.presenters.outbox import (
    email_words,
    outbox_rows,
    outbox_tabs,
    queue_report_words,
)
from dashboard.views.scoping import HtmxHttpRequest, safe_url, scope_for, wants_partial
from willo_integration.services.decision_emails import decision_emails_queue
from willo_integration.services.decisions import decisions_list
from willo_integration.services.outbox import (
    EmailNotChangeable,
    email_cancel,
    email_resolve,
    email_send_now,
    outbox_email,
    outbox_page,
)

logger = logging.getLogger("dashboard.outbox")


def _outbox_url(slug: str, state: str = "") -> str:
    url = reverse("dashboard:outbox", kwargs={"slug": slug})
    return f"{url}?state={state}" if state else url


@require_GET
@login_required
def outbox(request: HttpRequest, slug: str) -> HttpResponse:
    membership, scope = scope_for(request, slug, min_role="recruiter")
    shown = outbox_page(
        scope=scope, state=request.GET.get("state", ""), page=request.GET.get("page", 1)
    )
    context = {
        "membership": membership,
        "team": scope.team,
        "outbox": shown,
        "rows": outbox_rows(scope=scope, viewer=request.user, emails=shown.page.object_list),
        "tabs": outbox_tabs(shown),
        "base_query": f"state={shown.state}" if shown.state else "",
    }
    return render(request, "dashboard/outbox/list.html", context)


@require_GET
@login_required
def email_detail(request: HttpRequest, slug: str, email_id: int) -> HttpResponse:
    """One email's words: as sent, or as it would go now."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    email = outbox_email(scope=scope, email_id=email_id)
    if email is None:
        raise Http404("No such email here.")
    context = {
        "membership": membership,
        "team": scope.team,
        "email": email,
        "row": outbox_rows(scope=scope, viewer=request.user, emails=[email])[0],
        "words": email_words(email=email, viewer=request.user),
    }
    return render(request, "dashboard/outbox/detail.html", context)


def _act(request: HttpRequest, slug: str, email_id: int, act, done: str) -> HttpResponse:
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    try:
        email = act(scope=scope, email_id=email_id, actor=request.user)
    except OutboundEmail.DoesNotExist:
        raise Http404("No such email here.") from None
    except EmailNotChangeable as refused:
        messages.error(request, str(refused))
        logger.info("outbox: %s refused for email %s: %s", done, email_id, refused)
    else:
        messages.success(request, done.format(to=email.to_name or email.to_email or "them"))
    onward = safe_url(request, request.POST.get("next", ""))
    return redirect(onward or _outbox_url(slug))


@require_POST
@login_required
def email_cancel_view(request: HttpRequest, slug: str, email_id: int) -> HttpResponse:
    return _act(request, slug, email_id, email_cancel, "Cancelled: the email to {to} will not go.")


@require_POST
@login_required
def email_send_now_view(request: HttpRequest, slug: str, email_id: int) -> HttpResponse:
    return _act(
        request,
        slug,
        email_id,
        email_send_now,
        "The email to {to} goes within a minute (or as soon as Willo has its decision).",
    )


@require_POST
@login_required
def email_resolve_view(request: HttpRequest, slug: str, email_id: int) -> HttpResponse:
    """Settle an email of unknown outcome (POST went_out=yes: mark it sent; no: send it
    again, the person having checked it did not arrive)."""
    went_out = request.POST.get("went_out") == "yes"

    def resolve(*, scope, email_id, actor):
        return email_resolve(scope=scope, email_id=email_id, actor=actor, went_out=went_out)

    done = "Marked as sent." if went_out else "The email to {to} is sent again."
    return _act(request, slug, email_id, resolve, done)


@require_POST
@login_required
def decisions_email(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Queue the email a decision's notice offered (POST decision_id=..., delay_hours=H)."""
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    form = DecisionEmailForm(request.POST)
    if not form.is_valid():
        logger.info("decision email refused: %s", form.errors.as_json())
        text = "Choose when the email goes (now to 72 h after Willo has the decision)."
        return _offer_answer(request, slug, text, tone="error", status=400)
    decisions = decisions_list(scope=scope, decision_ids=form.cleaned_data["decision_id"])
    if not decisions:
        raise Http404("No such decision here.")
    hours = form.cleaned_data["delay_hours"]
    report = decision_emails_queue(
        scope=scope, decisions=decisions, delay_hours=hours, actor=request.user
    )
    text = queue_report_words(report, hours)
    tone = "success" if report.queued else "error"
    return _offer_answer(request, slug, text, tone=tone, status=200 if report.queued else 409)


def _offer_answer(
    request: HtmxHttpRequest, slug: str, text: str, *, tone: str, status: int
) -> HttpResponse:
    if not wants_partial(request):
        (messages.success if tone == "success" else messages.error)(request, text)
        return redirect(safe_url(request, request.POST.get("next", "")) or _outbox_url(slug))
    html = render_to_string(
        "dashboard/outbox/_offer_done.html",
        {"text": text, "tone": tone, "outbox_url": _outbox_url(slug)},
        request,
    )
    response = HttpResponse(html, status=status)
    trigger_client_event(response, "candidates-changed")
    return response
