"""Prepare `make demo`: a seeded sandbox, two demo teams on it (their first sync done and
their webhooks registered with the sandbox), and a login to print.

Idempotent: run it again and it tops the data up and resets the demo password.
Verification talks to the sandbox in-process (WSGI), since the web server is not
up yet when this runs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from dashboard.models import EmailTemplate, Membership, Team
from willo_integration.models import SyncRun
from willo_integration.sandbox.in_process import in_process_http_client
from willo_integration.sandbox.models import ApiKey, Role
from willo_integration.sandbox.seed import DEMO_ORGANISATION, OTHER_ORGANISATION, seed
from willo_integration.services import clients
from willo_integration.services.email_templates import team_templates, template_save
from willo_integration.services.scope import Scope, scopes_of
from willo_integration.services.sync import sync_run, sync_start
from willo_integration.services.team_keys import team_key_set, team_key_verify
from willo_integration.services.webhooks import webhooks_ensure

DEMO_TEMPLATES = (
    (
        EmailTemplate.Kind.REJECTION,
        "Kind rejection",
        "Your application for {job_title} at {company_name}",
        "Dear {candidate_first_name},\n\nThank you for the time you gave to your interview "
        "for {job_title}. After careful consideration we have decided not to take your "
        "application further this time.\n\nWe wish you every success.\n\n{recruiter_name}\n"
        "{company_name}",
    ),
    (
        EmailTemplate.Kind.NEXT_STEPS,
        "Next steps",
        "Next steps for {job_title} at {company_name}",
        "Dear {candidate_first_name},\n\nThank you for your interview for {job_title}: we "
        "would like to meet you. {recruiter_name} will be in touch in the next few days to "
        "arrange a time.\n\n{company_name}",
    ),
)
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "willo-demo"
# A colleague in the first team, to see a team review: independent review, @mentions.
COLLEAGUE_USERNAME = "sam"
IN_PROCESS_REQUESTS_PER_SECOND = 200.0
# (team name, sandbox organisation whose owner's key the team uses, the demo user's role)
DEMO_TEAMS = (
    ("Northwind Talent", DEMO_ORGANISATION, Membership.Role.ADMIN),
    ("Southside Recruiting", OTHER_ORGANISATION, Membership.Role.RECRUITER),
)


class Command(BaseCommand):
    help = "Seed the Willo sandbox and create demo teams and a demo login (development only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--participants", type=int, default=180)
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument(
            "--without-webhooks",
            action="store_true",
            help="Register no webhooks (a copy of the database served elsewhere).",
        )

    def handle(
        self, *args, participants: int, password: str, without_webhooks: bool, **options
    ) -> None:
        if not settings.DEBUG or not settings.WILLO_SANDBOX_ENABLED:
            raise CommandError(
                "demo_setup is for development: set DJANGO_DEBUG=true (which enables the sandbox)."
            )
        self.stdout.write(f"Seeding the Willo sandbox ({participants} candidates)...")
        seed(participants=participants)

        user = self._demo_user(password)
        colleague = self._colleague(password)
        with in_process_http_client() as wsgi:
            for name, organisation, role in DEMO_TEAMS:
                team = self._team(name, organisation, user)
                self._email_templates(team, user)
                Membership.objects.update_or_create(user=user, team=team, defaults={"role": role})
                if name == DEMO_TEAMS[0][0]:
                    Membership.objects.update_or_create(
                        user=colleague, team=team, defaults={"role": Membership.Role.RECRUITER}
                    )
                result = team_key_verify(team=team, actor=user, ip_address=None, http_client=wsgi)
                status = "verified" if result.ok else "NOT verified"
                self.stdout.write(f"  team {team.name!r}: key {status}. {result.message}")
                if result.ok and team.last_synced_at is None:
                    self._first_sync(team, wsgi)
                if result.ok and not without_webhooks:
                    self._webhooks(team, wsgi)

        self.stdout.write(
            self.style.SUCCESS(
                "\nDemo ready at http://127.0.0.1:8000/\n"
                f"  log in as:  {DEMO_USERNAME} / {password}   (also a Django admin)\n"
                f"  a colleague in {DEMO_TEAMS[0][0]}:  {COLLEAGUE_USERNAME} / {password}   "
                "(review the same candidates; mention @demo in a note)\n"
                "  Willo sandbox API: http://127.0.0.1:8000/api/integrations/v2/\n"
                + self._life()
                + "  Staff can make Willo slow, rate-limited or down on the Sandbox page:\n"
                "  http://127.0.0.1:8000/sandbox/\n"
                f"  {DEMO_TEAMS[0][0]} is an agency: its Clients page lists its client\n"
                "  organisations; work in one, and back, from there or the banner.\n"
            )
        )

    def _life(self) -> str:
        seconds = settings.WILLO_SANDBOX_SIMULATE_SECONDS
        if seconds <= 0:
            return "  The sandbox is still: WILLO_SANDBOX_SIMULATE_SECONDS=0.\n"
        return (
            f"  Every {seconds:g} s a sandbox candidate responds, is scored, commented on or\n"
            "  decided, and its webhook updates the open pages "
            "(WILLO_SANDBOX_SIMULATE_SECONDS; 0 stops it).\n"
        )

    def _webhooks(self, team: Team, wsgi) -> None:
        """The team's webhooks (its clients' too) registered with the sandbox this demo
        serves, once: run again, it finds them in place."""
        # The demo serves the dashboard and the sandbox at one origin: Willo posts there.
        public_url = "{0.scheme}://{0.netloc}".format(urlsplit(settings.WILLO_SANDBOX_BASE_URL))
        clients.transport = wsgi._transport
        try:
            for scope in scopes_of(team):
                registered = webhooks_ensure(scope=scope, public_url=public_url)
                where = f"client {scope.key}" if scope.key else "its own organisation"
                self.stdout.write(
                    f"  team {team.name!r}, {where}: webhooks "
                    + ("registered with the sandbox" if registered else "already registered")
                )
        finally:
            clients.transport = None

    def _first_sync(self, team: Team, wsgi) -> None:
        """Fetch the team's jobs and candidates once, so the review queue has its morning
        at the first login (pages keep them fresh after that)."""
        run = sync_start(scope=Scope(team=team), kind=SyncRun.Kind.FULL)
        clients.transport = wsgi._transport  # the sandbox, in this process: no need to pace
        try:
            with override_settings(WILLO_REQUESTS_PER_SECOND=IN_PROCESS_REQUESTS_PER_SECOND):
                run = sync_run(run_id=run.pk)
        finally:
            clients.transport = None
        self.stdout.write(
            f"  team {team.name!r}: fetched {run.interviews_seen} jobs and "
            f"{run.participants_seen} candidates ({run.get_state_display().lower()})"
        )

    def _email_templates(self, team: Team, actor) -> None:
        """A rejection and a next-steps template, the team's defaults, unless it has some."""
        if team_templates(team):
            return
        for kind, name, subject, body in DEMO_TEMPLATES:
            template_save(
                team=team,
                kind=kind,
                name=name,
                subject=subject,
                body=body,
                is_default=True,
                actor=actor,
            )

    def _demo_user(self, password: str):
        user, _ = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        return user

    def _colleague(self, password: str):
        user, _ = get_user_model().objects.get_or_create(
            username=COLLEAGUE_USERNAME,
            defaults={"email": "sam@example.com", "first_name": "Sam", "last_name": "Reed"},
        )
        user.set_password(password)
        user.save()
        return user

    def _team(self, name: str, organisation: str, actor) -> Team:
        owner = (
            ApiKey.objects.filter(
                user__organisation__name=organisation,
                user__organisation__parent=None,
                user__role=Role.OWNER,
            )
            .order_by("id")
            .values_list("key", "user__email")
            .first()
        )
        if owner is None:
            raise CommandError(f"The sandbox has no owner key for {organisation!r}; reseed it.")
        owner_key, owner_email = owner
        team, _ = Team.objects.get_or_create(
            name=name, defaults={"environment": Team.Environment.SANDBOX}
        )
        if team.willo_user_email != owner_email:
            team.willo_user_email = owner_email
            team.save(update_fields=["willo_user_email", "updated_at"])
        if not team.has_api_key or team.api_key_plaintext() != owner_key:
            team_key_set(team=team, api_key=owner_key, actor=actor, ip_address=None)
        return team
