"""Answer media fetched from where Willo keeps it (pre-signed links: no API key is sent),
streamed with the caller's byte range, for pages that must not link to Willo directly.

Every connection goes where the host policy allows: public addresses only, unless the
policy allows private ones (a local sandbox); a name that resolves to a private address
later is refused then."""

from __future__ import annotations

import httpx

from ._base import tls_context
from ._hosts import HostPolicy, UnsafeAddressError, guarded_transport

# What a media response may carry on to the browser.
RELAYED_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Range",
    "Accept-Ranges",
    "Content-Encoding",
    "Last-Modified",
    "ETag",
)
CHUNK_BYTES = 64 * 1024
TIMEOUT = httpx.Timeout(10.0, read=30.0)


class MediaUnreachable(Exception):
    """The media could not be fetched (refused by policy, no connection, or a timeout)."""


def media_http_client(policy: HostPolicy, transport: httpx.BaseTransport | None = None):
    """A pooled client for media links: guarded connections unless ``policy`` allows
    private hosts; ``transport`` replaces the network (tests)."""
    if transport is None and not policy.allow_private:
        transport = guarded_transport(tls_context())
    return httpx.Client(
        transport=transport, timeout=TIMEOUT, follow_redirects=False, trust_env=False
    )


def media_open(
    client: httpx.Client, url: str, *, policy: HostPolicy, byte_range: str = ""
) -> httpx.Response:
    """The media at ``url`` as a streamed response (the caller closes it): any status
    Willo's storage answers, 200, 206, 416 or an error. MediaUnreachable if it cannot be
    asked at all."""
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise MediaUnreachable(f"not a media link: {exc}") from None
    if target.scheme not in ("http", "https") or not target.host:
        raise MediaUnreachable("not a web address")
    if target.scheme != "https" and not policy.allow_private:
        raise MediaUnreachable("media links must use https://")
    headers = {"Accept-Encoding": "identity"}
    if byte_range:
        headers["Range"] = byte_range
    request = client.build_request("GET", target, headers=headers)
    try:
        return client.send(request, stream=True)
    except (httpx.HTTPError, UnsafeAddressError) as exc:
        raise MediaUnreachable(type(exc).__name__) from None


# What a media response may call itself: anything else (an HTML page a bad link leads to)
# goes on as bytes to download, never as a page of ours.
SAFE_TYPES = ("video/", "audio/", "image/", "application/pdf")


def relayed_headers(response: httpx.Response) -> dict[str, str]:
    headers = {name: response.headers[name] for name in RELAYED_HEADERS if name in response.headers}
    kind = headers.get("Content-Type", "").split(";")[0].strip().lower()
    if not kind.startswith(SAFE_TYPES):
        headers["Content-Type"] = "application/octet-stream"
    return headers
