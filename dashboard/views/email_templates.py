"""The team's email: its sender, reply-to and default delay, its templates (team admins
write them, with a preview for a real candidate), a job's choice of template, and a
candidate's first name as emails greet them."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboard.email_forms import (
    EmailSettingsForm,
    EmailTemplateForm,
    FirstNameForm,
    JobEmailTemplatesForm,
)
from dashboard.models import EmailTemplate
from dashboard.presenters.email_templates import preview_candidates, template_preview_words
from dashboard.views.scoping import HtmxHttpRequest, job_for, safe_url, scope_for
from willo_integration.services.email_templates import (
    PLACEHOLDERS,
    TemplateInvalid,
    candidate_first_name_set,
    job_template_set,
    team_template,
    team_templates,
    template_delete,
    template_save,
)
from willo_integration.services.scope import candidate_in_scope

logger = logging.getLogger("dashboard.emails")


def _settings_url(slug: str) -> str:
    return reverse("dashboard:email_settings", kwargs={"slug": slug})


@require_http_methods(["GET", "POST"])
@login_required
def email_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's templates and email settings; team admins change them."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    team = scope.team
    if request.method == "POST":
        if not membership.has_role("admin"):
            raise PermissionDenied("Team admins change the team's email settings.")
        form = EmailSettingsForm(request.POST, instance=team)
        if form.is_valid():
            form.save()
            logger.info("email settings of %s changed by %s", team.slug, request.user)
            messages.success(request, "Email settings saved.")
            return redirect(_settings_url(slug))
        status = 400
    else:
        form = EmailSettingsForm(instance=team)
        status = 200
    context = {
        "membership": membership,
        "team": team,
        "form": form,
        "templates": team_templates(team, scope_key=scope.key),
        "kinds": EmailTemplate.Kind.choices,
        "is_admin": membership.has_role("admin"),
    }
    return render(request, "dashboard/emails/settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def email_template_edit(
    request: HttpRequest, slug: str, template_id: int | None = None
) -> HttpResponse:
    """Write a new template (``?kind=``) or change one; unknown placeholders are form errors."""
    membership, scope = scope_for(request, slug, min_role="admin")
    template = None
    if template_id is not None:
        template = team_template(scope.team, template_id, scope_key=scope.key)
        if template is None:
            raise Http404("No such template here.")
    problem = ""
    if request.method == "POST":
        form = EmailTemplateForm(request.POST)
        if form.is_valid():
            try:
                saved = template_save(
                    team=scope.team,
                    scope_key=scope.key,
                    template=template,
                    actor=request.user,
                    **form.cleaned_data,
                )
            except TemplateInvalid as refused:
                problem = str(refused)
            else:
                messages.success(request, f"Template “{saved.name}” saved.")
                return redirect(_settings_url(slug))
    elif template is not None:
        form = EmailTemplateForm(
            initial={
                "kind": template.kind,
                "name": template.name,
                "subject": template.subject,
                "body": template.body,
                "is_default": template.is_default,
            }
        )
    else:
        kind = request.GET.get("kind", EmailTemplate.Kind.REJECTION)
        form = EmailTemplateForm(
            initial={"kind": kind if kind in EmailTemplate.Kind.values else ""}
        )
    candidates = preview_candidates(scope=scope, viewer=request.user)
    context = {
        "membership": membership,
        "team": scope.team,
        "template": template,
        "form": form,
        "problem": problem,
        "placeholders": PLACEHOLDERS,
        "candidates": candidates,
        "preview": template_preview_words(
            scope=scope,
            viewer=request.user,
            subject=form["subject"].value() or "",
            body=form["body"].value() or "",
            participant_key=candidates[0][0] if candidates else "",
        ),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "dashboard/emails/template.html", context, status=status)


@require_GET
@login_required
def email_template_preview(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The preview of the words being written, for the candidate chosen (HTMX, as typed)."""
    _membership, scope = scope_for(request, slug, min_role="admin")
    preview = template_preview_words(
        scope=scope,
        viewer=request.user,
        subject=request.GET.get("subject", "")[:200],
        body=request.GET.get("body", "")[:10_000],
        participant_key=request.GET.get("participant", ""),
    )
    context = {"preview": preview, "team": scope.team}
    return render(request, "dashboard/emails/template.html#preview", context)


@require_POST
@login_required
def email_template_delete(request: HttpRequest, slug: str, template_id: int) -> HttpResponse:
    _membership, scope = scope_for(request, slug, min_role="admin")
    template = team_template(scope.team, template_id, scope_key=scope.key)
    if template is None:
        raise Http404("No such template here.")
    name = template.name
    template_delete(template=template, actor=request.user)
    messages.success(
        request, f"Template “{name}” deleted; emails not sent yet from it are cancelled."
    )
    return redirect(_settings_url(slug))


@require_POST
@login_required
def job_email_templates(request: HttpRequest, slug: str, interview_key: str) -> HttpResponse:
    """The job's choice of rejection and next-steps templates ("" = the team's default)."""
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    interview, _freshness = job_for(scope, interview_key)
    form = JobEmailTemplatesForm(
        request.POST, templates=team_templates(scope.team, scope_key=scope.key)
    )
    job_url = reverse(
        "dashboard:interview_detail", kwargs={"slug": slug, "interview_key": interview.key}
    )
    if not form.is_valid():
        messages.error(request, "Choose one of the team's templates, or the team's default.")
        return redirect(f"{job_url}#emails")
    for kind in EmailTemplate.Kind.values:
        chosen = form.cleaned_data.get(kind)
        template = team_template(scope.team, chosen, scope_key=scope.key) if chosen else None
        job_template_set(scope=scope, interview_key=interview.key, kind=kind, template=template)
    messages.success(request, "This job's emails are saved.")
    return redirect(f"{job_url}#emails")


@require_POST
@login_required
def participant_first_name(request: HttpRequest, slug: str, participant_key: str) -> HttpResponse:
    """Correct the first name the candidate's emails greet them by."""
    _membership, scope = scope_for(request, slug, min_role="recruiter")
    participant = candidate_in_scope(scope, participant_key)
    form = FirstNameForm(request.POST)
    url = safe_url(request, request.POST.get("next", "")) or reverse(
        "dashboard:participant_detail", kwargs={"slug": slug, "participant_key": participant.key}
    )
    if not form.is_valid():
        messages.error(request, "A first name has at most 100 characters.")
        return redirect(url)
    name = candidate_first_name_set(
        scope=scope,
        participant=participant,
        first_name=form.cleaned_data["first_name"],
        actor=request.user,
    )
    messages.success(
        request, f"Emails greet them as “{name}”." if name else "Emails greet them by no name."
    )
    return redirect(url)
