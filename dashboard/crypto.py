"""Fernet encryption for secrets at rest (Willo API keys), under WILLO_ENCRYPTION_KEYS.

The keys come from the environment, newest first; every configured key can
decrypt, only the first encrypts. Decryption fails closed: a value no key can
decrypt raises ``KeyDecryptionError`` and is never handed back as if it were
the secret.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables


class KeyDecryptionError(Exception):
    """A stored secret that none of the configured WILLO_ENCRYPTION_KEYS can decrypt."""


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, ...]:
    if not keys:
        raise ImproperlyConfigured("WILLO_ENCRYPTION_KEYS is empty: set at least one Fernet key.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            # The message names the position, never the key itself.
            raise ImproperlyConfigured(
                f"WILLO_ENCRYPTION_KEYS entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes; make one with "
                "`python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)."
            ) from None
    return tuple(fernets)


def _configured_keys() -> tuple[str, ...]:
    return tuple(settings.WILLO_ENCRYPTION_KEYS)


def multi_fernet() -> MultiFernet:
    """Every configured key, the first one encrypting."""
    return MultiFernet(list(_fernets(_configured_keys())))


def primary_fernet() -> Fernet:
    return _fernets(_configured_keys())[0]


def validate_configured_keys() -> None:
    """Raise ImproperlyConfigured if any configured key is unusable."""
    _fernets(_configured_keys())


@sensitive_variables()
def encrypt(plaintext: str) -> str:
    return multi_fernet().encrypt(plaintext.encode()).decode()


@sensitive_variables()
def decrypt(token: str, *, label: str) -> str:
    """Decrypt ``token`` or raise KeyDecryptionError naming ``label`` (never the token)."""
    try:
        plaintext = multi_fernet().decrypt(token.encode())
    except InvalidToken:
        raise KeyDecryptionError(
            f"Cannot decrypt {label}: none of the configured WILLO_ENCRYPTION_KEYS "
            "can decrypt it. Restore the key it was encrypted under, or enter the secret again."
        ) from None
    return plaintext.decode()


def is_current(token: str) -> bool:
    """Whether ``token`` is already encrypted under the newest key."""
    try:
        primary_fernet().decrypt(token.encode())
    except InvalidToken:
        return False
    return True


@sensitive_variables()
def rotate(token: str, *, label: str) -> str:
    """Re-encrypt ``token`` under the newest key."""
    try:
        return multi_fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise KeyDecryptionError(
            f"Cannot rotate {label}: none of the configured WILLO_ENCRYPTION_KEYS can decrypt it."
        ) from None
