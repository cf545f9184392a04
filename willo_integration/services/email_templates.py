"""The team's email templates: Willo-style placeholders, checked when saved and filled in
when an email is sent; each job's choice of template; a candidate's first name as emails
greet them.

A placeholder is a name in braces, ``{candidate_first_name}``. Anything else in braces, or
a brace that opens or closes no placeholder (``{candidate_first_name``), is refused when a
template is saved, naming it; a template that still cannot be filled in when its email is
sent (changed outside these forms) fails that email with the reason.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from dashboard.models import (
    CandidateFirstName,
    EmailTemplate,
    JobEmailTemplate,
    Team,
    actor_username,
)
from willo_integration.models import CachedInterview, CachedParticipant, ChildOrganisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from willo_integration.services.scope import Scope

logger = logging.getLogger("willo_integration.services")

PLACEHOLDERS = {
    "candidate_first_name": "the candidate's first name (the first word of their name in "
    "Willo, unless a member corrected it)",
    "candidate_name": "the candidate's name as in Willo",
    "job_title": "the job's title",
    "company_name": "the organisation's name",
    "recruiter_name": "the name of the member who decided",
}
BRACED = re.compile(r"\{([^{}]*)\}")
# How a stray brace is shown: with the rest of the word it opens, or the word it closes.
WORD_AFTER = re.compile(r"\S{1,40}")
WORD_BEFORE = re.compile(r"\S{1,40}\Z")


class TemplateInvalid(ValueError):
    """A template that cannot be filled in; the message is for the person writing it."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def placeholders_unknown(text: str) -> list[str]:
    """The braced names in ``text`` that are not placeholders, once each, in order."""
    return list(
        dict.fromkeys(m.group(0) for m in BRACED.finditer(text) if m.group(1) not in PLACEHOLDERS)
    )


def braces_stray(text: str) -> list[str]:
    """Each brace in ``text`` that is no placeholder's, with the word it is in, once each,
    in order: ``{candidate_first_name`` or ``{{candidate_first_name}}``."""
    masked = BRACED.sub(lambda m: "_" * len(m.group(0)), text)
    found: dict[str, None] = {}
    for at, char in enumerate(masked):
        if char == "{":
            found.setdefault(WORD_AFTER.match(text, at).group(0))
        elif char == "}":
            found.setdefault(WORD_BEFORE.search(text[max(0, at - 40) : at + 1]).group(0))
    return list(found)


def template_check(*, subject: str, body: str) -> None:
    """TemplateInvalid naming every unknown placeholder, and every brace that is no
    placeholder's, in the subject or the body."""
    text = subject + "\n" + body
    unknown = placeholders_unknown(text)
    known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    if unknown:
        raise TemplateInvalid(f"Unknown placeholder {', '.join(unknown)}: use {known}.")
    stray = braces_stray(text)
    if stray:
        raise TemplateInvalid(
            f"A brace that is not part of a placeholder: {', '.join(stray)}. A placeholder "
            f"is a name in single braces: {known}."
        )


def fill(text: str, facts: dict[str, str]) -> str:
    """``text`` with each placeholder replaced; TemplateInvalid if one is unknown or a brace
    is no placeholder's (it would reach the candidate as it is)."""
    unknown = placeholders_unknown(text)
    if unknown:
        raise TemplateInvalid(f"The template has an unknown placeholder: {', '.join(unknown)}.")
    stray = braces_stray(text)
    if stray:
        raise TemplateInvalid(
            f"The template has a brace that is not part of a placeholder: {', '.join(stray)}."
        )
    return BRACED.sub(lambda m: facts.get(m.group(1), ""), text)


def email_render(*, subject: str, body: str, facts: dict[str, str], team: Team) -> RenderedEmail:
    """The email as it goes: the subject on one line, the text, and the same as HTML."""
    filled_subject = " ".join(fill(subject, facts).split())
    text = fill(body, facts).replace("\r\n", "\n").strip()
    html = render_to_string(
        "emails/candidate.html", {"subject": filled_subject, "text": text, "team": team}
    )
    return RenderedEmail(subject=filled_subject, text=text + "\n", html=html)


