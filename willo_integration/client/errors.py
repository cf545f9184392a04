"""One exception family for everything that can go wrong talking to Willo.

Callers write ``except NotFoundError`` or ``except RateLimitError``. No message
ever carries the API key: exceptions are built from the endpoint (method and
path template), the status and Willo's own error body.
"""

from __future__ import annotations

from typing import Any


class WilloError(Exception):
    """Base of every error raised by the Willo client."""


class InsecureBaseURLError(WilloError, ValueError):
    """A base URL that would send the API key in clear text or is not a URL."""


class InvalidArgumentError(WilloError, ValueError):
    """A call's argument is not one Willo accepts; raised before any request."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


class APIConnectionError(WilloError):
    """The request could not be completed at the transport level.

    ``request_sent`` is False only when Willo cannot have seen the request
    (connection refused, connect timeout), which makes any method safe to resend.
    """

    def __init__(self, message: str, *, endpoint: str, request_sent: bool = True) -> None:
        super().__init__(f"{endpoint}: {message}")
        self.endpoint = endpoint
        self.request_sent = request_sent


class UnsafeHostError(APIConnectionError):
    """No connection was made: the host resolved to an address that is not public."""


class APITimeoutError(APIConnectionError):
    """Willo did not answer in time."""


class RequestOutcomeUnknownError(APIConnectionError):
    """A write may or may not have reached Willo (a read timeout or a dropped connection).

    It is never re-sent automatically: re-read the object to learn its state.
    """


class APIStatusError(WilloError):
    """Willo answered with a status that is not a success.

    ``endpoint`` is the method and path template, e.g. ``GET /participants/{key}/``.
    """

    def __init__(self, message: str, *, endpoint: str, status_code: int, body: Any) -> None:
        super().__init__(f"{endpoint} -> HTTP {status_code}: {message}")
        self.endpoint = endpoint
        self.status_code = status_code
        self.body = body


class BadRequestError(APIStatusError):
    """400: Willo refused the request; ``field_errors`` maps each field to its messages."""

    def __init__(self, message: str, *, endpoint: str, status_code: int, body: Any) -> None:
        super().__init__(message, endpoint=endpoint, status_code=status_code, body=body)
        self.field_errors = _field_errors(body)


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong, revoked or for another environment."""


class PermissionDeniedError(APIStatusError):
    """403: the key's Willo user may not do this."""


class NotFoundError(APIStatusError):
    """404: no such object for this key (or agency scope)."""


class RateLimitError(APIStatusError):
    """429: throttled by Willo; ``retry_after`` is the wait Willo asked for, in seconds."""

    def __init__(
        self,
        message: str,
        *,
        endpoint: str,
        status_code: int,
        body: Any,
        retry_after: float | None,
    ) -> None:
        super().__init__(message, endpoint=endpoint, status_code=status_code, body=body)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx: Willo failed."""


class ResponseValidationError(WilloError):
    """Willo answered with a body we cannot decode or that has the wrong shape."""

    def __init__(self, message: str, *, endpoint: str, status_code: int) -> None:
        super().__init__(f"{endpoint} -> HTTP {status_code}: unexpected response: {message}")
        self.endpoint = endpoint
        self.status_code = status_code


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
}

_HINTS: dict[int, str] = {
    400: "Willo refused the request",
    401: "Willo rejected the API key (wrong, revoked or for another environment)",
    403: "the API key's Willo user lacks permission for this",
    404: "not found",
    429: "rate limited by Willo",
}


def status_error(
    *, endpoint: str, status_code: int, body: Any, retry_after: float | None = None
) -> APIStatusError:
    """Build the exception that matches an HTTP error status."""
    message = _HINTS.get(status_code, "Willo failed" if status_code >= 500 else "request failed")
    detail = _detail(body)
    if detail:
        message = f"{message}: {detail}"
    if status_code == 429:
        return RateLimitError(
            message, endpoint=endpoint, status_code=status_code, body=body, retry_after=retry_after
        )
    if status_code >= 500:
        return InternalServerError(message, endpoint=endpoint, status_code=status_code, body=body)
    cls = _STATUS_ERRORS.get(status_code, APIStatusError)
    return cls(message, endpoint=endpoint, status_code=status_code, body=body)


def _detail(body: Any) -> str:
    if isinstance(body, dict):
        if isinstance(body.get("detail"), str):
            return body["detail"]
        errors = _field_errors(body)
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
    if isinstance(body, list):
        return "; ".join(str(item) for item in body)
    return ""


def _field_errors(body: Any) -> dict[str, list[str]]:
    """Willo (Django REST framework) answers 400 with {field: [messages]} or nested dicts."""
    if not isinstance(body, dict):
        return {"non_field_errors": [str(body)]} if body else {}
    errors: dict[str, list[str]] = {}
    for field, value in body.items():
        if field == "detail":
            continue
        errors[field] = _messages(value)
    return errors


def _messages(value: Any) -> list[str]:
    if isinstance(value, list):
        return [m for item in value for m in _messages(item)]
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    return [str(value)]
