"""The client sends what the Willo collection documents and returns its examples typed.

Each example response is served straight from the collection through
httpx.MockTransport; the test calls the matching client method and checks the
method, path, query and body the client sent, then the typed result.
"""

import email.parser
import email.policy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, get_args, get_origin

import httpx
import pytest

from willo_integration.client import WilloClient
from willo_integration.client.errors import InvalidArgumentError, NotFoundError
from willo_integration.schemas import (
    IdvCheckType,
    IdvMedia,
    Page,
    ParticipantStatus,
    WebhookEventType,
)

from .collection import Example, Request, examples, requests
from .payloads import assert_same_payload, dump_as_sent
from .response_models import BINARY_RESPONSES, RESPONSE_MODELS

BASE_URL = "https://api.willotalent.com/api/integrations/v2"
BASE_PATH = "/api/integrations/v2"
API_KEY = "test-key"
KEY = "0123456789abcdef0123456789abcdef"
TEMPLATE_KEY = "f24f05292a394525acff52f6c51e6c7d"
LOGO = ("logo.png", b"\x89PNG\r\n\x1a\n-logo", "image/png")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"

# The paginated lists, by path, and the client resource that lists them.
LIST_RESOURCES = {
    "/departments/": "departments",
    "/idv-counties/": "idv_countries",
    "/interviews/": "interviews",
    "/languages/": "languages",
    "/message-templates/": "message_templates",
    "/participants/": "participants",
    "/users/": "users",
    "/webhooks/": "webhooks",
    "/interview-templates/": "interview_templates",
}
PAGINATION_PARAMS = {"page", "page_size", "ordering"}

JSON_OR_EMPTY_EXAMPLES = [e for e in examples() if e.request.endpoint not in BINARY_RESPONSES]
LIST_REQUESTS = [r for r in requests() if r.method == "GET" and r.path in LIST_RESOURCES]


class FakeWillo:
    """Answers every request with one example response, as the collection gives it."""

    def __init__(self, status: int, content: bytes, content_type: str | None) -> None:
        self.status, self.content, self.content_type = status, content, content_type
        self.requests: list[httpx.Request] = []

    @classmethod
    def serving(cls, ex: Example) -> "FakeWillo":
        content = (ex.raw_response_body or "").encode()
        content_type = ex.content_type or ("application/json" if content else None)
        return cls(ex.status_code or 200, content, content_type)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        headers = {"Content-Type": self.content_type} if self.content_type else {}
        return httpx.Response(self.status, content=self.content, headers=headers)

    @property
    def request(self) -> httpx.Request:
        (only,) = self.requests
        return only


def make_client(willo: FakeWillo, **options: Any) -> WilloClient:
    return WilloClient(
        base_url=BASE_URL,
        api_key=API_KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(willo)),
        requests_per_second=None,
        **options,
    )


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[WilloClient, FakeWillo]]]:
    clients: list[WilloClient] = []

    def serve(ex: Example, **options: Any) -> tuple[WilloClient, FakeWillo]:
        willo = FakeWillo.serving(ex)
        client = make_client(willo, **options)
        clients.append(client)
        return client, willo

    yield serve
    for client in clients:
        client.close()


def sent_path(ex: Example) -> str:
    return BASE_PATH + ex.path.format(key=KEY, template_key=TEMPLATE_KEY)


def sent_body(request: httpx.Request) -> Any:
    """The body the client sent: decoded JSON, multipart fields, or None."""
    if not request.content:
        return None
    content_type = request.headers["content-type"]
    if content_type.startswith("application/json"):
        return json.loads(request.content)
    assert content_type.startswith("multipart/form-data"), content_type
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.content)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        filename = part.get_filename()
        fields[name] = (filename, payload) if filename else payload.decode()
    return fields


def list_filters(request: Request) -> dict[str, Any]:
    """A value for every documented filter of a list (restricted ones take their first value)."""
    return {
        name: values[0] if values else f"{name}-value"
        for name, values in request.query_params.items()
        if name not in PAGINATION_PARAMS
    }


