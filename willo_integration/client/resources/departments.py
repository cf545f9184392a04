"""Departments: the sub-divisions of a Willo organisation (brand, geography)."""

# Reference: REFERENCE.md "Departments"; create and update are multipart forms (a logo file).

from __future__ import annotations

from typing import Any

from willo_integration.schemas import Department

from ..errors import InvalidArgumentError
from ._resource import ListableResource, ListSpec, body_of

LogoFile = tuple[str, bytes, str]


class Departments(ListableResource[Department]):
    path = "departments/"
    item_model = Department
    list_spec = ListSpec(
        filters=frozenset({"search", "owner"}),
        ordering=frozenset({"name", "-name", "created_at", "-created_at"}),
    )

    def create(self, *, name: str, logo: LogoFile | None = None, **fields: Any) -> Department:
        data = _form(body_of({"name": name, **fields}, required=["name"]))
        return self._call("POST", self.path, Department, data=data, files=_logo(logo), retry=True)

    def retrieve(self, key: str, *, retry: bool = True) -> Department:
        return self._call(
            "GET", self.path + "{key}/", keys={"key": key}, model=Department, retry=retry
        )

    def update(
        self, key: str, *, name: str, logo: LogoFile | None = None, **fields: Any
    ) -> Department:
        data = _form(body_of({"name": name, **fields}, required=["name"]))
        return self._call(
            "PUT",
            self.path + "{key}/",
            keys={"key": key},
            model=Department,
            data=data,
            files=_logo(logo),
        )

    def partial_update(
        self, key: str, *, logo: LogoFile | None = None, **fields: Any
    ) -> Department:
        return self._call(
            "PATCH",
            self.path + "{key}/",
            keys={"key": key},
            model=Department,
            data=_form(body_of(fields)),
            files=_logo(logo),
        )

    def delete(self, key: str) -> None:
        self._call("DELETE", self.path + "{key}/", keys={"key": key}, model=None)


ALLOWED_FIELDS = frozenset(
    {
        "name",
        "industry",
        "location",
        "website",
        "primary_colour",
        "secondary_colour",
        "is_default",
        "is_global",
    }
)


def _form(fields: dict[str, Any]) -> dict[str, str]:
    form: dict[str, str] = {}
    for name, value in fields.items():
        if name not in ALLOWED_FIELDS:
            raise InvalidArgumentError(name, "is not a department field")
        form[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return form


def _logo(logo: LogoFile | None) -> dict[str, LogoFile] | None:
    return {"logo": logo} if logo is not None else None
