"""The forms of the team's email: its sender and delay, its templates, a job's choice of
template, the email offered after a decision, and a candidate's first name."""

from __future__ import annotations

from django import forms

from dashboard.email_records import (
    EMAIL_BODY_MAX_CHARACTERS,
    EMAIL_DELAY_CHOICES_HOURS,
    EmailTemplate,
)
from dashboard.models import Team
from willo_integration.services.email_templates import TemplateInvalid, template_check


def delay_label(hours: int) -> str:
    if hours == 0:
        return "as soon as Willo has the decision"
    return f"{hours} h after Willo has the decision"


DELAY_CHOICES = [(str(h), delay_label(h)) for h in EMAIL_DELAY_CHOICES_HOURS]


class EmailSettingsForm(forms.ModelForm):
    email_delay_hours = forms.TypedChoiceField(
        label="Default delay", choices=DELAY_CHOICES, coerce=int
    )

    class Meta:
        model = Team
        fields = ["email_sender_name", "email_reply_to", "email_delay_hours"]


class EmailTemplateForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=EmailTemplate.Kind.choices)
    name = forms.CharField(label="Name", max_length=100, help_text="Only members see it.")
    subject = forms.CharField(label="Subject", max_length=200)
    body = forms.CharField(
        label="Body",
        max_length=EMAIL_BODY_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 12}),
        strip=True,
    )
    is_default = forms.BooleanField(
        label="The team's default of its kind",
        required=False,
        help_text="Used by every job that has not chosen another.",
    )

    def clean(self):
        cleaned = super().clean()
        for field in ("subject", "body"):
            text = cleaned.get(field)
            if text:
                try:
                    template_check(subject="", body=text)
                except TemplateInvalid as exc:
                    self.add_error(field, str(exc))
        return cleaned


class DecisionEmailForm(forms.Form):
    """The email the decision notice offers: for which decisions, and when."""

    decision_id = forms.TypedMultipleChoiceField(coerce=int, choices=())
    delay_hours = forms.TypedChoiceField(choices=DELAY_CHOICES, coerce=int, label="When")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = self.data.getlist("decision_id") if hasattr(self.data, "getlist") else []
        self.fields["decision_id"].choices = [(v, v) for v in ids[:500] if str(v).isdigit()]


class JobEmailTemplatesForm(forms.Form):
    """A job's choice of template of each kind ("" = the team's default)."""

    def __init__(self, *args, templates: list[EmailTemplate], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in EmailTemplate.Kind.choices:
            mine = [(str(t.pk), t.name) for t in templates if t.kind == kind]
            default = next((t.name for t in templates if t.kind == kind and t.is_default), "")
            self.fields[kind] = forms.TypedChoiceField(
                label=f"{label} email",
                choices=[("", f"The team's default ({default or 'none'})"), *mine],
                coerce=int,
                empty_value=None,
                required=False,
            )


class FirstNameForm(forms.Form):
    first_name = forms.CharField(
        label="Emails greet them as",
        max_length=100,
        required=False,
        help_text="Blank: the first word of their name in Willo.",
    )
