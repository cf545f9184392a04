import httpx
import pytest

from willo_integration.client import InvalidArgumentError

from .conftest import page


def participant(n: int) -> dict:
    return {"key": f"{n:032x}", "name": f"Candidate {n}", "email": f"c{n}@example.com"}


def paged_handler(total: int, per_page: int):
    def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        start = (number - 1) * per_page
        items = [participant(n) for n in range(start, min(start + per_page, total))]
        more = start + per_page < total
        return page(items, count=total, next_page=number + 1 if more else None)

    return handler


def test_it_walks_every_page(client, willo):
    willo.script = [paged_handler(total=65, per_page=30)]
    names = [p.name for p in client.participants.list(page_size=30)]
    assert len(names) == 65
    assert names[0] == "Candidate 0"
    assert names[-1] == "Candidate 64"
    assert [r.url.params["page"] for r in willo.requests] == ["1", "2", "3"]
    assert {r.url.params["page_size"] for r in willo.requests} == {"30"}


def test_pages_are_fetched_lazily(client, willo):
    willo.script = [paged_handler(total=90, per_page=30)]
    iterator = client.participants.list(page_size=30)
    assert willo.requests == []
    first = next(iterator)
    assert first.name == "Candidate 0"
    assert len(willo.requests) == 1


def test_a_single_page_carries_count_and_links(client, willo):
    willo.script = [paged_handler(total=65, per_page=30)]
    result = client.participants.list_page(2, page_size=30)
    assert result.count == 65
    assert result.next is not None
    assert len(result.results) == 30
    assert willo.requests[0].url.params["page"] == "2"


def test_it_never_follows_a_next_link_to_another_host(client, willo):
    willo.script = [
        httpx.Response(
            200,
            json={
                "count": 2,
                "next": "https://evil.example.com/steal?page=2",
                "previous": None,
                "results": [participant(1)],
            },
        ),
        page([participant(2)], count=2),
    ]
    list(client.participants.list())
    assert {r.url.host for r in willo.requests} == {"api.willotalent.com"}


def test_filters_search_and_ordering_reach_the_query_string(client, willo):
    willo.script = [page([], count=0)]
    client.participants.list_page(
        interview="c0ac90a5e04e4dbaa1339a42b562ac00",
        department="c8a065f2f0454bb681f8212446c16bd9",
        search="rosa",
        ordering=["-created_at", "name"],
        page_size=10,
    )
    params = dict(willo.requests[0].url.params)
    assert params == {
        "interview": "c0ac90a5e04e4dbaa1339a42b562ac00",
        "department": "c8a065f2f0454bb681f8212446c16bd9",
        "search": "rosa",
        "ordering": "-created_at,name",
        "page_size": "10",
        "page": "1",
    }


@pytest.mark.parametrize("size", [0, 31, -1, "10", 2.5, True])
def test_page_size_must_be_1_to_30(client, willo, size):
    with pytest.raises(InvalidArgumentError, match="page_size"):
        client.participants.list_page(page_size=size)
    with pytest.raises(InvalidArgumentError, match="page_size"):
        client.interviews.list(page_size=size)
    assert willo.requests == []


def test_an_unknown_filter_is_rejected_before_any_request(client, willo):
    with pytest.raises(InvalidArgumentError, match="status"):
        client.participants.list(status="Accepted")
    assert willo.requests == []


def test_an_ordering_outside_the_documented_fields_is_rejected(client, willo):
    with pytest.raises(InvalidArgumentError, match="ordering"):
        client.interviews.list_page(ordering="salary")
    with pytest.raises(InvalidArgumentError, match="ordering"):
        client.users.list_page(ordering="email")
    assert willo.requests == []


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda c: c.participants.partial_update("k" * 32, status="Hired"), "status"),
        (lambda c: c.participants.invite(interview="k" * 32, email="nope", name="R"), "email"),
        (lambda c: c.participants.retrieve(""), "key"),
        (lambda c: c.participants.retrieve("../users"), "key"),
        (lambda c: c.users.invite(email="a@b.co", role="owner"), "role"),
        (lambda c: c.webhooks.create(url="https://x.example.com/h", event="accepted"), "event"),
        (
            lambda c: c.webhooks.create(
                url="https://x.example.com/h", event="new_score", token="t" * 129
            ),
            "token",
        ),
        (
            lambda c: c.interviews.create(
                title="T",
                department="d" * 32,
                questions=[{"text": "Q", "order": 1, "answer_type": "hologram"}],
            ),
            "questions[0].answer_type",
        ),
        (
            lambda c: c.interviews.create(
                title="T", department="d" * 32, default_language="xx", questions=[]
            ),
            "default_language",
        ),
        (
            lambda c: c.message_templates.create(
                title="T", type="fax", trigger="invite", content="Hi"
            ),
            "type",
        ),
        (lambda c: c.departments.create(name="HR", colour="red"), "colour"),
        (
            lambda c: c.children.create(
                customer_full_name="J", customer_email="j", organisation_name="O"
            ),
            "customer_email",
        ),
    ],
)
def test_invalid_arguments_raise_before_any_request_naming_the_parameter(
    client, willo, call, parameter
):
    with pytest.raises(InvalidArgumentError) as excinfo:
        call(client)
    assert excinfo.value.parameter == parameter
    assert willo.requests == []


def test_a_department_with_a_logo_is_sent_as_multipart(client, willo):
    willo.script = [
        httpx.Response(200, json={"key": "de3b5651d1f24ec9afeb8787e0e3be7a", "name": "Willo"})
    ]
    client.departments.create(
        name="Willo", is_global=False, logo=("logo.png", b"\x89PNG fake", "image/png")
    )
    request = willo.requests[0]
    assert request.headers["content-type"].startswith("multipart/form-data")
    body = request.content
    assert b'name="name"\r\n\r\nWillo' in body
    assert b'name="is_global"\r\n\r\nfalse' in body
    assert b'filename="logo.png"' in body


def test_a_decision_is_a_json_patch(client, willo):
    willo.script = [httpx.Response(200, json={"key": "k" * 32, "status": "Accepted"})]
    result = client.participants.partial_update("k" * 32, status="Accepted")
    request = willo.requests[0]
    assert request.method == "PATCH"
    assert request.url.path.endswith(f"/participants/{'k' * 32}/")
    assert request.content == b'{"status":"Accepted"}'
    assert result.status == "Accepted"


def test_the_message_template_type_filter_uses_willos_spelling(client, willo):
    willo.script = [page([], count=0)]
    client.message_templates.list_page(type="email", system_default=False)
    assert willo.requests[0].url.params["type"] == "emails"
    assert willo.requests[0].url.params["system_default"] == "false"


def test_boolean_filters_are_sent_as_true_or_false(client, willo):
    willo.script = [page([], count=0)]
    list(client.webhooks.list(follow_all_interviews=True, event="new_response"))
    assert willo.requests[0].url.params["follow_all_interviews"] == "true"


def test_the_stage_change_spelling_is_sent_as_the_documented_status_change(client, willo):
    willo.script = [httpx.Response(201, json={"key": "a" * 32, "event": "status_change"})]
    client.webhooks.create(url="https://dash.example.com/hooks/x", event="stage_change")
    assert b'"event":"status_change"' in willo.requests[0].content


def test_identity_media_is_returned_as_bytes_with_its_type(client, willo):
    willo.script = [httpx.Response(200, content=b"\x89PNG", headers={"content-type": "image/png"})]
    media = client.participants.idv_media("m" * 32)
    assert (media.content_type, media.content) == ("image/png", b"\x89PNG")
    assert willo.requests[0].headers["accept"].startswith("image/")
