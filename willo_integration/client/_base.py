"""The HTTP core: auth, agency header, timeouts, limiter, retries, error mapping."""

from __future__ import annotations

import functools
import ipaddress
import logging
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pydantic

from ._hosts import HostPolicy, UnsafeAddressError, guarded_transport
from .errors import (
    APIConnectionError,
    APITimeoutError,
    InsecureBaseURLError,
    RequestOutcomeUnknownError,
    ResponseValidationError,
    UnsafeHostError,
    status_error,
)
from .limiter import RequestLimiter
from .retry import IDEMPOTENT_READS, NO_RETRY, RetryPolicy, parse_retry_after

logger = logging.getLogger("willo_integration.client")

T = TypeVar("T")
A = TypeVar("A")

USER_AGENT = "willo-recruiter-dashboard/0.1 (+httpx)"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def check_base_url(base_url: str, policy: HostPolicy | None = None) -> httpx.URL:
    """Refuse anything but https, except plain http to a loopback host (sandbox, tests);
    with a ``policy``, also a host it does not allow."""
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise InsecureBaseURLError(f"base_url is not a valid URL: {exc}") from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise InsecureBaseURLError(
            "base_url must be an absolute https:// URL, "
            "e.g. https://api.willotalent.com/api/integrations/v2"
        )
    if url.scheme == "http" and not is_loopback(url.host):
        raise InsecureBaseURLError(
            f"base_url uses plain http to {url.host}; Willo API keys are only sent over "
            "https (plain http is allowed for loopback hosts only)"
        )
    problem = policy.problem(url) if policy is not None else ""
    if problem:
        raise InsecureBaseURLError(f"base_url refused: {problem}")
    return url.copy_with(raw_path=url.raw_path.rstrip(b"/") + b"/")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process, shared by every client: building one loads the
    CA bundle, ~30 ms of CPU that a page asking Willo once would otherwise pay each time."""
    return httpx.create_ssl_context()


class BaseClient:
    """Holds options and one connection pool; resources call ``request``."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        agency_user_key: str | None = None,
        requests_per_second: float | None = 5.0,
        timeout: float = 10.0,
        max_retries: int = 2,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        host_policy: HostPolicy | None = None,
        on_key_refused: Callable[[], None] | None = None,
    ) -> None:
        """``host_policy`` limits where the key may go; with one, every new connection
        resolves the host and is refused unless the policy allows all its addresses.
        ``on_key_refused`` is called when Willo answers 401 (the key is refused)."""
        if not api_key or not api_key.strip():
            raise InsecureBaseURLError("api_key is empty")
        self.base_url = check_base_url(base_url, host_policy)
        self._api_key = api_key.strip()
        self.agency_user_key = agency_user_key
        self.on_key_refused = on_key_refused
        self.retry_policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self.limiter = RequestLimiter(requests_per_second) if requests_per_second else None
        self._owns_http_client = http_client is None
        guarded = host_policy is not None and not host_policy.allow_private
        self._http = http_client or httpx.Client(
            verify=tls_context(),
            transport=guarded_transport(tls_context()) if guarded else None,
            trust_env=not guarded,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        scope = ", agency scope" if self.agency_user_key else ""
        return f"<{type(self).__name__} {self.base_url}{scope}>"

    def __enter__(self) -> BaseClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http_client:
            self._http.close()

    # -- requests ---------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        retry: bool = True,
        endpoint: str | None = None,
        raw: bool = False,
        accept: str = "application/json",
    ) -> Any:
        """Send one request (with retries) and return the decoded JSON body (None for 204).

        ``raw`` returns the successful httpx.Response itself, for binary bodies.
        ``endpoint`` names the call in errors; it defaults to the method and path.
        """
        endpoint = endpoint or f"{method} /{path.lstrip('/')}"
        policy = self.retry_policy if retry else NO_RETRY
        for attempt in policy.retrying(method):
            with attempt:
                return self._send_once(
                    method,
                    path,
                    endpoint,
                    params=params,
                    json=json,
                    data=data,
                    files=files,
                    raw=raw,
                    accept=accept,
                )
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def concurrently(
        self, call: Callable[[A], T], items: Iterable[A], *, max_workers: int = 4
    ) -> Iterator[T]:
        """Run ``call`` over ``items`` on a few threads, results in order.

        Every thread goes through this client's limiter and connection pool, so
        bulk reads never exceed the configured request rate.
        """
        with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="willo") as pool:
            yield from pool.map(call, items)

    def parse(self, adapter: pydantic.TypeAdapter[T], body: Any, *, endpoint: str) -> T:
        try:
            return adapter.validate_python(body)
        except pydantic.ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '(body)'}: {err['msg']}"
                for err in exc.errors()[:5]
            )
            raise ResponseValidationError(problems, endpoint=endpoint, status_code=200) from None

    def _headers(self, accept: str) -> dict[str, str]:
        headers = {"Authorization": self._api_key, "Accept": accept}
        if self.agency_user_key:
            headers["X-Agency-User-Key"] = self.agency_user_key
        return headers

    def _send_once(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Mapping[str, Any] | None,
        files: Mapping[str, Any] | None,
        raw: bool,
        accept: str,
    ) -> Any:
        if self.limiter is not None:
            self.limiter.acquire()
        url = self.base_url.join(path.lstrip("/"))
        try:
            response = self._http.request(
                method,
                url,
                params=_clean(params),
                json=json,
                data=data,
                files=files,
                headers=self._headers(accept),
            )
        except UnsafeAddressError as exc:
            logger.warning("%s refused before connecting: %s", endpoint, exc)
            raise UnsafeHostError(str(exc), endpoint=endpoint, request_sent=False) from None
        except httpx.TransportError as exc:
            logger.info("%s: %s: %s", endpoint, type(exc).__name__, exc)
            raise _transport_error(exc, method=method, endpoint=endpoint) from None
        logger.debug("%s -> %s", endpoint, response.status_code)
        if raw and 200 <= response.status_code < 300:
            return response
        return self._decode(response, endpoint=endpoint)

    def _decode(self, response: httpx.Response, *, endpoint: str) -> Any:
        status = response.status_code
        if status == 204 or (200 <= status < 300 and not response.content):
            return None
        try:
            body = response.json()
        except ValueError:
            body = None
            if 200 <= status < 300:
                raise ResponseValidationError(
                    f"body is not JSON ({response.headers.get('content-type', 'no content type')})",
                    endpoint=endpoint,
                    status_code=status,
                ) from None
        if 200 <= status < 300:
            return body
        if 300 <= status < 400:
            raise ResponseValidationError(
                "Willo answered with a redirect; check the base URL",
                endpoint=endpoint,
                status_code=status,
            )
        retry_after = parse_retry_after(
            response.headers.get("Retry-After"), now=self.retry_policy.now()
        )
        if status == 401 and self.on_key_refused is not None:
            self.on_key_refused()
        if body is None:
            body = response.text[:500]
        raise status_error(
            endpoint=endpoint, status_code=status, body=body, retry_after=retry_after
        )


