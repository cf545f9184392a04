"""The client's address, for login throttling (django-axes) and the key audit log.

REMOTE_ADDR, unless the operator declares how many trusted reverse proxies sit
in front (settings.TRUSTED_PROXY_COUNT, from the AXES_PROXY_COUNT environment
variable). Each of them appends the address it received the request from to
X-Forwarded-For, so the client is the N-th entry from the
right; anything further left was written by the client and is ignored, so a
forged header cannot choose the address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    remote_addr = request.META.get("REMOTE_ADDR") or None
    proxy_count: int = settings.TRUSTED_PROXY_COUNT
    if proxy_count <= 0:
        return remote_addr
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxy_count:
        # Not through all our proxies: only the direct peer can be trusted.
        return remote_addr
    candidate = forwarded[-proxy_count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr
