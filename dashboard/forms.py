"""The forms of the pages and the admin: jobs, invitations, notes, teams, keys, client
organisations, a member's preferences, share links."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst

from dashboard.email_forms import DELAY_CHOICES
from dashboard.models import (
    NOTE_MAX_CHARACTERS,
    SHARE_DEFAULT_DAYS,
    SHARE_MAX_DAYS,
    MemberPreferences,
    Review,
    Team,
)
from willo_integration.services.interviews import ORDERINGS as JOB_ORDERINGS
from willo_integration.services.notes import NoteRejected, note_check, note_text
from willo_integration.services.preferences import SPEED_CHOICES, SPEED_REFUSED
from willo_integration.services.reviews import RATINGS
from willo_integration.services.screening import screen_range_message
from willo_integration.services.shares import NAME_MAX


def _key_field(label: str, *, required: bool, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=help_text,
    )


class WilloErrorsForm(forms.Form):
    """A form whose data Willo checks too: Willo's 400 errors are shown like ours."""

    def add_willo_errors(self, errors: dict[str, list[str]]) -> None:
        """Show Willo's field errors on the fields they name (others on the form)."""
        for name, messages in errors.items():
            field = name if name in self.fields else None
            for message in messages:
                self.add_error(field, message)


class TeamAdminForm(forms.ModelForm):
    """The team form: the API key is write-only and never rendered back."""

    new_api_key = _key_field(
        "API key", required=False, help_text="Leave blank to keep the current key."
    )

    class Meta:
        model = Team
        fields = ["name", "slug", "environment", "custom_base_url", "willo_user_email"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Made from the name when left blank."
        if self.instance.pk and self.instance.has_api_key:
            ending = self.instance.api_key_last4
            current = f"the current key (ending …{ending})" if ending else "the current key"
            self.fields["new_api_key"].help_text = f"Leave blank to keep {current}."
        else:
            self.fields["new_api_key"].help_text = "No key stored yet."


class RotateKeyForm(forms.Form):
    new_api_key = _key_field(
        "New API key", required=True, help_text="The old key is replaced and cannot be shown again."
    )
    verify = forms.BooleanField(
        label="Verify the new key with Willo now",
        required=False,
        initial=True,
        help_text="Willo is asked with the new key before it is saved; "
        "a key Willo refuses is not saved and the old key stays.",
    )
    # Shown once Willo refused the new key: the operator may save it anyway.
    save_unverified = forms.BooleanField(
        label="Save the new key even though Willo did not accept it (the old key is lost)",
        required=False,
        widget=forms.HiddenInput,
    )


class ChildOrganisationForm(WilloErrorsForm):
    """A new client organisation under an agency team (Willo's POST /children/)."""

    organisation_name = forms.CharField(label="Organisation name", max_length=200)
    customer_full_name = forms.CharField(label="Owner's full name", max_length=200)
    customer_email = forms.EmailField(label="Owner's email", max_length=254)


class JobListForm(forms.Form):
    q = forms.CharField(label="Search jobs", required=False, max_length=200)
    department = forms.ChoiceField(label="Department", required=False)
    ordering = forms.ChoiceField(
        label="Order by", required=False, choices=list(JOB_ORDERINGS.items())
    )

    def __init__(self, *args, departments: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "All departments"), *departments]


class InviteForm(WilloErrorsForm):
    name = forms.CharField(label="Name", max_length=200)
    email = forms.EmailField(label="Email")
    phone = forms.CharField(
        label="Phone (optional)",
        required=False,
        max_length=40,
        help_text="International format, e.g. +44 7700 900123.",
    )
    send_notifications = forms.BooleanField(
        label="Send Willo's invitation email and reminders", required=False, initial=True
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        digits = phone.replace(" ", "").replace("-", "")
        if phone and not (digits.lstrip("+").isdigit() and 7 <= len(digits.lstrip("+")) <= 15):
            raise forms.ValidationError(
                "Enter a phone number of 7 to 15 digits, e.g. +44 7700 900123."
            )
        return phone


class ReviewForm(forms.Form):
    """A member's review of a candidate: a recommendation (or none yet), a review note, and
    a rating from 1 to 5 for any of the candidate's answers (field ``rating-<answer key>``)."""

    recommendation = forms.ChoiceField(
        choices=[("", "No recommendation yet"), *Review.Recommendation.choices], required=False
    )
    note = forms.CharField(
        label="Review note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX_CHARACTERS,
        error_messages={
            "max_length": (
                "Keep the review note to %(limit_value)s characters (it has %(show_value)s)."
            )
        },
        strip=True,
    )

    def __init__(self, *args, answer_keys: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.answer_keys = answer_keys
        for key in answer_keys:
            self.fields[f"rating-{key}"] = forms.TypedChoiceField(
                choices=[("", "Not rated"), *((str(n), str(n)) for n in RATINGS)],
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": "Rate from 1 to 5."},
            )

    def ratings(self) -> dict[str, int | None]:
        return {key: self.cleaned_data.get(f"rating-{key}") for key in self.answer_keys}


class ReviewSettingsForm(forms.Form):
    blind_review = forms.BooleanField(label="Blind review", required=False)
    independent_review = forms.BooleanField(
        label="Independent review",
        required=False,
        help_text=(
            "Members see colleagues' ratings, recommendations and review notes, and the "
            "team's tallies, only once they have given their own recommendation. Notes "
            "stay visible."
        ),
    )


class NoteForm(forms.Form):
    """A note on a candidate: its length and its @mentions (members of ``team`` only) are
    checked here, with the words the service uses, so the form says what is wrong."""

    text = forms.CharField(
        label="Note",
        strip=False,  # note_text normalises it, line endings too
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "maxlength": NOTE_MAX_CHARACTERS,
                "aria-describedby": "note-help",
                "data-submit-shortcut": "",
            }
        ),
        error_messages={"required": "Write the note first."},
    )

    def __init__(self, *args, team: Team, **kwargs) -> None:
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_text(self) -> str:
        text = note_text(self.cleaned_data["text"])
        try:
            note_check(self.team, text)
        except NoteRejected as rejected:
            raise forms.ValidationError(str(rejected)) from None
        return text

    def add_rejection(self, rejected: NoteRejected) -> None:
        """What the service refused after the form passed (a member left meanwhile)."""
        self.add_error("text", str(rejected))


