"""Text as PostgreSQL will store it: no U+0000 and no lone surrogates.

Candidates type anything, and Willo passes it on. PostgreSQL refuses U+0000 in text and
in ``jsonb`` (a DataError), and a surrogate code point (U+D800 to U+DFFF) is not encodable
as UTF-8 at all; a Python str never holds a valid pair of them (a pair decodes to one
code point), so every one it holds is lone. U+0000 is dropped, a surrogate becomes
U+FFFD (the replacement character); other text is returned as it is.
"""

from __future__ import annotations

import re
from typing import Any

_REFUSED = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def _replace(match: re.Match[str]) -> str:
    return "" if match.group() == "\x00" else REPLACEMENT


def storable(value: str) -> str:
    """``value`` without what PostgreSQL refuses."""
    if _REFUSED.search(value) is None:  # nearly always: no copy
        return value
    return _REFUSED.sub(_replace, value)


def storable_json(value: Any) -> Any:
    """A JSON value (dicts, lists, strings, numbers) with every string, keys included,
    made ``storable``."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {
            storable(k) if isinstance(k, str) else k: storable_json(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [storable_json(item) for item in value]
    return value
