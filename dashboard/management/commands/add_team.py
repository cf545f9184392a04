"""Create or update a team from the command line; the API key comes from standard input.

    printf '%s' "$KEY" | python manage.py add_team "Acme Hiring" \\
        --base-url https://api.willotalent.com/api/integrations/v2 --api-key-stdin \\
        --member alice --member bob --role recruiter --verify

The key is never accepted as an argument (it would land in shell history and
the process list). The last line printed is the team's slug.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from django.views.decorators.debug import sensitive_variables

from dashboard.models import KeyAuditEntry, Membership, Team
from dashboard.validators import validate_willo_api_host, validate_willo_base_url
from willo_integration.services.team_keys import team_key_set, team_key_verify


def environment_for(base_url: str) -> tuple[str, str]:
    """(environment, custom base URL) for a base URL; raises ValidationError if unusable."""
    url = base_url.strip().rstrip("/")
    known = {
        settings.WILLO_PRODUCTION_BASE_URL.rstrip("/"): Team.Environment.PRODUCTION,
        settings.WILLO_STAGING_BASE_URL.rstrip("/"): Team.Environment.STAGING,
        settings.WILLO_SANDBOX_BASE_URL.rstrip("/"): Team.Environment.SANDBOX,
    }
    if url in known:
        validate_willo_api_host(url)
        return known[url], ""
    validate_willo_base_url(url)
    validate_willo_api_host(url)
    return Team.Environment.CUSTOM, url


class Command(BaseCommand):
    help = "Create or update a team; its Willo API key is read from standard input."
    stealth_options = ("stdin",)

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The team's name.")
        parser.add_argument("--base-url", required=True, help="The Willo API base URL.")
        parser.add_argument(
            "--api-key-stdin",
            action="store_true",
            help="Read the API key from standard input (the only way to pass it).",
        )
        parser.add_argument(
            "--member",
            action="append",
            default=[],
            metavar="USERNAME",
            help="Add an existing user to the team (repeatable).",
        )
        parser.add_argument(
            "--role",
            choices=Membership.Role.values,
            default=Membership.Role.RECRUITER,
            help="The role of the --member users (default: recruiter).",
        )
        parser.add_argument("--verify", action="store_true", help="Verify the key with Willo.")

    @sensitive_variables()
    def handle(self, *args, **options) -> None:
        name = options["name"].strip()
        if not name:
            raise CommandError("The team name is empty.")
        try:
            environment, custom_base_url = environment_for(options["base_url"])
        except ValidationError as exc:
            raise CommandError(f"--base-url: {' '.join(exc.messages)}") from None
        api_key = self._read_key(options) if options["api_key_stdin"] else ""
        users = self._members(options["member"])

        with transaction.atomic():
            team = (
                Team.objects.filter(name=name).first()
                or Team.objects.filter(slug=slugify(name)).first()
            )
            created = team is None
            if created:
                team = Team(name=name)
            elif (team.environment, team.custom_base_url) != (environment, custom_base_url):
                team.clear_verification()
            team.environment = environment
            team.custom_base_url = custom_base_url
            had_key = team.has_api_key
            if not api_key:
                # A key bound to the old base URL is cleared here (and audited).
                team.save()
            else:  # saved with the key, bound to the new base URL at once
                team_key_set(
                    team=team,
                    api_key=api_key,
                    actor=None,
                    ip_address=None,
                    action=KeyAuditEntry.Action.SET if created else KeyAuditEntry.Action.REPLACED,
                    detail="manage.py add_team",
                )
            for user in users:
                Membership.objects.update_or_create(
                    user=user, team=team, defaults={"role": options["role"]}
                )

        self.stdout.write(
            f"{'Created' if created else 'Updated'} team {team.name} ({team.base_url})."
        )
        if api_key:
            self.stdout.write(f"API key stored (ends with …{team.api_key_last4}).")
        elif had_key and not team.has_api_key:
            self.stdout.write(
                "The stored API key was cleared: it was entered for another base URL. "
                "Enter it again with --api-key-stdin."
            )
        for user in users:
            self.stdout.write(f"Member {user.get_username()}: {options['role']}.")
        failure = None
        if options["verify"]:
            result = team_key_verify(team=team, actor=None, ip_address=None)
            if result.ok:
                self.stdout.write(result.message)
            else:
                failure = result.message
        self.stdout.write(team.slug)
        if failure:
            raise CommandError(f"Key verification failed: {failure}")

    @sensitive_variables()
    def _read_key(self, options) -> str:
        stream = options.get("stdin") or sys.stdin
        api_key = stream.read().strip()
        if not api_key:
            raise CommandError("--api-key-stdin: standard input is empty; pipe the API key in.")
        if any(c.isspace() for c in api_key):
            raise CommandError("--api-key-stdin: the API key must be a single token.")
        return api_key

    def _members(self, usernames: list[str]) -> list:
        User = get_user_model()
        users = []
        for username in usernames:
            user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
            if user is None:
                raise CommandError(f"--member: there is no user {username!r}; create it first.")
            users.append(user)
        return users
