"""Structured logs: every line carries the request id, which the response returns."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re

import pytest
from django.conf import settings
from django_guid import clear_guid, set_guid


def test_the_response_returns_the_proxys_request_id(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="req-from-the-proxy")

    assert response["X-Request-ID"] == "req-from-the-proxy"


def test_a_request_without_one_gets_a_fresh_id(client, db):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def _formatted(log_format: str) -> str:
    config = settings.LOGGING
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    formatter_config = dict(config["formatters"][log_format])
    factory = formatter_config.pop("()", None)
    if factory:
        module, _, name = factory.rpartition(".")
        formatter_config["fmt"] = formatter_config.pop("format")  # as dictConfig retries it
        formatter = getattr(__import__(module, fromlist=[name]), name)(**formatter_config)
    else:
        formatter = logging.Formatter(formatter_config["format"])
    handler.setFormatter(formatter)
    from django_guid.log_filters import CorrelationId

    handler.addFilter(CorrelationId())
    logger = logging.getLogger("tests.request_logging")
    logger.addHandler(handler)
    try:
        set_guid("abc123")
        logger.warning("decision %s failed", 7)
    finally:
        clear_guid()
        logger.removeHandler(handler)
    return stream.getvalue()


def test_production_lines_are_json_with_the_request_id():
    line = json.loads(_formatted("json"))

    assert line["message"] == "decision 7 failed"
    assert line["level"] == "WARNING"
    assert line["logger"] == "tests.request_logging"
    assert line["request_id"] == "abc123"
    assert "time" in line


def test_development_lines_are_plain_with_the_request_id():
    assert "WARNING tests.request_logging [abc123] decision 7 failed" in _formatted("plain")


def test_it_echoes_a_request_id_of_up_to_200_plain_characters(client, db):
    good = "Ab9._-" * 33 + "xy"  # 200 characters

    response = client.get("/healthz", HTTP_X_REQUEST_ID=good)

    assert response["X-Request-ID"] == good


@pytest.mark.parametrize(
    "given",
    ["a" * 201, "abc\ndef", "<script>alert(1)</script>", "café-42", "id with space", ""],
)
def test_it_replaces_a_request_id_that_is_not_plain_with_a_fresh_one(
    client, db, given, monkeypatch
):
    from django_guid import middleware
    from django_guid.log_filters import CorrelationId

    stamped = {}
    outgoing = middleware.process_outgoing_request

    def stamp(response, request):
        record = logging.LogRecord("tests", logging.INFO, __file__, 1, "line", None, None)
        CorrelationId().filter(record)
        stamped["id"] = record.correlation_id
        outgoing(response=response, request=request)

    monkeypatch.setattr(middleware, "process_outgoing_request", stamp)

    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)

    made = response["X-Request-ID"]
    assert made != given
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert stamped["id"] == made  # what the log filter stamps on the request's lines
