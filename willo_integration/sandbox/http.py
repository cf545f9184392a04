"""Errors, JSON responses and request-body parsing shared by every sandbox view."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError

API_PREFIX = "/api/integrations/v2"


class ApiError(Exception):
    """Raised anywhere in a view; becomes a JSON error response with DRF's shapes."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}


class ValidationFailed(ApiError):
    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(400, errors)


def not_found() -> ApiError:
    return ApiError(404, {"detail": "Not found."})


def forbidden(detail: str = "You do not have permission to perform this action.") -> ApiError:
    return ApiError(403, {"detail": detail})


def json_response(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def no_content() -> HttpResponse:
    return HttpResponse(status=204)


def error_response(error: ApiError) -> HttpResponse:
    response = json_response(error.body, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def base_url(request: HttpRequest) -> str:
    """The API root as the caller reached it, e.g. http://127.0.0.1:8001/api/integrations/v2."""
    return f"{request.scheme}://{request.get_host()}{API_PREFIX}"


def parse_body(request: HttpRequest) -> dict[str, Any]:
    """A JSON object, or a form (multipart or urlencoded) flattened to a dict of strings."""
    content_type = request.content_type or ""
    if content_type == "application/json" or (not content_type and request.body[:1] in b"{["):
        if not request.body:
            return {}
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, {"detail": f"JSON parse error - {exc}"}) from exc
        if not isinstance(data, dict):
            raise ValidationFailed(
                {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
            )
        return data
    if content_type == "multipart/form-data":
        if request.method == "POST":
            form, files = request.POST, request.FILES
        else:
            try:
                form, files = MultiPartParser(
                    request.META, request, request.upload_handlers, request.encoding
                ).parse()
            except MultiPartParserError as exc:
                raise ApiError(400, {"detail": f"Multipart form parse error - {exc}"}) from exc
        data: dict[str, Any] = {key: form.get(key) for key in form}
        for key in files:
            data[key] = files[key]
        return data
    if content_type == "application/x-www-form-urlencoded":
        form = request.POST if request.method == "POST" else QueryDict(request.body)
        return {key: form.get(key) for key in form}
    if not request.body:
        return {}
    raise ApiError(415, {"detail": f'Unsupported media type "{content_type}" in request.'})
