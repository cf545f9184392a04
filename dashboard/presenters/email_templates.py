"""What the template pages show: candidates to preview a template with (by number for a
member reviewing blind), the preview itself, and a job's Emails card."""

from __future__ import annotations

from dashboard.email_forms import JobEmailTemplatesForm
from dashboard.models import EmailTemplate
from dashboard.presenters.blind import masking_for
from willo_integration.services.email_templates import (
    TemplateInvalid,
    candidate_facts,
    email_render,
    job_template,
    job_template_chosen,
    job_title,
    member_name,
    preview_candidate,
    preview_candidates_of,
    team_templates,
)
from willo_integration.services.scope import Scope

PREVIEW_CANDIDATES = 30


def preview_candidates(*, scope: Scope, viewer) -> list[tuple[str, str]]:
    """The scope's latest candidates with an email address: (key, name as shown)."""
    rows = preview_candidates_of(scope=scope, limit=PREVIEW_CANDIDATES)
    masking = masking_for(scope=scope, viewer=viewer, rows=rows)
    return [(row.key, masking.show(row).name or "(no name)") for row in rows]


def template_preview_words(
    *, scope: Scope, viewer, subject: str, body: str, participant_key: str
) -> dict:
    """The words being written, filled in for one of the scope's candidates."""
    candidate = preview_candidate(scope=scope, participant_key=participant_key)
    if candidate is None:
        return {"error": "No candidate with an email address to preview it with yet."}
    if not subject.strip() and not body.strip():
        return {"error": "Write a subject and a body to see them filled in."}
    facts = candidate_facts(
        scope=scope,
        participant=candidate,
        job_title=job_title(scope, candidate.interview_key),
        recruiter_name=member_name(viewer),
    )
    masking = masking_for(scope=scope, viewer=viewer, rows=[candidate])
    if masking.hides(candidate.key):
        shown = masking.name(candidate.key, candidate.name)
        facts |= {"candidate_name": shown, "candidate_first_name": shown}
    try:
        rendered = email_render(subject=subject, body=body, facts=facts, team=scope.team)
    except TemplateInvalid as exc:
        return {"error": str(exc), "key": candidate.key}
    return {"subject": rendered.subject, "text": rendered.text, "key": candidate.key}


def job_emails_context(*, scope: Scope, interview_key: str) -> dict:
    """The job page's Emails card: the templates each kind of email uses, and the form."""
    templates = team_templates(scope.team, scope_key=scope.key)
    initial = {
        kind: getattr(
            job_template_chosen(scope=scope, interview_key=interview_key, kind=kind), "pk", ""
        )
        for kind in EmailTemplate.Kind.values
    }
    used = {
        label: job_template(scope=scope, interview_key=interview_key, kind=kind)
        for kind, label in EmailTemplate.Kind.choices
    }
    return {
        "email_templates": templates,
        "job_emails_used": used,
        "job_emails_form": JobEmailTemplatesForm(initial=initial, templates=templates),
    }
