"""Willo's page-number pagination and the query-string helpers every list shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from .http import ApiError, ValidationFailed

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 30


def _int_param(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValidationFailed({name: ["A valid integer is required."]}) from exc


def page_size(request: HttpRequest) -> int:
    size = _int_param(request, "page_size", DEFAULT_PAGE_SIZE)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            {"page_size": [f"Ensure this value is between 1 and {MAX_PAGE_SIZE}."]}
        )
    return size


def _page_link(request: HttpRequest, page: int | None) -> str | None:
    if page is None:
        return None
    query = request.GET.copy()
    if page == 1:
        query.pop("page", None)
    else:
        query["page"] = str(page)
    encoded = query.urlencode()
    return request.build_absolute_uri(request.path + (f"?{encoded}" if encoded else ""))


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any],
    serialize: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    size = page_size(request)
    page = _int_param(request, "page", 1)
    count = queryset.count()
    last_page = max(1, -(-count // size))
    if not 1 <= page <= last_page:
        raise ApiError(404, {"detail": "Invalid page."})
    start = (page - 1) * size
    items = list(queryset[start : start + size])
    return {
        "count": count,
        "next": _page_link(request, page + 1 if page < last_page else None),
        "previous": _page_link(request, page - 1 if page > 1 else None),
        "results": [serialize(item) for item in items],
    }


def ordering(request: HttpRequest, allowed: dict[str, str], default: Sequence[str]) -> list[str]:
    """``?ordering=a,-b`` through ``allowed`` (public name -> ORM field), plus a tiebreak."""
    raw = request.GET.get("ordering", "").strip()
    if not raw:
        return [*default, "-id" if default and default[0].startswith("-") else "id"]
    fields: list[str] = []
    for part in (p.strip() for p in raw.split(",")):
        name = part.removeprefix("-")
        if name not in allowed:
            choices = ", ".join(sorted(allowed))
            raise ValidationFailed(
                {"ordering": [f'"{part}" is not a valid ordering field. Choose from: {choices}.']}
            )
        fields.append(("-" if part.startswith("-") else "") + allowed[name])
    fields.append("-id" if fields[0].startswith("-") else "id")
    return fields


def bool_param(request: HttpRequest, name: str) -> bool | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    lowered = raw.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValidationFailed({name: ["Must be a valid boolean."]})


def choice_param(request: HttpRequest, name: str, choices: Iterable[str]) -> str | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    options = list(choices)
    if raw not in options:
        raise ValidationFailed(
            {name: [f"Select a valid choice. {raw} is not one of the available choices."]}
        )
    return raw
