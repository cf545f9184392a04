import httpx
import pytest

from willo_integration.client import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    InsecureBaseURLError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestOutcomeUnknownError,
    ResponseValidationError,
    WilloClient,
)

from .conftest import API_KEY

KEY = "d7964979cd364d59b3d6c457712d8857"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
    ],
)
def test_it_maps_each_error_status(client, willo, status, error):
    willo.script = [httpx.Response(status, json={"detail": "nope"})]
    with pytest.raises(error) as excinfo:
        client.participants.retrieve(KEY, retry=False)
    assert excinfo.value.status_code == status
    assert excinfo.value.endpoint == "GET /participants/{key}/"
    assert str(excinfo.value).startswith("GET /participants/{key}/ -> HTTP")


def test_a_400_carries_willos_field_errors(client, willo):
    willo.script = [
        httpx.Response(
            400,
            json={"email": ["Enter a valid email address."], "name": ["This field is required."]},
        )
    ]
    with pytest.raises(BadRequestError) as excinfo:
        client.participants.invite(interview=KEY, email="rosa@example.com", name="Rosa")
    assert excinfo.value.field_errors == {
        "email": ["Enter a valid email address."],
        "name": ["This field is required."],
    }
    assert "email: Enter a valid email address." in str(excinfo.value)


def test_a_401_says_what_to_do(client, willo):
    willo.script = [httpx.Response(401, json={"detail": "Invalid token."})]
    with pytest.raises(AuthenticationError, match="rejected the API key"):
        client.users.list_page()


def test_an_undecodable_body_names_the_endpoint_and_status(client, willo):
    willo.script = [httpx.Response(200, text="<html>maintenance</html>")]
    with pytest.raises(ResponseValidationError) as excinfo:
        client.participants.retrieve(KEY)
    message = str(excinfo.value)
    assert "GET /participants/{key}/" in message
    assert "HTTP 200" in message


def test_a_wrong_shaped_body_raises_a_validation_error_not_a_key_error(client, willo):
    willo.script = [httpx.Response(200, json={"unexpected": True})]
    with pytest.raises(ResponseValidationError, match="GET /participants/"):
        client.participants.list_page()


def test_a_redirect_is_not_followed(client, willo):
    willo.script = [httpx.Response(301, headers={"Location": "https://evil.example.com/"})]
    with pytest.raises(ResponseValidationError, match="redirect"):
        client.participants.retrieve(KEY)
    assert len(willo.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(400, json={"detail": "bad"}),
        httpx.Response(401, json={"detail": "Invalid token."}),
        httpx.Response(403, json={"detail": "forbidden"}),
        httpx.Response(404, json={"detail": "Not found."}),
        httpx.Response(429, headers={"Retry-After": "600"}),
        httpx.Response(500, text="boom"),
        httpx.Response(200, text="not json"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ],
)
def test_the_key_is_absent_from_every_exception(make_client, willo, failure):
    client = make_client(agency_user_key="agency-relation-key-SECRET")
    willo.script = [failure]
    with pytest.raises(Exception) as excinfo:  # noqa: PT011 - any error of the family
        client.participants.partial_update(KEY, status="Accepted")
    exc = excinfo.value
    for text in (str(exc), repr(exc), repr(exc.args), repr(client), repr(getattr(exc, "body", ""))):
        assert API_KEY not in text
        assert "agency-relation-key-SECRET" not in text
    assert exc.__cause__ is None or API_KEY not in str(exc.__cause__)


def test_it_sends_the_raw_key_and_the_agency_header(make_client, willo):
    client = make_client(agency_user_key="1bda9acf65ae4be4bd1256c84ec923cc")
    willo.script = [httpx.Response(200, json=[])]
    client.children.list()
    request = willo.requests[0]
    assert request.headers["Authorization"] == API_KEY
    assert request.headers["X-Agency-User-Key"] == "1bda9acf65ae4be4bd1256c84ec923cc"


def test_it_sends_no_agency_header_without_an_agency_key(client, willo):
    willo.script = [httpx.Response(200, json=[])]
    client.categories.list()
    assert "X-Agency-User-Key" not in willo.requests[0].headers


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.willotalent.com/api/integrations/v2",
        "http://10.0.0.5:8000/api/integrations/v2",
        "ftp://api.willotalent.com/",
        "not a url",
        "https://",
    ],
)
def test_it_refuses_an_insecure_or_malformed_base_url(base_url):
    with pytest.raises(InsecureBaseURLError):
        WilloClient(base_url=base_url, api_key=API_KEY)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.willotalent.com/api/integrations/v2",
        "http://127.0.0.1:8001/api/integrations/v2/",
        "http://localhost:8000/api/integrations/v2",
        "http://[::1]:8001/api/integrations/v2",
    ],
)
def test_it_accepts_https_and_loopback_http(base_url):
    with WilloClient(base_url=base_url, api_key=API_KEY) as client:
        assert str(client.base_url).endswith("/api/integrations/v2/")


def test_requests_go_under_the_base_path(client, willo):
    willo.script = [httpx.Response(200, json=[])]
    client.categories.list()
    assert (
        str(willo.requests[0].url) == "https://api.willotalent.com/api/integrations/v2/categories/"
    )


def test_a_connection_failure_is_a_connection_error(client, willo):
    willo.script = [httpx.ConnectError("refused")]
    with pytest.raises(APIConnectionError) as excinfo:
        client.categories.list()
    assert not isinstance(excinfo.value, RequestOutcomeUnknownError)
    assert "could not connect" in str(excinfo.value)


def test_the_client_closes_its_own_connection_pool():
    client = WilloClient(base_url="https://api.willotalent.com/api/integrations/v2", api_key="k")
    with client:
        pass
    assert client._http.is_closed
