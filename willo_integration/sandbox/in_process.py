"""Talk to the sandbox inside this process, over WSGI, without a server running.

Used where no web server is up yet (``demo_setup``) and by tests. Like Django's
test client, it keeps the caller's database connection open across the
in-process request: otherwise the request's end would close it, and with it any
transaction the caller holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections


@contextmanager
def in_process_http_client() -> Iterator[httpx.Client]:
    """An httpx.Client whose requests are served by this project's WSGI app."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with httpx.Client(transport=httpx.WSGITransport(app=get_wsgi_application())) as client:
            yield client
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
