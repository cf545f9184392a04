"""The field-presence check the collection test relies on."""

from .fields import missing_fields


def test_it_reports_a_missing_nested_field():
    example = {"a": 1, "b": {"c": 2, "d": [{"e": 3}]}}
    actual = {"a": 1, "b": {"c": 2, "d": [{"f": 3}]}}
    assert missing_fields(example, actual) == ["$.b.d[0].e"]


def test_it_accepts_a_superset():
    assert missing_fields({"a": [{"b": 1}]}, {"a": [{"x": 0}, {"b": 1, "c": 2}], "z": 1}) == []


def test_it_reports_an_empty_list_where_the_example_has_items():
    assert missing_fields({"a": [{"b": 1}]}, {"a": []}) == ["$.a: the list is empty"]
