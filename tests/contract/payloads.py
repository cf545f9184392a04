"""Compare a parsed payload with what Willo sent."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter


def dump_as_sent(tp: Any, value: Any) -> Any:
    """The payload a parsed value stands for (by alias, set fields only, JSON types)."""
    return TypeAdapter(tp).dump_python(value, mode="json", by_alias=True, exclude_unset=True)


def assert_same_payload(dumped: Any, original: Any, where: str = "$") -> None:
    """Same keys at every level, same list lengths, same values (timestamps as instants)."""
    if isinstance(original, dict):
        assert isinstance(dumped, dict), f"{where}: {dumped!r} is not an object"
        missing, added = original.keys() - dumped.keys(), dumped.keys() - original.keys()
        assert (missing, added) == (set(), set()), (
            f"{where}: lost {sorted(missing)}, added {sorted(added)}"
        )
        for key, value in original.items():
            assert_same_payload(dumped[key], value, f"{where}.{key}")
    elif isinstance(original, list):
        assert isinstance(dumped, list), f"{where}: {dumped!r} is not a list"
        assert len(dumped) == len(original), f"{where}: {len(dumped)} items, sent {len(original)}"
        for index, (item, sent) in enumerate(zip(dumped, original, strict=True)):
            assert_same_payload(item, sent, f"{where}[{index}]")
    elif isinstance(original, str) and isinstance(dumped, str) and dumped != original:
        instant = _instant(original)
        assert instant is not None, f"{where}: {dumped!r}, sent {original!r}"
        assert _instant(dumped) == instant, f"{where}: {dumped!r}, sent {original!r}"
    else:
        assert dumped == original, f"{where}: {dumped!r}, sent {original!r}"
        assert type(dumped) is type(original), f"{where}: {type(dumped)}, sent {type(original)}"


def unmodelled_fields(value: Any) -> set[str]:
    """ "Model.field" for every field kept only as an extra, anywhere in a parsed value."""
    found: set[str] = set()
    if isinstance(value, BaseModel):
        found |= {f"{type(value).__name__}.{key}" for key in value.model_extra or {}}
        for name in type(value).model_fields:
            found |= unmodelled_fields(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            found |= unmodelled_fields(item)
    return found


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
