"""Validation of the Willo base URLs a team may point at."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from willo_integration.client import HostPolicy, is_public

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


def api_host_policy() -> HostPolicy:
    """Where keys may go: anywhere with the sandbox or WILLO_ALLOW_PRIVATE_API_HOSTS on,
    else https to the allowed hosts (and the staging environment's), public addresses."""
    if settings.WILLO_SANDBOX_ENABLED or settings.WILLO_ALLOW_PRIVATE_API_HOSTS:
        return HostPolicy(allow_private=True)
    staging = httpx.URL(settings.WILLO_STAGING_BASE_URL).host
    return HostPolicy(
        allowed_hosts=frozenset({*settings.WILLO_ALLOWED_API_HOSTS, staging}),
        allow_private=False,
    )


def media_host_policy() -> HostPolicy:
    """Where answer media may be fetched from for a share: Willo's storage hosts vary (signed
    links), so any host, but public addresses over https unless private ones are allowed."""
    private = settings.WILLO_SANDBOX_ENABLED or settings.WILLO_ALLOW_PRIVATE_API_HOSTS
    return HostPolicy(allowed_hosts=None, allow_private=private)


def validate_willo_api_host(value: str) -> None:
    """The deployment's rules for where a key may go (WILLO_ALLOWED_API_HOSTS, public
    addresses): checked on save here, and again by the client at every connection."""
    policy = api_host_policy()
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError):
        raise ValidationError("Enter a valid URL.", code="invalid") from None
    problem = policy.problem(url)
    if problem:
        raise ValidationError(f"Not allowed: {problem}.", code="host_not_allowed")
    if policy.allow_private or not url.host:
        return
    try:
        infos = socket.getaddrinfo(url.host, url.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        return  # unresolvable now: the connection fails later with "could not reach Willo"
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not is_public(address):
            raise ValidationError(
                f"Not allowed: the host {url.host} resolves to {address}, not a public address.",
                code="host_not_public",
            )