# -- what fills the placeholders ----------------------------------------------------------


def first_name_from(name: str) -> str:
    """Willo's way: the first word of the name."""
    words = (name or "").split()
    return words[0] if words else ""


def candidate_first_name(*, scope: Scope, participant: CachedParticipant) -> str:
    corrected = (
        CandidateFirstName.objects.filter(
            team=scope.team, scope=scope.key, participant_key=participant.key
        )
        .values_list("first_name", flat=True)
        .first()
    )
    return corrected or first_name_from(participant.name)


def candidate_first_name_set(
    *, scope: Scope, participant: CachedParticipant, first_name: str, actor: AbstractBaseUser
) -> str:
    """Correct the first name emails greet the candidate by; blank goes back to Willo's."""
    first_name = " ".join(first_name.split())[:100]
    mine = CandidateFirstName.objects.filter(
        team=scope.team, scope=scope.key, participant_key=participant.key
    )
    if not first_name or first_name == first_name_from(participant.name):
        mine.delete()
        return first_name_from(participant.name)
    CandidateFirstName.objects.update_or_create(
        team=scope.team,
        scope=scope.key,
        participant_key=participant.key,
        defaults={"first_name": first_name, "set_by_username": actor_username(actor)},
    )
    return first_name


def client_name(scope: Scope) -> str:
    """The name of the scope's client organisation ("" for the team's own, or unnamed)."""
    if not scope.key:
        return ""
    return (
        ChildOrganisation.objects.filter(team=scope.team, key=scope.key)
        .values_list("name", flat=True)
        .first()
    ) or ""


def company_name(scope: Scope) -> str:
    return client_name(scope) or scope.team.name


def member_name(user) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.get_username()


def candidate_facts(
    *, scope: Scope, participant: CachedParticipant, job_title: str, recruiter_name: str
) -> dict[str, str]:
    return {
        "candidate_first_name": candidate_first_name(scope=scope, participant=participant),
        "candidate_name": participant.name or "",
        "job_title": job_title,
        "company_name": company_name(scope),
        "recruiter_name": recruiter_name,
    }


def job_title(scope: Scope, interview_key: str) -> str:
    return (
        CachedInterview.objects.filter(team=scope.team, scope=scope.key, key=interview_key)
        .values_list("title", flat=True)
        .first()
        or ""
    )


# -- the team's templates and each job's choice -------------------------------------------


def team_templates(
    team: Team, kind: str | None = None, *, scope_key: str = ""
) -> list[EmailTemplate]:
    """The templates of the team's scope ``scope_key`` ("" its own organisation)."""
    templates = EmailTemplate.objects.filter(team=team, scope=scope_key)
    return list(templates.filter(kind=kind) if kind else templates)


def team_template(team: Team, template_id: int, *, scope_key: str = "") -> EmailTemplate | None:
    return EmailTemplate.objects.filter(team=team, scope=scope_key, pk=template_id).first()


