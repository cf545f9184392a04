"""What every Willo resource shares: list specs, argument checks, typed calls."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pydantic

from willo_integration.schemas import Page

from .._base import iterate_pages
from ..errors import InvalidArgumentError

if TYPE_CHECKING:
    from .._base import BaseClient

T = TypeVar("T")

MAX_PAGE_SIZE = 30  # Willo's largest page: every list reads its pages at this size


@cache
def adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(tp)


@dataclass(frozen=True)
class ListSpec:
    """A documented list endpoint: its filters and the fields it may be ordered by."""

    filters: frozenset[str] = frozenset()
    ordering: frozenset[str] = frozenset()

    def params(self, page: int | None, options: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for name, value in options.items():
            if value is None:
                continue
            if name == "page_size":
                params[name] = check_page_size(value)
            elif name == "ordering":
                params[name] = self._ordering(value)
            elif name in self.filters and isinstance(value, bool):
                params[name] = "true" if value else "false"
            elif name in self.filters:
                if not isinstance(value, str | int) or value == "":
                    raise InvalidArgumentError(name, "must be a non-empty string")
                params[name] = value
            else:
                allowed = ", ".join(
                    sorted({*self.filters, "page_size", *(["ordering"] if self.ordering else [])})
                )
                raise InvalidArgumentError(
                    name, f"is not a filter of this list (allowed: {allowed})"
                )
        if page is not None:
            if not isinstance(page, int) or isinstance(page, bool) or page < 1:
                raise InvalidArgumentError("page", "must be a whole number from 1")
            params["page"] = page
        return params

    def _ordering(self, value: str | Iterable[str]) -> str:
        fields = [value] if isinstance(value, str) else list(value)
        fields = [f.strip() for item in fields for f in item.split(",") if f.strip()]
        if not self.ordering:
            raise InvalidArgumentError("ordering", "this list cannot be ordered")
        bad = [f for f in fields if f not in self.ordering]
        if bad or not fields:
            allowed = ", ".join(sorted(self.ordering))
            raise InvalidArgumentError(
                "ordering", f"{', '.join(bad) or 'empty'} not allowed (one of {allowed})"
            )
        return ",".join(fields)


def check_page_size(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidArgumentError("page_size", f"must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return value


def check_key(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or "/" in value or "?" in value:
        raise InvalidArgumentError(name, "must be a non-empty Willo key")
    return value.strip()


def body_of(fields: dict[str, Any], *, required: Iterable[str] = ()) -> dict[str, Any]:
    """A JSON body from keyword arguments, dropping unset ones; required ones must be given."""
    for name in required:
        if fields.get(name) in (None, ""):
            raise InvalidArgumentError(name, "is required")
    return {k: v for k, v in fields.items() if v is not None}


RAW = object()  # as a model: return the httpx.Response itself (binary bodies)


class Resource:
    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def _call(
        self,
        method: str,
        template: str,
        model: Any = None,
        *,
        keys: dict[str, str] | None = None,
        retry: bool = True,
        **kwargs: Any,
    ) -> Any:
        """Send ``method`` to ``template`` filled with checked ``keys``; parse into ``model``.

        Errors name the endpoint by its template (``GET /participants/{key}/``).
        """
        path = template.format(**{name: check_key(name, v) for name, v in (keys or {}).items()})
        endpoint = f"{method} /{template}"
        body = self._client.request(
            method, path, endpoint=endpoint, retry=retry, raw=model is RAW, **kwargs
        )
        if model is None or model is RAW:
            return None if model is None else body
        return self._client.parse(adapter(model), body, endpoint=endpoint)


class ListableResource(Resource, Generic[T]):
    """A resource whose list is paginated (``page``, ``page_size`` 1..30)."""

    path: str
    item_model: type
    list_spec: ListSpec

    def list_page(self, page: int = 1, *, retry: bool = True, **options: Any) -> Page[T]:
        """One page of results: ``count``, ``next``, ``previous`` and ``results``."""
        params = self.list_spec.params(page, options)
        return self._call("GET", self.path, Page[self.item_model], params=params, retry=retry)

    def list(self, *, retry: bool = True, **options: Any) -> Iterator[T]:
        """Every item, fetching pages lazily as the iterator advances."""
        self.list_spec.params(None, options)  # fail before any request
        return iterate_pages(lambda page: self.list_page(page, retry=retry, **options))
