"""Text as PostgreSQL will store it: any str in, a storable str out, clean text untouched."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from willo_integration.text import REPLACEMENT, storable, storable_json

CLEAN = st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=["Cs"]))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")  # a surrogate is not encodable
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


@given(st.text())
def test_it_makes_any_text_storable(text):
    assert _storable(storable(text))


@given(CLEAN)
def test_it_leaves_clean_text_as_it_is(text):
    assert storable(text) is text


@given(CLEAN, CLEAN)
def test_it_drops_nul_and_replaces_a_lone_surrogate(before, after):
    assert storable(f"{before}\x00{after}") == before + after
    assert storable(f"{before}\ud800{after}") == f"{before}{REPLACEMENT}{after}"


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value.keys(), *(s for v in value.values() for s in _strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@given(JSON)
def test_it_makes_every_string_of_a_json_value_storable_keys_included(value):
    cleaned = storable_json(value)

    assert all(_storable(s) for s in _strings(cleaned))
    if all(_storable(s) for s in _strings(value)):
        assert cleaned == value
