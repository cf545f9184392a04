"""The recruiter's side of share links: share chosen candidates of a job with a hiring
manager, see the link once, make a new one (or email one), revoke one. (The manager's side
is ``dashboard.views.shared``.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboard.forms import ShareForm
from dashboard.presenters.blind import masking_for
from dashboard.views.scoping import job_for, scope_for
from willo_integration.services.shares import (
    MAX_SHARED,
    ShareRejected,
    share_choosable,
    share_create,
    share_in_scope,
    share_new_link,
    share_resend,
    share_revoke,
)

NEW_LINK_SESSION_KEY = "share-link"  # the token, for the one page that shows it


@require_http_methods(["GET", "POST"])
@login_required
def share_new(request: HttpRequest, slug: str, interview_key: str) -> HttpResponse:
    """The share form for the candidates chosen in the job's table or in compare (``?c=``);
    on success the link is shown once, on the next page."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    interview, _freshness = job_for(scope, interview_key)
    data = request.POST if request.method == "POST" else request.GET
    asked = [k for k in (*data.getlist("c"), *data.getlist("keys")) if k.strip()]
    rows = share_choosable(scope=scope, interview=interview, keys=asked)
    masking = masking_for(scope=scope, viewer=request.user, rows=rows)
    choices = [(row.key, masking.show(row).name or "(no name)") for row in rows]
    problem = ""
    if request.method == "POST":
        form = ShareForm(request.POST, candidates=choices)
        if form.is_valid():
            try:
                made = share_create(
                    scope=scope,
                    interview=interview,
                    participant_keys=form.cleaned_data["keys"],
                    recipient_name=form.cleaned_data["recipient_name"],
                    recipient_email=form.cleaned_data["recipient_email"],
                    days=form.cleaned_data["days"],
                    show_contact_details=form.cleaned_data["show_contact_details"],
                    blind=form.cleaned_data["blind"],
                    creator=request.user,
                )
            except ShareRejected as rejected:
                problem = str(rejected)
            else:
                return _to_link(request, slug, made)
    else:
        form = ShareForm(
            candidates=choices,
            initial={"keys": [key for key, _name in choices], "blind": masking.on},
        )
    context = {
        "membership": membership,
        "team": scope.team,
        "interview": interview,
        "form": form,
        "problem": problem,
        "chosen": len(choices),
        "too_many": len(dict.fromkeys(asked)) > MAX_SHARED,
        "max_shared": MAX_SHARED,
    }
    status = 200 if request.method == "GET" else 400
    return render(request, "dashboard/shares/new.html", context, status=status)


def _to_link(request: HttpRequest, slug: str, made) -> HttpResponse:
    """Keep the new link in the session for the one page that shows it (never in a URL)."""
    request.session[NEW_LINK_SESSION_KEY] = {"share": made.share.pk, "token": made.token}
    return redirect("dashboard:share_link", slug=slug, share_id=made.share.pk)


@require_GET
@login_required
def share_link(request: HttpRequest, slug: str, share_id: int) -> HttpResponse:
    """The link of a share just made or renewed, shown this once."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    share = share_in_scope(scope=scope, share_id=share_id)
    kept = request.session.get(NEW_LINK_SESSION_KEY) or {}
    token = ""
    if kept.get("share") == share.pk:
        token = kept.get("token", "")
        del request.session[NEW_LINK_SESSION_KEY]
    link = (
        request.build_absolute_uri(reverse("share:page", kwargs={"token": token})) if token else ""
    )
    return render(
        request,
        "dashboard/shares/link.html",
        {
            "membership": membership,
            "team": scope.team,
            "share": share,
            "link": link,
            "job_url": reverse(
                "dashboard:interview_detail",
                kwargs={"slug": slug, "interview_key": share.interview_key},
            ),
        },
    )


@require_POST
@login_required
def share_renew(request: HttpRequest, slug: str, share_id: int) -> HttpResponse:
    """*New link*: the old link stops working at once; the new one is shown once."""
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    share = share_in_scope(scope=scope, share_id=share_id)
    return _to_link(request, slug, share_new_link(share=share, actor=request.user))


@require_POST
@login_required
def share_resend_view(request: HttpRequest, slug: str, share_id: int) -> HttpResponse:
    """*Resend by email*: a new link goes to the hiring manager through the Outbox; the old
    one stops working at once."""
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    share = share_resend(share=share_in_scope(scope=scope, share_id=share_id), actor=request.user)
    messages.success(
        request,
        f"A new link is on its way to {share.recipient_email} (queued in the Outbox); "
        "the one before no longer works.",
    )
    return _to_shares(slug, share)


@require_POST
@login_required
def share_revoke_view(request: HttpRequest, slug: str, share_id: int) -> HttpResponse:
    """*Revoke*: the link answers 410 from now on (a New link opens the share again)."""
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    share = share_revoke(share=share_in_scope(scope=scope, share_id=share_id), actor=request.user)
    messages.success(
        request,
        f"Revoked the link for {share.recipient_name}: it stops working now. "
        "New link shares the same candidates again.",
    )
    return _to_shares(slug, share)


def _to_shares(slug: str, share) -> HttpResponse:
    """Back to the job's list of shares."""
    url = reverse(
        "dashboard:interview_detail", kwargs={"slug": slug, "interview_key": share.interview_key}
    )
    return redirect(f"{url}#shares")