def department_form(ex: Example) -> tuple[dict[str, Any], dict[str, Any]]:
    """The example's form as keyword arguments (booleans as bools) and as it must be sent."""
    form = {k: v for k, v in ex.request_body.items() if k != "logo"}
    kwargs = {k: {"true": True, "false": False}.get(v, v) for k, v in form.items()}
    return kwargs, {**form, "logo": (LOGO[0], LOGO[1])}


def canonical_webhook_body(body: dict[str, Any]) -> dict[str, Any]:
    # The examples send "stage_change"; the client sends only documented event names.
    return {**body, "event": WebhookEventType.from_name(body["event"]).value}


def call(client: WilloClient, ex: Example) -> tuple[Any, Any]:
    """Call the client method for the example's request; return (result, body it must send)."""
    body = ex.request_body
    method, path = ex.request.endpoint
    if path.startswith("/webhooks/") and body:
        body = canonical_webhook_body(body)
    if method == "GET" and path in LIST_RESOURCES:
        resource = getattr(client, LIST_RESOURCES[path])
        return resource.list_page(page_size=30, **list_filters(ex.request)), None
    match method, path:
        case "POST", "/departments/":
            kwargs, form = department_form(ex)
            return client.departments.create(logo=LOGO, **kwargs), form
        case "GET", "/departments/{key}/":
            return client.departments.retrieve(KEY), None
        case "PUT", "/departments/{key}/":
            kwargs, form = department_form(ex)
            return client.departments.update(KEY, logo=LOGO, **kwargs), form
        case "PATCH", "/departments/{key}/":
            kwargs, form = department_form(ex)
            return client.departments.partial_update(KEY, logo=LOGO, **kwargs), form
        case "DELETE", "/departments/{key}/":
            return client.departments.delete(KEY), None
        case "POST", "/interviews/":
            return client.interviews.create(**body), body
        case "GET", "/interviews/{key}/":
            return client.interviews.retrieve(KEY), None
        case "PUT", "/interviews/{key}/":
            return client.interviews.update(KEY, **body), body
        case "PATCH", "/interviews/{key}/":
            return client.interviews.partial_update(KEY, **body), body
        case "DELETE", "/interviews/{key}/":
            return client.interviews.delete(KEY), None
        case "POST", "/message-templates/":
            return client.message_templates.create(**body), body
        case "GET", "/message-templates/{key}/":
            return client.message_templates.retrieve(KEY), None
        case "PUT", "/message-templates/{key}/":
            return client.message_templates.update(KEY, **body), body
        case "PATCH", "/message-templates/{key}/":
            return client.message_templates.partial_update(KEY, **body), body
        case "DELETE", "/message-templates/{key}/":
            return client.message_templates.delete(KEY), None
        case "POST", "/participants/":
            return client.participants.invite(**body), body
        case "GET", "/participants/{key}/":
            return client.participants.retrieve(KEY), None
        case "PUT", "/participants/{key}/":
            return client.participants.update(KEY, **body), body
        case "PATCH", "/participants/{key}/":
            return client.participants.partial_update(KEY, **body), body
        case "DELETE", "/participants/{key}/":
            return client.participants.delete(KEY), None
        case "GET", "/participants/{key}/idv-info/":
            return client.participants.idv_info(KEY), None
        case "GET", "/participants/{key}/idv-media/":
            return client.participants.idv_media(KEY), None
        case "POST", "/users/":
            return client.users.invite(**body), body
        case "GET", "/users/{key}/":
            return client.users.retrieve(KEY), None
        case "PATCH", "/users/{key}/":
            return client.users.partial_update(KEY, **body), body
        case "DELETE", "/users/{key}/":
            return client.users.delete(KEY), None
        case "POST", "/webhooks/":
            return client.webhooks.create(**body), body
        case "PUT", "/webhooks/{key}/":
            return client.webhooks.update(KEY, **body), body
        case "PATCH", "/webhooks/{key}/":
            return client.webhooks.partial_update(KEY, **body), body
        case "DELETE", "/webhooks/{key}/":
            return client.webhooks.delete(KEY), None
        case "GET", "/categories/":
            return client.categories.list(), None
        case "GET", "/interview-templates/{template_key}/":
            return client.interview_templates.retrieve(TEMPLATE_KEY), None
        case "POST", "/interview-templates/{template_key}/interviews/":
            return client.interview_templates.create_interview(TEMPLATE_KEY), body
        case "POST", "/children/":
            return client.children.create(**body), body
        case "GET", "/children/":
            return client.children.list(), None
    raise AssertionError(f"no client call for {method} {path}")


