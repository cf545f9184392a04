"""System checks: the encryption keys must be usable before anything is stored."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from dashboard import crypto


@checks.register(checks.Tags.security)
def check_encryption_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    try:
        crypto.validate_configured_keys()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="dashboard.E001")]
    return []
