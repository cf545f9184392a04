"""A model field for secrets encrypted at rest with the keys in ``dashboard.crypto``.

The attribute holds a ``Secret``: ``str()`` and ``repr()`` never show the
secret or its ciphertext, and ``reveal()`` decrypts on demand, so loading a
row (a list page, an admin changelist) never decrypts anything. Assigning a
plain string stores a new secret; it is encrypted when the row is saved.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.views.decorators.debug import sensitive_variables

from dashboard import crypto


class Secret:
    """A secret value that is only ever shown on purpose, through ``reveal()``."""

    __slots__ = ("_plaintext", "_token", "label")

    def __init__(
        self, *, plaintext: str | None = None, token: str | None = None, label: str = "a secret"
    ) -> None:
        self._plaintext = plaintext
        self._token = token
        self.label = label

    @classmethod
    def from_token(cls, token: str) -> Secret:
        return cls(token=token)

    @classmethod
    def from_plaintext(cls, plaintext: str) -> Secret:
        return cls(plaintext=plaintext)

    @property
    def token(self) -> str:
        """The Fernet token stored in the database."""
        if self._token is None:
            assert self._plaintext is not None
            self._token = crypto.encrypt(self._plaintext)
        return self._token

    @sensitive_variables()
    def reveal(self) -> str:
        """The secret itself; raises KeyDecryptionError if no configured key can decrypt it."""
        if self._plaintext is not None:
            return self._plaintext
        assert self._token is not None
        return crypto.decrypt(self._token, label=self.label)

    def __repr__(self) -> str:
        return "<Secret: hidden>"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        # Pickles (caches, sessions) carry the ciphertext, never the secret.
        return (Secret.from_token, (self.token,))


class _SecretAttribute(DeferredAttribute):
    """Turns assigned strings into Secrets and names the row in decryption errors."""

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        value = super().__get__(instance, cls)
        if instance is not None and isinstance(value, Secret):
            value.label = (
                f"the {self.field.name} of {instance._meta.verbose_name} "
                f"{str(instance)!r} (pk {instance.pk})"
            )
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        if isinstance(value, str) and value:
            value = Secret.from_plaintext(value)
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text encrypted with Fernet (MultiFernet over WILLO_ENCRYPTION_KEYS) in the database."""

    descriptor_class = _SecretAttribute

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if not value:
            return value
        return Secret.from_token(value)

    def to_python(self, value: Any) -> Any:
        # Strings reach to_python only from deserialisation (loaddata), which
        # carries ciphertext; assignments go through _SecretAttribute instead.
        if isinstance(value, str) and value:
            return Secret.from_token(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Secret):
            return value.token
        if isinstance(value, str) and value:
            return crypto.encrypt(value)
        return value

    def value_to_string(self, obj: models.Model) -> str:
        # Serialised data (dumpdata) carries the ciphertext, never the secret.
        value = self.value_from_object(obj)
        return value.token if isinstance(value, Secret) else (value or "")
