"""Sample answer media served by the sandbox itself, with byte ranges so browsers can seek.

Like Willo's pre-signed media links, these URLs need no API key.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

MEDIA_DIR = Path(__file__).resolve().parent / "media"
CONTENT_TYPES = {
    "mp4": "video/mp4",
    "webm": "video/webm",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "pdf": "application/pdf",
    "png": "image/png",
}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


@cache
def read_sample(name: str) -> bytes:
    return (MEDIA_DIR / name).read_bytes()


def _serve(request: HttpRequest, name: str, extension: str) -> HttpResponse:
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None or not (MEDIA_DIR / name).is_file():
        raise Http404("No such sample media.")
    data = read_sample(name)
    size = len(data)
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:
            start, end = max(0, size - int(last)), size - 1
        if start > end or start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = HttpResponse(data[start : end + 1], status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = HttpResponse(data, content_type=content_type)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def answer_media(request: HttpRequest, key: str, extension: str) -> HttpResponse:
    return _serve(request, f"sample.{extension}", extension)


@require_GET
def image(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    name = "avatar.png" if kind in ("avatars", "logos") else "idv_document.png"
    return _serve(request, name, "png")
