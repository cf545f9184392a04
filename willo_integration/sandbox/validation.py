"""Field-by-field validation of request bodies with Django REST framework's messages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.dateparse import parse_datetime

from .http import ValidationFailed

MISSING: Any = object()
REQUIRED = "This field is required."


class Fields:
    """Reads typed values out of a body, collecting errors instead of stopping at the first."""

    def __init__(self, data: dict[str, Any], *, partial: bool = False) -> None:
        self.data = data
        self.partial = partial
        self.errors: dict[str, Any] = {}

    def error(self, name: str, message: Any) -> None:
        """Add a message, or set a nested error structure (a dict, or a list per item)."""
        if isinstance(message, dict | list):
            self.errors[name] = message
            return
        self.errors.setdefault(name, []).append(message)

    def _raw(self, name: str, required: bool, allow_null: bool) -> Any:
        if name not in self.data:
            if required and not self.partial:
                self.error(name, REQUIRED)
            return MISSING
        value = self.data[name]
        if value is None and not allow_null:
            self.error(name, "This field may not be null.")
            return MISSING
        return value

    def string(
        self,
        name: str,
        *,
        required: bool = False,
        allow_null: bool = False,
        allow_blank: bool = True,
        max_length: int | None = None,
    ) -> Any:
        value = self._raw(name, required, allow_null)
        if value is MISSING or value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(name, "Not a valid string.")
            return MISSING
        value = str(value).strip()
        if not value and (required or not allow_blank):
            self.error(name, "This field may not be blank.")
            return MISSING
        if max_length is not None and len(value) > max_length:
            self.error(name, f"Ensure this field has no more than {max_length} characters.")
            return MISSING
        return value

    def email(self, name: str, *, required: bool = False) -> Any:
        value = self.string(name, required=required, allow_blank=False)
        if isinstance(value, str):
            try:
                EmailValidator()(value)
            except ValidationError:
                self.error(name, "Enter a valid email address.")
                return MISSING
        return value

    def url(self, name: str, *, required: bool = False, allow_null: bool = False) -> Any:
        value = self.string(name, required=required, allow_null=allow_null, allow_blank=False)
        if isinstance(value, str):
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                self.error(name, "Enter a valid URL.")
                return MISSING
        return value

    def boolean(self, name: str, *, required: bool = False) -> Any:
        value = self._raw(name, required, allow_null=False)
        if value is MISSING or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        if value in (0, 1):
            return bool(value)
        self.error(name, "Must be a valid boolean.")
        return MISSING

    def integer(
        self, name: str, *, required: bool = False, allow_null: bool = True, min_value: int = 0
    ) -> Any:
        value = self._raw(name, required, allow_null)
        if value is MISSING or value is None:
            return value
        try:
            if isinstance(value, bool):
                raise ValueError
            number = int(value)
        except (TypeError, ValueError):
            self.error(name, "A valid integer is required.")
            return MISSING
        if number < min_value:
            self.error(name, f"Ensure this value is greater than or equal to {min_value}.")
            return MISSING
        return number

    def choice(
        self, name: str, choices: Iterable[str], *, required: bool = False, allow_null: bool = False
    ) -> Any:
        value = self._raw(name, required, allow_null)
        if value is MISSING or value is None:
            return value
        if not isinstance(value, str) or value not in set(choices):
            self.error(name, f'"{value}" is not a valid choice.')
            return MISSING
        return value

    def datetime(self, name: str, *, allow_null: bool = True) -> Any:
        value = self._raw(name, False, allow_null)
        if value is MISSING or value is None:
            return value
        parsed: datetime | None = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None or (parsed.tzinfo is None and not value.endswith("Z")):
            self.error(
                name,
                "Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
            )
            return MISSING
        return parsed

    def key_list(self, name: str) -> Any:
        value = self._raw(name, False, allow_null=False)
        if value is MISSING:
            return value
        if isinstance(value, str):
            value = [v for v in (p.strip() for p in value.split(",")) if v]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, f'Expected a list of items but got type "{type(value).__name__}".')
            return MISSING
        return value

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def invalid_key(key: str) -> str:
    return f'Invalid pk "{key}" - object does not exist.'