def _transport_error(
    exc: httpx.TransportError, *, method: str, endpoint: str
) -> APIConnectionError:
    """Map httpx's errors; a write that may have reached Willo gets a distinct error."""
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return APITimeoutError(
            f"could not connect in time ({name})", endpoint=endpoint, request_sent=False
        )
    if isinstance(exc, httpx.ConnectError):
        return APIConnectionError(
            f"could not connect to Willo ({name})", endpoint=endpoint, request_sent=False
        )
    if method not in IDEMPOTENT_READS:
        return RequestOutcomeUnknownError(
            f"no answer after sending ({name}); the change may or may not have been applied: "
            "re-read the object before trying again",
            endpoint=endpoint,
        )
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Willo did not answer in time ({name})", endpoint=endpoint)
    return APIConnectionError(f"connection failed ({name})", endpoint=endpoint)


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {k: v for k, v in params.items() if v is not None}


def iterate_pages(fetch_page, *, first_page: int = 1) -> Iterator[Any]:
    """Yield every item of every page; pages are fetched lazily by number.

    We follow page numbers rather than the absolute ``next`` link, so a link
    pointing at another host can never receive our API key.
    """
    page_number = first_page
    while True:
        page = fetch_page(page_number)
        yield from page.results
        if not page.next or not page.results:
            return
        page_number += 1