LINK = "https://willotalent.com/interviwer/3v3v34/"

# What a recruiter reads from each result: endpoint -> (read, value in its examples).
TYPED: dict[tuple[str, str], tuple[Callable[[Any], Any], Any]] = {
    ("GET", "/departments/"): (lambda r: r.results[0].owner.full_name, "John Doe"),
    ("POST", "/departments/"): (lambda r: r.industry.name, "IT"),
    ("GET", "/departments/{key}/"): (lambda r: r.industry.name, "IT"),
    ("PUT", "/departments/{key}/"): (lambda r: r.primary_colour, "#2f3312"),
    ("PATCH", "/departments/{key}/"): (lambda r: r.secondary_colour, "#3f4425"),
    ("DELETE", "/departments/{key}/"): (lambda r: r, None),
    ("GET", "/idv-counties/"): (lambda r: (r.count, r.results[0].iso_3), (250, "GBR")),
    ("GET", "/interviews/"): (
        lambda r: (r.results[0].title, r.results[0].department.name),
        ("Researcher", "HR"),
    ),
    ("POST", "/interviews/"): (
        lambda r: r.message_templates.invitation_email,
        "cdbd4d93a7e448539a3b553db6b01d6b",
    ),
    ("GET", "/interviews/{key}/"): (
        lambda r: (r.message_templates.reminder_sms, r.settings.deadline),
        ("6360c3a0c80d4ad7a4561cb2737af0e8", datetime(2022, 12, 18, tzinfo=UTC)),
    ),
    ("PUT", "/interviews/{key}/"): (lambda r: r.settings.deadline, None),
    ("PATCH", "/interviews/{key}/"): (
        lambda r: r.settings.deadline,
        datetime(2022, 12, 18, 9, tzinfo=UTC),
    ),
    ("DELETE", "/interviews/{key}/"): (lambda r: r, None),
    ("GET", "/languages/"): (lambda r: r.results[-1].iso_code, "zhtw"),
    ("GET", "/message-templates/"): (
        lambda r: [t.trigger for t in r.results],
        ["invite", "reminder", "success_email"],
    ),
    ("POST", "/message-templates/"): (lambda r: (r.type, r.trigger), ("email", "invite")),
    ("GET", "/message-templates/{key}/"): (lambda r: r.system_default, False),
    ("PUT", "/message-templates/{key}/"): (lambda r: r.title, "Participant Invitation"),
    ("PATCH", "/message-templates/{key}/"): (lambda r: r.title, "Participant Invitation"),
    ("DELETE", "/message-templates/{key}/"): (lambda r: r, None),
    ("GET", "/participants/"): (
        lambda r: (r.results[0].name, r.results[0].overview_link),
        ("Rosa Parks", LINK),
    ),
    ("POST", "/participants/"): (
        lambda r: (r.status, r.invite_link),
        (ParticipantStatus.INVITED, "https://willotalent.com/invite/43f432/"),
    ),
    ("GET", "/participants/{key}/"): (
        lambda r: (r.status, r.overview_link, r.answers[0].transcript.language),
        (ParticipantStatus.INVITED, LINK, "en"),
    ),
    ("PUT", "/participants/{key}/"): (lambda r: r.status, ParticipantStatus.ACCEPTED),
    ("PATCH", "/participants/{key}/"): (lambda r: r.status, ParticipantStatus.ACCEPTED),
    ("DELETE", "/participants/{key}/"): (lambda r: r, None),
    ("GET", "/participants/{key}/idv-info/"): (
        lambda r: (r.check_type, r.share_code, [c.recommendation for c in r.checks]),
        (IdvCheckType.RTW, "FFF-FFF-FFF", ["APPROVE"] * 4),
    ),
    ("GET", "/users/"): (lambda r: r.results[0].full_name, "Amelia Mary Earhart"),
    ("POST", "/users/"): (lambda r: (r.role, r.status), ("standard", "joined")),
    ("GET", "/users/{key}/"): (lambda r: r.role, "standard"),
    ("PATCH", "/users/{key}/"): (lambda r: r.role, "admin"),
    ("DELETE", "/users/{key}/"): (lambda r: r, None),
    ("GET", "/webhooks/"): (
        lambda r: [w.event_type for w in r.results],
        [WebhookEventType.STATUS_CHANGE, None],
    ),
    ("POST", "/webhooks/"): (
        lambda r: (r.event_type, r.token),
        (WebhookEventType.STATUS_CHANGE, "some-token"),
    ),
    ("PUT", "/webhooks/{key}/"): (lambda r: r.event_type, WebhookEventType.STATUS_CHANGE),
    ("PATCH", "/webhooks/{key}/"): (lambda r: r.event_type, WebhookEventType.STATUS_CHANGE),
    ("DELETE", "/webhooks/{key}/"): (lambda r: r, None),
    ("GET", "/categories/"): (lambda r: r[1].name, "Development"),
    ("GET", "/interview-templates/"): (
        lambda r: r.results[0].category.name,
        "Sales and Customer-Facing Roles",
    ),
    ("GET", "/interview-templates/{template_key}/"): (lambda r: r.author.name, "Faith"),
    ("POST", "/interview-templates/{template_key}/interviews/"): (
        lambda r: (r.department.name, r.settings.show_hints_and_tips),
        ("Test Company", True),
    ),
    ("POST", "/children/"): (
        lambda r: r.user_relations[0].key,
        "1bda9acf65ae4be4bd1256c84ec923cc",
    ),
    ("GET", "/children/"): (
        lambda r: r[0].user_relations[0].key,
        "1bda9acf65ae4be4bd1256c84ec923cc",
    ),
}


