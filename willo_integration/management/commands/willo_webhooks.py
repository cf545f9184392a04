"""Register, list and unregister a team's Willo webhooks.

python manage.py willo_webhooks register --team acme-hiring --public-url https://dash.example.com
python manage.py willo_webhooks list --team acme-hiring
python manage.py willo_webhooks unregister --team acme-hiring

For an agency team each command covers its own organisation and every child organisation
(each with its own callback URL and tokens); --child KEY narrows it to one child.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator, ValidationError

from dashboard.models import Team
from willo_integration.client import WilloError
from willo_integration.models import ReceivedWebhook, WebhookEndpoint
from willo_integration.services.scope import NotAChild, Scope, child_scope, scopes_of
from willo_integration.services.webhooks import (
    webhook_list,
    webhook_register,
    webhook_unregister,
)


class Command(BaseCommand):
    help = "Register, list or unregister a team's Willo webhooks (the four events)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        register = actions.add_parser("register", help="Register the four events with Willo.")
        register.add_argument(
            "--public-url",
            required=True,
            help="This site's public base URL, as Willo will reach it (https).",
        )
        actions.add_parser("list", help="List the webhooks Willo holds, and ours.")
        actions.add_parser("unregister", help="Delete our webhooks at Willo and here.")
        for action in actions.choices.values():
            action.add_argument("--team", required=True, metavar="SLUG", help="The team's slug.")
            action.add_argument(
                "--child",
                default="",
                metavar="KEY",
                help="Only this child organisation of an agency team (its Willo key).",
            )

    def handle(self, *args, action: str, team: str, child: str, **options) -> None:
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(f"No team with the slug {team!r}.")
        try:
            scopes = [child_scope(found, child)] if child else scopes_of(found)
        except NotAChild as exc:
            raise CommandError(str(exc)) from exc
        for scope in scopes:
            if scope.key:
                self.stdout.write(f"Child organisation {scope.key}:")
            try:
                if action == "register":
                    self._register(scope, options["public_url"])
                elif action == "list":
                    self._list(scope)
                else:
                    count = webhook_unregister(scope=scope)
                    self.stdout.write(f"Unregistered {count} webhook(s) of {found.name}.")
            except WilloError as exc:
                raise CommandError(f"Willo refused: {exc}") from exc

    def _register(self, scope: Scope, public_url: str) -> None:
        try:
            URLValidator(schemes=["https", "http"])(public_url)
        except ValidationError:
            raise CommandError(f"{public_url!r} is not a URL.") from None
        endpoint = webhook_register(scope=scope, public_url=public_url)
        events = ", ".join(s.event for s in endpoint.subscriptions.order_by("event"))
        self.stdout.write(f"Registered {events} for {scope.team.name}.")
        self.stdout.write(f"Callback URL: {endpoint.public_url}")

    def _list(self, scope: Scope) -> None:
        ours = WebhookEndpoint.objects.filter(team=scope.team, scope=scope.key).first()
        callback = ours.public_url if ours else None
        for hook in webhook_list(scope=scope):
            mine = " (this dashboard)" if callback and hook.url == callback else ""
            self.stdout.write(f"{hook.key}  {hook.event_type or hook.event}  {hook.url}{mine}")
        if ours is None:
            self.stdout.write("This dashboard has no webhooks registered for the team.")
            return
        for subscription in ours.subscriptions.order_by("event"):
            last = (
                ReceivedWebhook.objects.filter(endpoint=ours, event=subscription.event)
                .values_list("received_at", flat=True)
                .first()
            )
            when = f"last delivery {last:%Y-%m-%d %H:%M:%S}" if last else "no delivery yet"
            self.stdout.write(f"ours: {subscription.event}: {when}")
