"""Re-encrypt every encrypted value under the newest key of WILLO_ENCRYPTION_KEYS.

Put the new key first in WILLO_ENCRYPTION_KEYS and keep the old ones, deploy,
run this command, then remove the old keys. Every configured key can decrypt
meanwhile, so the site keeps working throughout. Running it again is harmless:
values already under the newest key are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from dashboard import crypto
from dashboard.crypto import KeyDecryptionError
from dashboard.fields import EncryptedTextField, Secret


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedTextField]]:
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


class Command(BaseCommand):
    help = "Re-encrypt every stored secret under the first key in WILLO_ENCRYPTION_KEYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=200, help="Rows locked and rewritten per transaction."
        )

    def handle(self, *args, batch_size: int, **options) -> None:
        crypto.validate_configured_keys()
        failures: list[str] = []
        for model, field in encrypted_fields():
            rotated, current = self._rotate_field(model, field, batch_size, failures)
            self.stdout.write(
                f"{model._meta.label}.{field.name}: {rotated} re-encrypted, "
                f"{current} already under the newest key."
            )
        if failures:
            for failure in failures:
                self.stderr.write(failure)
            raise CommandError(
                f"{len(failures)} value(s) could not be decrypted with any configured key and "
                "were left as they are; do not remove the old keys until this is resolved."
            )
        self.stdout.write("Every encrypted value is under the newest key.")

    def _rotate_field(
        self,
        model: type[models.Model],
        field: EncryptedTextField,
        batch_size: int,
        failures: list[str],
    ) -> tuple[int, int]:
        manager = model._base_manager
        pks = list(
            manager.exclude(**{f"{field.attname}__isnull": True})
            .exclude(**{field.attname: ""})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rotated = current = 0
        for start in range(0, len(pks), batch_size):
            batch = pks[start : start + batch_size]
            with transaction.atomic():
                rows = (
                    manager.select_for_update()
                    .filter(pk__in=batch)
                    .order_by("pk")
                    .values_list("pk", field.attname)
                )
                for pk, secret in rows:
                    token = secret.token
                    if crypto.is_current(token):
                        current += 1
                        continue
                    label = f"{model._meta.label} pk {pk} field {field.name}"
                    try:
                        new_token = crypto.rotate(token, label=label)
                    except KeyDecryptionError as exc:
                        failures.append(str(exc))
                        continue
                    manager.filter(pk=pk).update(**{field.attname: Secret.from_token(new_token)})
                    rotated += 1
        return rotated, current