def test_every_request_has_a_typed_check():
    assert {r.endpoint for r in requests()} - BINARY_RESPONSES == set(TYPED)
    assert len(requests()) == 44


@pytest.mark.parametrize("ex", JSON_OR_EMPTY_EXAMPLES, ids=lambda e: e.id)
def test_the_client_sends_the_documented_request(serve, ex: Example):
    client, willo = serve(ex)
    _, expected_body = call(client, ex)
    request = willo.request
    assert request.method == ex.method
    assert request.url.path == sent_path(ex)
    assert request.url.host == "api.willotalent.com"
    assert request.url.scheme == "https"
    assert request.headers["authorization"] == API_KEY
    assert "x-agency-user-key" not in request.headers
    assert sent_body(request) == expected_body


@pytest.mark.parametrize("ex", JSON_OR_EMPTY_EXAMPLES, ids=lambda e: e.id)
def test_the_client_returns_the_example_typed_and_whole(serve, ex: Example):
    client, _ = serve(ex)
    result, _ = call(client, ex)
    model = RESPONSE_MODELS[ex.request.endpoint]
    if model is None:
        assert result is None
    else:
        if get_origin(model) is list:
            (item_model,) = get_args(model)
            assert all(isinstance(item, item_model) for item in result)
        assert isinstance(result, get_origin(model) or model)
        assert_same_payload(dump_as_sent(model, result), ex.response_body)
    read, expected = TYPED[ex.request.endpoint]
    assert read(result) == expected


