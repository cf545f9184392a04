"""Drop a webhook route's cached tokens in this process when its subscriptions change."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from willo_integration.models import WebhookEndpoint, WebhookSubscription
from willo_integration.services.webhooks import route_forget


@receiver([post_save, post_delete], sender=WebhookEndpoint)
def endpoint_changed(sender, instance: WebhookEndpoint, **kwargs) -> None:
    route_forget(instance.route)


@receiver([post_save, post_delete], sender=WebhookSubscription)
def subscription_changed(sender, instance: WebhookSubscription, **kwargs) -> None:
    endpoint = WebhookEndpoint.objects.filter(pk=instance.endpoint_id).only("route").first()
    if endpoint is not None:
        route_forget(endpoint.route)
