"""Reading a webhook delivery's body: what is accepted, what is refused and why."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.contract.collection import webhook_payload_examples
from willo_integration.schemas import is_webhook_envelope
from willo_integration.webhook_body import (
    MAX_DEPTH,
    MalformedWebhookBody,
    depth_beyond,
    parse_webhook_body,
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=40,
)


def nested(depth: int, inner: str = "1") -> bytes:
    return ("[" * depth + inner + "]" * depth).encode()


def test_it_reads_a_participant():
    body = parse_webhook_body(b'{"key": "p1", "name": "Ada"}')

    assert (body.envelope, body.event_id, body.event_type) == (False, "", "")
    assert (body.participant_key, body.payload["name"]) == ("p1", "Ada")
    assert body.text == '{"key": "p1", "name": "Ada"}'


def test_it_reads_an_envelope():
    raw = b'{"id": "evt_1", "type": "new_score", "data": {"participant": {"key": "p1"}}}'

    body = parse_webhook_body(raw)

    assert (body.envelope, body.event_id, body.event_type) == (True, "evt_1", "new_score")
    assert body.participant_key == "p1"


def test_it_reads_an_envelope_without_type_or_participant():
    body = parse_webhook_body(b'{"id": "evt_2", "data": {}}')

    assert (body.envelope, body.event_type, body.participant_key) == (True, "", "")


@pytest.mark.parametrize("event", ["new_response", "stage_change", "new_comment", "new_score"])
def test_it_reads_every_documented_delivery(event):
    payload = webhook_payload_examples()[event]

    envelope = event in ("new_comment", "new_score")

    body = parse_webhook_body(json.dumps(payload).encode())

    assert body.envelope is envelope
    participant = payload["data"]["participant"] if envelope else payload
    assert body.participant_key == participant["key"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe", "not UTF-8"),
        ('{"key": "p1"}'.encode("utf-16"), "not UTF-8"),  # with its byte order mark
        ('{"key": "p1"}'.encode("utf-16-le"), "malformed JSON"),  # NULs between ASCII
        (b'\xef\xbb\xbf{"key": "p1"}', "byte order mark"),
        (b'{"key": "p1"', "malformed JSON"),
        (nested(10**4), "nested 10000 levels deep"),
        (nested(10**5), "nested 100000 levels deep"),
        (b'{"a":' * 10**5 + b"1" + b"}" * 10**5, "nested 100000 levels deep"),
        (b'{"key": "p1", "n": ' + b"9" * 5000 + b"}", "4300 digits"),
        (b'{"key": "p1", "n": 1e400}', "out of range"),
        (b'{"key": "p1", "n": -1e400}', "out of range"),
        (b'{"key": "p1", "n": NaN}', "NaN is not a JSON number"),
        (b'{"key": "p1", "n": Infinity}', "Infinity is not a JSON number"),
        (b"[]", "a JSON list, not an object"),
        (b'"evt_1"', "a JSON str, not an object"),
        (b"null", "a JSON NoneType, not an object"),
        (b"{}", "neither a participant"),
        (b'{"key": ""}', "neither a participant"),
        (b'{"key": 7}', "neither a participant"),
        (b'{"id": "evt_1", "type": "new_score"}', "data is not an object"),
        (b'{"id": "evt_1", "data": "x"}', "data is not an object"),
        (b'{"id": "evt_1", "data": null}', "data is not an object"),
        (b'{"id": "evt_1", "data": []}', "data is not an object"),
        (b'{"id": "evt_1", "type": 3, "data": {}}', "type is not a string"),
        (b'{"id": "evt_1", "data": {"participant": "p1"}}', "participant is not an object"),
        (b'{"id": "evt_1", "data": {"participant": {"key": 1}}}', "key is not a string"),
        (b'{"key": "p\\u0000"}', "participant key holds characters"),
        (b'{"key": "p\\ud800"}', "participant key holds characters"),
        (b'{"id": "evt_\\u0000", "data": {}}', "event id holds characters"),
        (b'{"id": "evt_1", "type": "\\udfff", "data": {}}', "event type holds characters"),
    ],
)
def test_it_refuses_what_the_apply_step_cannot_take(raw, reason):
    with pytest.raises(MalformedWebhookBody, match=reason):
        parse_webhook_body(raw)


def test_it_accepts_nesting_up_to_the_limit_and_no_deeper():
    def participant(depth: int) -> bytes:  # the object itself is one level
        return b'{"key": "p1", "x": ' + nested(depth - 1) + b"}"

    assert parse_webhook_body(participant(MAX_DEPTH)).payload["key"] == "p1"
    with pytest.raises(MalformedWebhookBody, match="nested 65 levels deep"):
        parse_webhook_body(participant(MAX_DEPTH + 1))


def test_brackets_inside_strings_do_not_count():
    text = '"[[[\\"' + "[" * 100 + '\\\\"'
    raw = ('{"key": "p1", "t": ' + text + ', "u": "' + "{" * 100 + '"}').encode()

    assert parse_webhook_body(raw).payload["u"] == "{" * 100


def test_an_envelope_is_an_evt_id_whatever_else_it_holds():
    assert is_webhook_envelope({"id": "evt_1"})
    assert not is_webhook_envelope({"id": "1", "type": "new_score", "data": {}})
    assert not is_webhook_envelope({"id": ["evt_1"], "key": "p1"})


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_the_depth_is_what_the_parser_would_recurse_to(value):
    def depth(v) -> int:
        children = v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()
        return 1 + max(map(depth, children), default=0) if isinstance(v, dict | list) else 0

    text = json.dumps(value, ensure_ascii=False)

    assert depth_beyond(text, 0) == (depth(value) or None)