def template_save(
    *,
    team: Team,
    kind: str,
    name: str,
    subject: str,
    body: str,
    is_default: bool,
    actor: AbstractBaseUser,
    template: EmailTemplate | None = None,
    scope_key: str = "",
) -> EmailTemplate:
    """Create or change a template (checked first); the team's default of its kind if
    ``is_default`` (the previous default gives way). TemplateInvalid, nothing saved, for
    an unknown placeholder or a name the team already uses for that kind."""
    if kind not in EmailTemplate.Kind.values:
        raise TemplateInvalid("Choose Rejection or Next steps.")
    name, subject = " ".join(name.split()), " ".join(subject.split())
    body = body.replace("\r\n", "\n").strip()
    if not name or not subject or not body:
        raise TemplateInvalid("A template needs a name, a subject and a body.")
    template_check(subject=subject, body=body)
    template = template or EmailTemplate(team=team, scope=scope_key)
    template.kind, template.name, template.subject, template.body = kind, name, subject, body
    template.updated_by_username = actor_username(actor)
    had_default = EmailTemplate.objects.filter(
        team=team, scope=template.scope, kind=kind, is_default=True
    )
    try:
        with transaction.atomic():
            if is_default:
                had_default.exclude(pk=template.pk).update(is_default=False)
            template.is_default = is_default or not had_default.exclude(pk=template.pk).exists()
            template.save()
    except IntegrityError:
        raise TemplateInvalid(
            f"{team.name} already has a {template.get_kind_display().lower()} template "
            f"named {name!r}."
        ) from None
    logger.info("email template %s saved by %s", template.pk, actor_username(actor))
    return template


def template_delete(*, template: EmailTemplate, actor: AbstractBaseUser) -> None:
    """Delete a template; another of its kind becomes the default if it was. Emails not
    sent yet from it are cancelled, saying why (they would have nothing to say)."""
    from willo_integration.services.decision_emails import emails_cancel_for_template

    with transaction.atomic():
        emails_cancel_for_template(template=template, actor=actor)
        was_default = template.is_default
        team, scope_key, kind = template.team, template.scope, template.kind
        template.delete()
        if was_default:
            successor = EmailTemplate.objects.filter(team=team, scope=scope_key, kind=kind).first()
            if successor is not None:
                successor.is_default = True
                successor.save(update_fields=["is_default"])
    logger.info("email template deleted by %s", actor_username(actor))


def job_template(*, scope: Scope, interview_key: str, kind: str) -> EmailTemplate | None:
    """The job's template of ``kind``: its own choice, else the team's default."""
    chosen = (
        JobEmailTemplate.objects.filter(
            team=scope.team, scope=scope.key, interview_key=interview_key, kind=kind
        )
        .select_related("template")
        .first()
    )
    if chosen is not None:
        return chosen.template
    return EmailTemplate.objects.filter(
        team=scope.team, scope=scope.key, kind=kind, is_default=True
    ).first()


def job_template_chosen(*, scope: Scope, interview_key: str, kind: str) -> EmailTemplate | None:
    """The job's own choice of template of ``kind`` (None: it uses the team's default)."""
    chosen = JobEmailTemplate.objects.filter(
        team=scope.team, scope=scope.key, interview_key=interview_key, kind=kind
    ).first()
    return chosen.template if chosen else None


def job_template_set(
    *, scope: Scope, interview_key: str, kind: str, template: EmailTemplate | None
) -> None:
    """The job uses ``template`` for ``kind`` (None: the team's default)."""
    mine = JobEmailTemplate.objects.filter(
        team=scope.team, scope=scope.key, interview_key=interview_key, kind=kind
    )
    if template is None:
        mine.delete()
        return
    if template.team_id != scope.team.pk or template.scope != scope.key or template.kind != kind:
        raise TemplateInvalid("Choose one of the team's templates of that kind.")
    JobEmailTemplate.objects.update_or_create(
        team=scope.team,
        scope=scope.key,
        interview_key=interview_key,
        kind=kind,
        defaults={"template": template},
    )


def preview_candidates_of(*, scope: Scope, limit: int) -> list[CachedParticipant]:
    """The scope's latest candidates with an email address, to preview a template with."""
    return list(
        CachedParticipant.objects.filter(team=scope.team, scope=scope.key)
        .exclude(email="")
        .order_by("-created_at", "-pk")[:limit]
    )


def preview_candidate(*, scope: Scope, participant_key: str) -> CachedParticipant | None:
    return (
        CachedParticipant.objects.filter(team=scope.team, scope=scope.key, key=participant_key)
        .exclude(email="")
        .first()
    )
