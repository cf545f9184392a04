"""Which URLs from Willo may become a link or a media source on our pages."""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})


def is_web_url(value: object) -> bool:
    """Whether ``value`` is an http(s) URL with a host: anything else from Willo
    (``javascript:``, ``data:``, ``vbscript:``, a relative path) is never put in an href
    or a src. Whitespace or control characters anywhere are refused too, since browsers
    drop some of them before reading the scheme."""
    if not isinstance(value, str) or not value:
        return False
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(host)


def web_url(value: object) -> str:
    """``value`` if it may be linked to, else ""."""
    return value if is_web_url(value) else ""  # type: ignore[return-value]
