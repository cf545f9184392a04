"""Read the vendored Willo Postman collection: its requests, their examples, webhook payloads.

    for example in examples():
        example.method, example.path, example.status_code, example.response_body

Paths are templates relative to the API base, with Willo's ``<key>`` and
``{{template_key}}`` placeholders written ``{key}`` and ``{template_key}``.
"""

import html
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

COLLECTION_PATH = Path(__file__).with_name("willo-integration-api-v2.postman_collection.json")

_PLACEHOLDERS = {"<key>": "{key}", "{{template_key}}": "{template_key}"}


@dataclass(frozen=True)
class Request:
    folder: str
    name: str
    method: str
    path: str
    description: str
    # the description's "Query Params" table: name -> restricted values ("" -> none)
    query_params: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def endpoint(self) -> tuple[str, str]:
        return self.method, self.path

    @property
    def title(self) -> str:
        """Unique across the collection (request names are not: "List Templates" twice)."""
        return f"{self.folder} / {self.name}"


@dataclass(frozen=True)
class Example:
    request: Request
    name: str
    status_code: int | None  # None where the collection leaves it out
    content_type: str | None
    raw_response_body: str | None
    response_body: Any  # decoded JSON, or None when there is no body
    request_body: Any  # JSON (decoded), form fields (dict) or None
    request_body_mode: str | None  # "raw", "formdata" or None
    query: dict[str, str | None] = field(default_factory=dict)

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def request_name(self) -> str:
        return self.request.name

    @property
    def id(self) -> str:
        """A readable, unique test id."""
        return f"{self.request.title} / {self.name}"


@cache
def load() -> dict[str, Any]:
    return json.loads(COLLECTION_PATH.read_text(encoding="utf-8"))


def requests() -> list[Request]:
    return [request for request, _ in _walk()]


def examples() -> list[Example]:
    return [
        _example(request, item, raw)
        for request, item in _walk()
        for raw in item.get("response", [])
    ]


def webhook_payload_examples() -> dict[str, Any]:
    """The webhook delivery bodies documented in "Create Webhook", by event name.

    The documentation's JSON has typos (a missing comma, trailing commas) that
    are repaired here; a real delivery is valid JSON.
    """
    (create,) = [r for r in requests() if r.endpoint == ("POST", "/webhooks/")]
    payloads: dict[str, Any] = {}
    pattern = (
        r"For <code>(\w+)</code>(?: and <code>(\w+)</code>)? event type.*?<code[^>]*>(.*?)</code>"
    )
    for first, second, snippet in re.findall(pattern, create.description, flags=re.S):
        body = json.loads(_repair_json(html.unescape(snippet)))
        for event in filter(None, (first, second)):
            payloads[event] = body
    return payloads


def _walk() -> list[tuple[Request, dict[str, Any]]]:
    found: list[tuple[Request, dict[str, Any]]] = []

    def walk(items: list[dict[str, Any]], folder: str) -> None:
        for item in items:
            if "item" in item:
                walk(item["item"], item["name"])
            else:
                found.append((_request(item, folder), item))

    walk(load()["item"], "")
    return found


def _request(item: dict[str, Any], folder: str) -> Request:
    raw = item["request"]
    description = raw.get("description") or ""
    return Request(
        folder=folder,
        name=item["name"],
        method=raw["method"],
        path=_path(_raw_url(raw["url"])),
        description=description,
        query_params=_documented_query_params(description),
    )


def _example(request: Request, item: dict[str, Any], raw: dict[str, Any]) -> Example:
    original = raw.get("originalRequest") or {}
    # the example's own request body, else the request's (most examples carry their own)
    body_spec = original.get("body") or {}
    if not _body_content(body_spec):
        body_spec = item["request"].get("body") or {}
    headers = {h["key"].lower(): h["value"] for h in raw.get("header") or []}
    text = raw.get("body")
    return Example(
        request=request,
        name=raw["name"],
        status_code=raw.get("code"),
        content_type=headers.get("content-type"),
        raw_response_body=text,
        response_body=json.loads(text) if text else None,
        request_body=_decode_body(body_spec),
        request_body_mode=body_spec.get("mode") if _body_content(body_spec) else None,
        query=_query(original.get("url")),
    )


def _raw_url(url: Any) -> str:
    return url if isinstance(url, str) else url.get("raw", "")


def _path(url: str) -> str:
    """ "{{base_url}}/api/integrations/v2/departments/<key>/?x" -> "/departments/{key}/"."""
    path = urlsplit(url.replace("{{base_url}}", "https://base")).path
    path = re.sub(r"^/api/integrations/v2", "", path)
    for placeholder, name in _PLACEHOLDERS.items():
        path = path.replace(placeholder, name)
    return path


def _query(url: Any) -> dict[str, str | None]:
    if isinstance(url, dict) and url.get("query") is not None:
        return {
            q["key"]: q.get("value") for q in url["query"] if q.get("key") and not q.get("disabled")
        }
    query = urlsplit(_raw_url(url)).query
    return {k: v or None for k, v in parse_qsl(query, keep_blank_values=True)}


def _body_content(spec: dict[str, Any]) -> bool:
    mode = spec.get("mode")
    return bool(mode and spec.get(mode))


def _decode_body(spec: dict[str, Any]) -> Any:
    if not _body_content(spec):
        return None
    if spec["mode"] == "formdata":
        return {f["key"]: f.get("value") for f in spec["formdata"] if not f.get("disabled")}
    if spec["mode"] == "raw":
        return json.loads(spec["raw"])
    raise ValueError(f"unexpected body mode {spec['mode']!r}")


def _documented_query_params(description: str) -> dict[str, tuple[str, ...]]:
    match = re.search(r"Query Params</h4>(.*?)</table>", description, flags=re.S)
    if not match:
        return {}
    params: dict[str, tuple[str, ...]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), flags=re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
        if cells:
            values = re.split(r"<br\s*/?>|,|/", html.unescape(cells[-1]))
            cleaned = (re.sub(r"\(default\)", "", v).strip() for v in values)
            params[cells[0].strip()] = tuple(v for v in cleaned if v)
    return params


def _repair_json(text: str) -> str:
    text = re.sub(r",(\s*[}\]])", r"\1", text)  # trailing commas
    # a missing comma between a value and the next key (after "summary" in the docs)
    return re.sub(r'("|\d|true|false|null|[}\]])(\s*\n\s*")', r"\1,\2", text)
