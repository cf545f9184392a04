"""The hiring manager's side of a share link, at ``/share/<token>/``, without an account:
the shortlist, one candidate at a time, their verdict, and the answers' media.

Every response says ``X-Robots-Tag: noindex`` and ``Referrer-Policy: no-referrer`` and
carries the strict CSP with media and images from this site only. An unknown token is
a 404 counted against the address (guessing is limited per address); an expired or
revoked share is a 410 with a plain page.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import get_usage

from dashboard.client_ip import client_ip_address
from dashboard.presenters.shares import share_page_context, shared_candidate_view, shortlist
from dashboard.views.limits import share_budget
from dashboard.views.scoping import wants_partial
from willo_integration.services.reads import ReadLimitReached
from willo_integration.services.share_media import MediaUnavailable, share_media_open
from willo_integration.services.shares import (
    ShareGone,
    ShareNotFound,
    ShareRejected,
    share_open,
    share_verdict_give,
    share_verdicts,
    share_view_record,
    shared_candidate_answers,
    shared_candidates,
)

logger = logging.getLogger("dashboard.shares")

GUESSES_GROUP = "share-guesses"
HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
}
STRICT_CSP = {"img-src": [SELF], "media-src": [SELF]}


def _address(_group: str, request: HttpRequest) -> str:
    return client_ip_address(request) or "unknown"


def _guesses(request: HttpRequest, *, increment: bool) -> dict | None:
    rate = f"{settings.SHARE_GUESSES_PER_MINUTE}/m"
    return get_usage(request, group=GUESSES_GROUP, key=_address, rate=rate, increment=increment)


def shared(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Open the share the URL's token names for ``view(request, token, share, ...)``; answer
    what cannot be opened (404, 410, 429) with a plain page, and add the share headers."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        usage = _guesses(request, increment=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            logger.warning("share links guessed too often from %s", _address("", request))
            response = render(request, "share/limited.html", status=429)
            response["Retry-After"] = str(max(usage["time_left"], 1))
        else:
            response = _answered(view, request, token, *args, **kwargs)
        for name, value in HEADERS.items():
            response[name] = value
        return response

    return csp_replace(STRICT_CSP)(wrapped)


def _answered(view, request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
    try:
        return view(request, token, share_open(token), *args, **kwargs)
    except ShareNotFound:
        _guesses(request, increment=True)
        logger.info("share link not found: %s %s", request.method, request.path[:40])
        return render(request, "share/not_found.html", status=404)
    except ShareGone as gone:
        logger.info("share %s is %s: %s refused", gone.share.pk, gone.state, request.method)
        return render(request, "share/gone.html", {"state": gone.state}, status=410)
    except ReadLimitReached as limit:
        response = render(request, "share/limited.html", {"limit": limit}, status=429)
        response["Retry-After"] = str(limit.retry_after)
        return response


def _record_view(request: HttpRequest, share, participant_key: str = "") -> None:
    share_view_record(
        share=share,
        participant_key=participant_key,
        ip_address=client_ip_address(request),
        user_agent=request.headers.get("User-Agent", ""),
    )


@require_GET
@shared
def share_page(request: HttpRequest, token: str, share) -> HttpResponse:
    """The shortlist: each candidate, and the verdict given so far."""
    rows = shared_candidates(share)
    _record_view(request, share)
    candidates = shortlist(token, share, rows, share_verdicts(share))
    return render(request, "share/shortlist.html", share_page_context(token, share, candidates))


@require_GET
@shared
def share_candidate(request: HttpRequest, token: str, share, participant_key: str) -> HttpResponse:
    """One candidate of the share: answers, transcripts, summary and the verdict form."""
    return _candidate_page(request, token, share, participant_key)


def _candidate_page(
    request: HttpRequest, token: str, share, participant_key: str, *, problem: str = "",
    draft: dict | None = None, saved: bool = False, status: int = 200,
) -> HttpResponse:  # fmt: skip
    rows = shared_candidates(share)
    candidates = shortlist(token, share, rows, share_verdicts(share))
    entry = next((c for c in candidates if c.key == participant_key), None)
    if entry is None:
        raise ShareNotFound("No such candidate in this share.")
    row = next(r for r in rows if r.key == participant_key)
    row = shared_candidate_answers(share, row, budget=share_budget(request, share.pk))
    if request.method == "GET":
        _record_view(request, share, participant_key)
    context = share_page_context(token, share, candidates) | {
        "candidate": shared_candidate_view(token, share, entry, row),
        "previous": candidates[entry.position - 2] if entry.position > 1 else None,
        "next": candidates[entry.position] if entry.position < len(candidates) else None,
        "problem": problem,
        "form_values": draft or _given(entry.verdict),
        "saved": entry.verdict is not None and (saved or request.GET.get("saved") == "1"),
        "verdict_url": reverse(
            "share:verdict", kwargs={"token": token, "participant_key": participant_key}
        ),
    }
    template = "share/candidate.html"
    if wants_partial(request):
        template += "#verdict"
    return render(request, template, context, status=status)


def _given(verdict) -> dict:
    if verdict is None:
        return {"verdict": "", "comment": ""}
    return {"verdict": verdict.verdict, "comment": verdict.comment}


@require_POST
@shared
def share_verdict(request: HttpRequest, token: str, share, participant_key: str) -> HttpResponse:
    """Save the manager's verdict; a clear message and nothing stored when it cannot be
    (the share expired or was revoked since the page was opened: 410)."""
    verdict = request.POST.get("verdict", "")
    comment = request.POST.get("comment", "")
    try:
        share_verdict_give(
            token=token, participant_key=participant_key, verdict=verdict, comment=comment
        )
    except ShareRejected as rejected:
        draft = {"verdict": verdict, "comment": comment}
        return _candidate_page(
            request, token, share, participant_key, problem=str(rejected), draft=draft, status=422
        )
    if wants_partial(request):
        return _candidate_page(request, token, share, participant_key, saved=True)
    url = reverse("share:candidate", kwargs={"token": token, "participant_key": participant_key})
    return redirect(f"{url}?saved=1#verdict")


@require_GET
@shared
def share_media(
    request: HttpRequest, token: str, share, participant_key: str, answer_key: str
) -> HttpResponse:
    """An answer's media, streamed from Willo's storage with the browser's byte range."""
    try:
        stream = share_media_open(
            share=share,
            participant_key=participant_key,
            answer_key=answer_key,
            byte_range=request.headers.get("Range", "")[:100],
            budget=share_budget(request, share.pk),
        )
    except MediaUnavailable as why:
        logger.info("share %s: media of %s unavailable: %s", share.pk, answer_key, why)
        return HttpResponse(
            "This answer's media cannot be fetched from Willo right now. "
            "Try again in a few minutes.",
            status=502,
            content_type="text/plain; charset=utf-8",
        )
    response = StreamingHttpResponse(stream.chunks, status=stream.status)
    for name, value in stream.headers.items():
        response[name] = value
    return response