ON_OFF = [("on", "On"), ("off", "Off")]


def _preference_label(name: str) -> str:
    return capfirst(MemberPreferences._meta.get_field(name).verbose_name)


class PreferencesForm(forms.Form):
    """A member's preferences page: shortcuts on or off, the playback speed, autoplay,
    blind review, and the emails they get."""

    shortcuts = forms.TypedChoiceField(
        label="Single-key keyboard shortcuts",
        choices=ON_OFF,
        coerce=lambda value: value == "on",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether single-key shortcuts are on or off.",
            "invalid_choice": "Choose On or Off for single-key shortcuts.",
        },
    )
    playback_speed = forms.ChoiceField(
        label="Default playback speed",
        choices=SPEED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": SPEED_REFUSED, "invalid_choice": SPEED_REFUSED},
    )
    autoplay = forms.BooleanField(label="Play the next answer when one ends", required=False)
    blind_review = forms.BooleanField(label="Review candidates blind", required=False)
    email_mentions = forms.BooleanField(label=_preference_label("email_mentions"), required=False)
    email_share_verdicts = forms.BooleanField(
        label=_preference_label("email_share_verdicts"), required=False
    )
    email_digest = forms.BooleanField(label=_preference_label("email_digest"), required=False)
    EMAILS = ("email_mentions", "email_share_verdicts", "email_digest")

    def email_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.EMAILS]

    @classmethod
    def of(cls, preferences: MemberPreferences) -> PreferencesForm:
        """The form showing the member's preferences as they are kept."""
        return cls(
            initial={
                "shortcuts": "on" if preferences.shortcuts else "off",
                "playback_speed": preferences.playback_speed,
                "autoplay": preferences.autoplay,
                "blind_review": preferences.blind_review,
                "email_mentions": preferences.email_mentions,
                "email_share_verdicts": preferences.email_share_verdicts,
                "email_digest": preferences.email_digest,
            }
        )


class ShareForm(forms.Form):
    """Share candidates with a hiring manager: who, for how long, and what they may see.
    ``keys``: the candidates chosen (those of the job, checked by the service)."""

    keys = forms.MultipleChoiceField(
        label="Candidates", widget=forms.CheckboxSelectMultiple, error_messages={
            "required": "Choose at least one candidate to share.",
            "invalid_choice": "%(value)s is not one of the candidates chosen.",
        },
    )  # fmt: skip
    recipient_name = forms.CharField(label="Hiring manager's name", max_length=NAME_MAX)
    recipient_email = forms.EmailField(
        label="Hiring manager's email",
        error_messages={"invalid": "Enter an email address, like ana@example.com."},
    )
    days = forms.IntegerField(
        label="The link works for (days)",
        initial=SHARE_DEFAULT_DAYS,
        min_value=1,
        max_value=SHARE_MAX_DAYS,
        help_text=f"From 1 to {SHARE_MAX_DAYS} days; {SHARE_DEFAULT_DAYS} unless you change it.",
        error_messages={
            "min_value": f"The link can last from 1 to {SHARE_MAX_DAYS} days.",
            "max_value": f"The link can last from 1 to {SHARE_MAX_DAYS} days.",
            "invalid": "Enter a whole number of days.",
        },
    )
    show_contact_details = forms.BooleanField(
        label="Show their contact details (email, phone, location)", required=False
    )
    blind = forms.BooleanField(
        label="Blind: show candidates by number, their name and contact details hidden",
        required=False,
    )

    def __init__(self, *args, candidates: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keys"].choices = candidates


# --- Screening by correct answers ---

NO_EMAIL = "none"


class ScreenForm(forms.Form):
    """N: how many wrong answers a candidate needs to be listed."""

    n = forms.IntegerField(label="Wrong answers, at least")

    def __init__(self, *args, questions: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._message = screen_range_message(questions=questions)
        self._questions = questions
        field = self.fields["n"]
        field.error_messages |= {"invalid": self._message, "required": self._message}
        field.help_text = (
            f"From 1 to {questions}: the job's questions with correct answers marked."
            if questions > 1
            else "The job has 1 question with correct answers marked."
        )
        field.widget.attrs |= {"min": 1, "max": max(1, questions)}

    def clean_n(self) -> int:
        n = self.cleaned_data["n"]
        if not 1 <= n <= self._questions:
            raise forms.ValidationError(self._message)
        return n


class RejectForm(ScreenForm):
    """*Reject these*: the candidates previewed at N, the email, and the confirmation."""

    email = forms.ChoiceField(
        label="Rejection email",
        help_text="The dashboard sends it, not Willo; undoing a rejection cancels its email.",
    )
    checked = forms.BooleanField(
        required=True,
        error_messages={"required": "Tick the box to confirm you have checked these candidates."},
    )

    def __init__(self, *args, emails: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        none = [(NO_EMAIL, "No email")]
        self.fields["email"].choices = [*DELAY_CHOICES, *none] if emails else none

    def email_delay_hours(self) -> int | None:
        chosen = self.cleaned_data["email"]
        return None if chosen == NO_EMAIL else int(chosen)
