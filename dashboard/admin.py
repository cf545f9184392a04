"""Key management for staff: teams, their write-only API keys, members and the key audit."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from dashboard.client_ip import client_ip_address
from dashboard.crypto import KeyDecryptionError
from dashboard.forms import RotateKeyForm, TeamAdminForm
from dashboard.models import (
    Decision,
    EmailTemplate,
    KeyAuditEntry,
    Membership,
    MissingAPIKeyError,
    OutboundEmail,
    Share,
    ShareVerdict,
    ShareView,
    Team,
)
from willo_integration.client import WilloError
from willo_integration.models import ChildOrganisation
from willo_integration.services.decisions import decisions_resend
from willo_integration.services.email_templates import TemplateInvalid, template_check
from willo_integration.services.scope import scopes_of
from willo_integration.services.team_keys import team_key_rotate, team_key_set, team_key_verify
from willo_integration.services.webhooks import webhook_register

_sensitive = method_decorator(sensitive_post_parameters("new_api_key"))


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class ChildOrganisationInline(admin.TabularInline):
    """An agency team's client organisations, as Willo last listed them (read-only: they
    are created from the Clients page and refreshed from Willo)."""

    model = ChildOrganisation
    fields = ["name", "key", "verification_status", "owner_name", "owner_email", "fetched_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "client organisations (agency)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamAdminForm
    inlines = [MembershipInline, ChildOrganisationInline]

    def get_inlines(self, request, obj):
        if obj is None or not obj.is_parent:  # only agency teams have clients
            return [MembershipInline]
        return self.inlines

    list_display = [
        "name",
        "environment",
        "key_ending",
        "key_verified",
        "key_verified_at",
        "verified_as",
        "is_parent",
        "last_synced_at",
        "last_webhook_at",
    ]
    list_filter = ["environment", "is_parent"]
    search_fields = ["name", "slug"]
    actions = ["verify_key", "rotate_key", "register_webhooks"]
    readonly_fields = [
        "key_ending",
        "key_verified_at",
        "verified_as",
        "key_verification_message",
        "is_parent",
        "last_synced_at",
        "last_webhook_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug"]}),
        ("Willo", {"fields": ["environment", "custom_base_url", "willo_user_email"]}),
        ("API key", {"fields": ["new_api_key", "key_ending"]}),
        (
            "Verification",
            {"fields": ["key_verified_at", "verified_as", "key_verification_message", "is_parent"]},
        ),
        ("Health", {"fields": ["last_synced_at", "last_webhook_at", "created_at", "updated_at"]}),
    ]

    @admin.display(description="Key ends with")
    def key_ending(self, team: Team) -> str:
        if not team.has_api_key:
            return "no key"
        return f"…{team.api_key_last4}" if team.api_key_last4 else "(short key)"

    @admin.display(description="Verified", boolean=True)
    def key_verified(self, team: Team) -> bool:
        return team.is_key_verified

    @admin.display(description="Verified as")
    def verified_as(self, team: Team) -> str:
        if not team.is_key_verified:
            return self.get_empty_value_display()
        if team.key_verified_user_email:
            name = team.key_verified_user_name
            return (
                f"{name} <{team.key_verified_user_email}>" if name else team.key_verified_user_email
            )
        return "user not identified"

    @_sensitive
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    @_sensitive
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context)

    @sensitive_variables()
    def save_model(
        self, request: HttpRequest, obj: Team, form: TeamAdminForm, change: bool
    ) -> None:
        new_key = form.cleaned_data.get("new_api_key")
        had_key = change and Team.objects.filter(pk=obj.pk).exclude(api_key="").exists()
        if change and {"environment", "custom_base_url", "willo_user_email"} & set(
            form.changed_data
        ):
            obj.clear_verification()
        ip_address = client_ip_address(request)
        if new_key:
            # Set before saving, so the new key is bound to the new base URL at once.
            team_key_set(
                team=obj,
                api_key=new_key,
                actor=request.user,
                ip_address=ip_address,
                action=KeyAuditEntry.Action.REPLACED if had_key else KeyAuditEntry.Action.SET,
            )
            return
        had_key = obj.has_api_key
        obj.save(actor=request.user, ip_address=ip_address)
        if had_key and not obj.has_api_key:
            self.message_user(
                request,
                f"{obj.name}: the environment or base URL changed, so the stored key was "
                "cleared (a key is only sent where it was entered for): enter the key again.",
                messages.WARNING,
            )

    @admin.action(description="Verify key with Willo", permissions=["change"])
    def verify_key(self, request: HttpRequest, queryset: QuerySet[Team]) -> None:
        for team in queryset:
            result = team_key_verify(
                team=team, actor=request.user, ip_address=client_ip_address(request)
            )
            level = messages.SUCCESS if result.ok else messages.ERROR
            self.message_user(request, f"{team.name}: {result.message}", level)

    @admin.action(description="Register webhooks with Willo", permissions=["change"])
    def register_webhooks(self, request: HttpRequest, queryset: QuerySet[Team]) -> None:
        public_url = settings.WILLO_WEBHOOK_PUBLIC_URL
        if not public_url:
            self.message_user(
                request,
                "Set WILLO_WEBHOOK_PUBLIC_URL (this site's public base URL) first, or run "
                "manage.py willo_webhooks register --team SLUG --public-url URL.",
                messages.ERROR,
            )
            return
        for team in queryset:
            for scope in scopes_of(team):  # an agency team: its own and each child's
                where = f"{team.name}, child {scope.key}" if scope.key else team.name
                try:
                    endpoint = webhook_register(scope=scope, public_url=public_url)
                except (WilloError, MissingAPIKeyError, KeyDecryptionError) as exc:
                    self.message_user(request, f"{where}: not registered: {exc}", messages.ERROR)
                    continue
                self.message_user(
                    request,
                    f"{where}: webhooks registered at {endpoint.public_url}",
                    messages.SUCCESS,
                )

    @admin.action(description="Rotate key (replace it with a new one)…", permissions=["change"])
    @sensitive_variables()
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[Team]):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one team to rotate its key.", messages.ERROR)
            return None
        team = queryset.get()
        if "apply" in request.POST:
            form = RotateKeyForm(request.POST)
            if form.is_valid():
                rotation = team_key_rotate(
                    team=team,
                    api_key=form.cleaned_data["new_api_key"],
                    actor=request.user,
                    ip_address=client_ip_address(request),
                    verify=form.cleaned_data["verify"],
                    keep_unverified=form.cleaned_data["save_unverified"],
                )
                if not rotation.saved:
                    # The old key stays; the form comes back with the reason and the box
                    # that saves the refused key anyway.
                    form.fields["save_unverified"].widget = forms.CheckboxInput()
                    form.add_error(None, rotation.message)
                else:
                    ok = rotation.verification is None or rotation.verification.ok
                    level = messages.SUCCESS if ok else messages.WARNING
                    self.message_user(request, f"{team.name}: {rotation.message}", level)
                    return None
        else:
            form = RotateKeyForm()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Rotate the API key of {team.name}",
            "opts": self.model._meta,
            "team": team,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "key_ending": self.key_ending(team),
        }
        return TemplateResponse(request, "admin/dashboard/team/rotate_key.html", context)


@admin.register(KeyAuditEntry)
class KeyAuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "team_name", "action", "actor_username", "ip_address", "detail"]
    list_filter = ["action"]
    search_fields = ["team_name", "actor_username", "ip_address"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Decisions on their way to Willo, and why one did not get there; read-only evidence."""

    list_display = [
        "created_at",
        "team",
        "participant_name",
        "status",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "actor_username",
    ]
    list_filter = ["state", "status", "team"]
    search_fields = ["participant_key", "participant_name", "actor_username"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [f.name for f in Decision._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # erased with the candidate (erase_candidate), never one by one

    @admin.action(
        description="Send again: failed or waiting decisions, by a worker", permissions=["view"]
    )
    def send_again(self, request: HttpRequest, queryset: QuerySet[Decision]) -> None:
        due = decisions_resend(decision_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            f"{due} decision(s) will be sent to Willo again shortly; the others were sent, "
            "undone or replaced, or are still in their undo window.",
            messages.SUCCESS,
        )


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ShareVerdictInline(_ReadOnlyInline):
    model = ShareVerdict
    fields = readonly_fields = ["participant_key", "verdict", "comment", "updated_at"]


class ShareViewInline(_ReadOnlyInline):
    model = ShareView
    fields = readonly_fields = ["at", "participant_key", "ip_address", "user_agent"]


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    """Share links for hiring managers, their verdicts and every view: read-only evidence
    (recruiters revoke and renew them on the job's page; the token is never stored)."""

    list_display = [
        "created_at",
        "team",
        "interview_title",
        "recipient_name",
        "recipient_email",
        "expires_at",
        "revoked_at",
        "created_by_username",
    ]
    list_filter = ["team"]
    search_fields = ["recipient_name", "recipient_email", "interview_key", "interview_title"]
    date_hierarchy = "created_at"
    exclude = ["token_hash"]
    readonly_fields = [f.name for f in Share._meta.fields if f.name != "token_hash"]
    inlines = [ShareVerdictInline, ShareViewInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class EmailTemplateAdminForm(forms.ModelForm):
    """The admin checks placeholders as the team's page does."""

    class Meta:
        model = EmailTemplate
        fields = ["team", "kind", "name", "subject", "body", "is_default"]

    def clean(self):
        cleaned = super().clean()
        try:
            template_check(subject=cleaned.get("subject", ""), body=cleaned.get("body", ""))
        except TemplateInvalid as exc:
            raise forms.ValidationError(str(exc)) from None
        return cleaned


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    form = EmailTemplateAdminForm
    list_display = ["name", "team", "kind", "is_default", "updated_at", "updated_by_username"]
    list_filter = ["team", "kind"]
    search_fields = ["name", "subject"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: members cancel, send now and settle on the team's Outbox."""

    list_display = ["created_at", "team", "kind", "state", "to_email", "send_after", "attempts"]
    list_filter = ["state", "kind", "team"]
    search_fields = ["to_email", "to_name", "participant_key", "interview_title", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
