"""For staff: webhook health (each team's endpoint, its events' last deliveries and
failures, the stored deliveries, which can be replayed), Willo's comments and scores (read
only) and candidate erasure."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join

from willo_integration.models import (
    CachedParticipant,
    ReceivedWebhook,
    WebhookEndpoint,
    WebhookSubscription,
    WilloComment,
    WilloScore,
)
from willo_integration.services.data_protection import Erasure, candidate_erase
from willo_integration.services.webhooks import webhook_replay


class WebhookSubscriptionInline(admin.TabularInline):
    model = WebhookSubscription
    fields = ["event", "willo_key", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["team", "scope", "public_url", "created_at"]
    search_fields = ["team__name", "team__slug"]
    fields = ["team", "scope", "public_url", "created_at", "health"]
    readonly_fields = fields
    inlines = [WebhookSubscriptionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # registered with Willo by the command or the team action

    @admin.display(description="Health by event")
    def health(self, endpoint: WebhookEndpoint) -> str:
        rows = (
            ReceivedWebhook.objects.filter(endpoint=endpoint)
            .values("event")
            .annotate(
                last=Max("received_at"),
                total=Count("pk"),
                failed=Count("pk", filter=Q(state=ReceivedWebhook.State.FAILED)),
                waiting=Count("pk", filter=Q(state=ReceivedWebhook.State.RECEIVED)),
            )
            .order_by("event")
        )
        if not rows:
            return "No delivery received yet."
        return format_html_join(
            "\n",
            "<p>{}: last delivery {} · {} received · {} failed · {} waiting</p>",
            (
                (
                    r["event"],
                    f"{r['last']:%Y-%m-%d %H:%M:%S}",
                    r["total"],
                    r["failed"],
                    r["waiting"],
                )
                for r in rows
            ),
        )


@admin.register(ReceivedWebhook)
class ReceivedWebhookAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "team",
        "event",
        "participant_key",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["state", "event", "team"]
    search_fields = ["participant_key", "dedupe_key"]
    date_hierarchy = "received_at"
    actions = ["replay"]
    readonly_fields = [
        "team",
        "scope",
        "endpoint",
        "event",
        "dedupe_key",
        "participant_key",
        "received_at",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "last_traceback",
        "applied_at",
        "body",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the stored delivery is evidence: never edited

    @admin.action(description="Replay: apply the stored delivery again", permissions=["view"])
    def replay(self, request: HttpRequest, queryset: QuerySet[ReceivedWebhook]) -> None:
        states = [webhook_replay(event_id=event.pk) for event in queryset]
        summary = ", ".join(f"{states.count(s)} {s}" for s in sorted(set(states)))
        self.message_user(request, f"Replayed {len(states)}: {summary}.", messages.SUCCESS)


@admin.register(CachedParticipant)
class CachedParticipantAdmin(admin.ModelAdmin):
    """Find a candidate's cached rows, and erase them everywhere (GDPR erasure)."""

    list_display = ["name", "email", "team", "scope", "status", "fetched_at"]
    list_filter = ["team", "status"]
    search_fields = ["email", "name", "key"]
    fields = ["team", "scope", "key", "name", "email", "status", "source", "fetched_at"]
    readonly_fields = fields
    actions = ["erase"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CachedParticipant]:
        return super().get_queryset(request).defer("detail").select_related("team")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(
        description="Erase these candidates' data everywhere (GDPR)", permissions=["delete"]
    )
    def erase(self, request: HttpRequest, queryset: QuerySet[CachedParticipant]) -> None:
        total = Erasure(participants=0, webhooks=0, decisions=0)
        for email, key in set(queryset.values_list("email", "key")):
            total += candidate_erase(email=email, keys=[key])
        self.message_user(
            request,
            f"{total.summary()} Erase the candidates in Willo too.",
            messages.SUCCESS,
        )


class _ReadOnly(admin.ModelAdmin):
    """What Willo's deliveries brought: shown, never added or edited here (erasure and
    retention remove them)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("team")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WilloComment)
class WilloCommentAdmin(_ReadOnly):
    list_display = ["created_at", "team", "scope", "participant_key", "author_name", "received_at"]
    list_filter = ["team"]
    search_fields = ["participant_key", "key", "author_email"]
    fields = [
        "team", "scope", "participant_key", "key", "author_name", "author_email", "author_key",
        "created_at", "received_at", "text",
    ]  # fmt: skip
    readonly_fields = fields


@admin.register(WilloScore)
class WilloScoreAdmin(_ReadOnly):
    list_display = [
        "scored_at", "team", "scope", "participant_key", "scored_by_name", "general_score",
        "received_at",
    ]  # fmt: skip
    list_filter = ["team"]
    search_fields = ["participant_key", "key", "scored_by_email"]
    fields = [
        "team", "scope", "participant_key", "key", "general_score", "scored_by_name",
        "scored_by_email", "scored_by_key", "scored_at", "received_at", "criteria",
    ]  # fmt: skip
    readonly_fields = fields