@pytest.mark.parametrize("request_", LIST_REQUESTS, ids=lambda r: r.title)
def test_list_pages_send_every_documented_filter(serve, request_: Request):
    (ex,) = [e for e in examples() if e.request.endpoint == request_.endpoint]
    client, willo = serve(ex)
    page, _ = call(client, ex)
    assert isinstance(page, Page)
    query = dict(willo.request.url.params)
    assert query.pop("page", "1") == "1"
    assert query == {**list_filters(request_), "page_size": "30"}


@pytest.mark.parametrize(
    ("request_", "ordering"),
    [(r, value) for r in LIST_REQUESTS for value in r.query_params.get("ordering", ())],
    ids=lambda v: v.title if isinstance(v, Request) else v,
)
def test_list_pages_accept_every_documented_ordering(serve, request_: Request, ordering: str):
    (ex,) = [e for e in examples() if e.request.endpoint == request_.endpoint]
    client, willo = serve(ex)
    getattr(client, LIST_RESOURCES[request_.path]).list_page(ordering=ordering)
    assert willo.request.url.params["ordering"] == ordering


@pytest.mark.parametrize("request_", LIST_REQUESTS, ids=lambda r: r.title)
def test_list_pages_refuse_a_page_size_over_30_before_sending(serve, request_: Request):
    assert request_.query_params["page_size"] == ("1...30",)
    (ex,) = [e for e in examples() if e.request.endpoint == request_.endpoint]
    client, willo = serve(ex)
    with pytest.raises(InvalidArgumentError):
        getattr(client, LIST_RESOURCES[request_.path]).list_page(page_size=31)
    assert willo.requests == []


@pytest.mark.parametrize("request_", LIST_REQUESTS, ids=lambda r: r.title)
def test_list_iterates_the_example_page(serve, request_: Request):
    (ex,) = [e for e in examples() if e.request.endpoint == request_.endpoint]
    client, willo = serve(ex)
    items = list(getattr(client, LIST_RESOURCES[request_.path]).list())
    item_model = RESPONSE_MODELS[request_.endpoint].model_fields["results"].annotation
    assert_same_payload(dump_as_sent(item_model, items), ex.response_body["results"])
    assert len(willo.requests) == 1


def test_the_agency_header_is_sent_for_a_child_organisation(serve):
    ex = next(e for e in examples() if e.request.endpoint == ("GET", "/participants/"))
    client, willo = serve(ex, agency_user_key="1bda9acf65ae4be4bd1256c84ec923cc")
    client.participants.list_page()
    assert willo.request.headers["x-agency-user-key"] == "1bda9acf65ae4be4bd1256c84ec923cc"


FIRST_EXAMPLES = [next(e for e in examples() if e.request == r) for r in requests()]


@pytest.mark.parametrize(
    "ex",
    FIRST_EXAMPLES,
    ids=lambda e: e.request.title,
)
def test_an_error_names_the_endpoint_by_its_path_template(ex: Example):
    willo = FakeWillo(404, b'{"detail": "Not found."}', "application/json")
    with make_client(willo) as client, pytest.raises(NotFoundError) as raised:
        call(client, ex)
    assert raised.value.status_code == 404
    assert raised.value.endpoint == f"{ex.method} {ex.path}"


IDV_MEDIA = next(e for e in examples() if e.request.endpoint in BINARY_RESPONSES)


def test_idv_media_returns_the_example_as_is(serve):
    client, willo = serve(IDV_MEDIA)
    media = client.participants.idv_media(KEY)
    assert willo.request.url.path == sent_path(IDV_MEDIA)
    assert isinstance(media, IdvMedia)
    assert (media.content_type, media.content) == ("image/png", b"")


def test_idv_media_returns_the_image_bytes():
    willo = FakeWillo(200, PNG, "image/png")
    with make_client(willo) as client:
        media = client.participants.idv_media(KEY)
    assert willo.request.method == "GET"
    assert willo.request.url.path == f"{BASE_PATH}/participants/{KEY}/idv-media/"
    assert isinstance(media, IdvMedia)
    assert (media.content_type, media.content) == ("image/png", PNG)
