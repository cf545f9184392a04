"""Is every field of a collection example present in a real response?"""

from __future__ import annotations

from typing import Any


def missing_fields(example: Any, actual: Any, where: str = "$") -> list[str]:
    """Paths of the example's fields absent from ``actual`` (nested objects and lists too).

    A list item of the example must be matched by some item of the actual list
    (or, when the actual list is shorter, each actual item by an example item).
    Where the example shows an object and Willo answers a list of such objects
    (``departments`` of a listed webhook), each is compared with the object.
    A null on either side ends the comparison of that field.
    """
    if isinstance(example, dict):
        if isinstance(actual, list):
            if not actual:
                return [f"{where}: an empty list where the example has an object"]
            return min((missing_fields(example, a, f"{where}[*]") for a in actual), key=len)
        if not isinstance(actual, dict):
            return [f"{where}: not an object"]
        found: list[str] = []
        for name, value in example.items():
            if name not in actual:
                found.append(f"{where}.{name}")
            elif value is not None and actual[name] is not None:
                found += missing_fields(value, actual[name], f"{where}.{name}")
        return found
    if isinstance(example, list):
        if not isinstance(actual, list):
            return [f"{where}: not a list"]
        shaped = [item for item in example if isinstance(item, dict | list) and item]
        if not shaped:
            return []
        if not actual:
            return [f"{where}: the list is empty"]
        found = []
        if len(actual) >= len(example):
            # Every item the example shows has a counterpart carrying all its fields.
            for index, item in enumerate(shaped):
                found += min(
                    (missing_fields(item, a, f"{where}[{index}]") for a in actual), key=len
                )
        else:
            # Fewer items than the example (it shows more kinds than exist here):
            # every actual item must carry all the fields of one of the example's.
            candidates = [item for item in example if isinstance(item, dict | list)]
            for index, a in enumerate(actual):
                found += min(
                    (missing_fields(item, a, f"{where}[{index}]") for item in candidates), key=len
                )
        return found
    return []
