"""System checks: the encryption keys must be usable before anything is stored; in
production, links in emails need the site's public address."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
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


@checks.register(checks.Tags.security, deploy=True)
def check_public_url(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Links in emails (mentions, digests, share links) start with DASHBOARD_PUBLIC_URL."""
    url = urlsplit(settings.DASHBOARD_PUBLIC_URL)
    if url.scheme in ("http", "https") and url.hostname:
        return []
    return [
        checks.Warning(
            "DASHBOARD_PUBLIC_URL is not an absolute http(s) address: links in emails "
            "will not open.",
            hint="Set it to the address members reach this site at, e.g. "
            "https://dashboard.example.com.",
            id="dashboard.W001",
        )
    ]
