"""Validation of the Willo base URLs a team may point at."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

_url_validator = URLValidator(schemes=["http", "https"])


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_willo_base_url(value: str) -> None:
    """A URL, and https unless the host is loopback (the API key travels in a header)."""
    try:
        _url_validator(value)
    except ValidationError:
        raise ValidationError(
            "Enter a valid URL, such as https://api.willotalent.com/api/integrations/v2.",
            code="invalid",
        ) from None
    parts = urlsplit(value)
    if parts.scheme == "http" and not is_loopback_host(parts.hostname or ""):
        raise ValidationError(
            "Use https://: plain http would send the API key in clear text. "
            "http:// is allowed only for a loopback host (localhost, 127.0.0.1, ::1).",
            code="insecure",
        )
    if parts.query or parts.fragment:
        raise ValidationError("The base URL takes no query string or fragment.", code="invalid")
