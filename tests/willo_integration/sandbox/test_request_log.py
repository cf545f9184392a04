"""The sandbox's request log: what it was sent and how it answered, only while recording."""

from __future__ import annotations

from willo_integration.sandbox import knobs, request_log

from .conftest import API


def test_it_records_each_request_and_its_answer_while_recording(api, seeded):
    key = seeded.parent.participants.order_by("id").first().key
    with request_log.recording() as served:
        api().get("/languages/")
        api().call("PATCH", f"/participants/{key}/", {"status": "Accepted"})
        with knobs.override(error_rate=1.0):
            api().call("PATCH", f"/participants/{key}/", {"status": "Rejected"})
    api().get("/languages/")

    answered = [(s.method, s.path.removeprefix(API), s.status) for s in served]
    assert answered[:2] == [("GET", "/languages/", 200), ("PATCH", f"/participants/{key}/", 200)]
    assert len(answered) == 3
    assert answered[2][:2] == ("PATCH", f"/participants/{key}/")
    assert answered[2][2] in {500, 502, 503}


def test_recordings_may_nest(api):
    with request_log.recording() as everything:
        with request_log.recording() as inner:
            pass
        api().get("/languages/")

    assert (len(everything), inner) == (1, [])
