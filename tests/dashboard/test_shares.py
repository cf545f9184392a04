"""Share links: a recruiter shares chosen candidates with a hiring manager, who reviews them
through a link without an account; the link is shown once, ends when revoked or expired,
reaches only its own candidates, and the verdicts come back to the job and the timeline."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.models import Share, SharedCandidate, ShareVerdict, ShareView
from tests.dashboard.test_interviews_views import answers, job_url, make_job, seed_job
from tests.dashboard.test_participants_views import candidate_url
from willo_integration.models import CachedParticipant
from willo_integration.services.data_protection import candidate_erase
from willo_integration.services.scope import Scope
from willo_integration.services.shares import share_create, token_digest

pytestmark = pytest.mark.django_db

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40  # 10,252 bytes


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


def make_share(world, job, keys=("p-ann", "p-ben"), **options):
    made = share_create(
        scope=Scope(team=world.team_a),
        interview=job,
        participant_keys=list(keys),
        recipient_name="Hana Manager",
        recipient_email="hana@example.com",
        days=options.pop("days", 14),
        creator=world.rita,
        **options,
    )
    return made.share, made.token


def page(token, key=None, name="share:page", **extra):
    kwargs = {"token": token, **({"participant_key": key} if key else {}), **extra}
    name = name if key is None or name != "share:page" else "share:candidate"
    return reverse(name, kwargs=kwargs)


def media_url(token, key="p-ann", answer="p-ann-a1"):
    return reverse(
        "share:media", kwargs={"token": token, "participant_key": key, "answer_key": answer}
    )


# --- Making a share -----------------------------------------------------------------------


def new_url(job, *keys):
    return job_url(job, "dashboard:share_new") + "?" + "&".join(f"c={k}" for k in keys)


def form(keys=("p-ann", "p-ben"), **fields):
    return {
        "c": ["p-ann", "p-ben"],  # the candidates chosen, kept by the form
        "keys": list(keys),
        "recipient_name": "Hana Manager",
        "recipient_email": "hana@example.com",
        "days": "14",
        **fields,
    }


def test_the_form_lists_the_chosen_candidates_ticked_with_a_14_day_default(client, world, job):
    client.force_login(world.rita)

    response = client.get(new_url(job, "p-ann", "p-dan", "p-nobody"))

    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'value="p-ann"[^>]*checked', body)
    assert "Ann Archer" in body
    assert "Dan Dale" in body
    assert "p-nobody" not in body  # not a candidate of this job: not offered
    assert 'name="days" value="14"' in body
    assert "None of it reaches Willo or the candidates." in body


def test_making_a_share_stores_only_the_tokens_hash_and_shows_the_link_once(client, world, job):
    client.force_login(world.rita)

    response = client.post(job_url(job, "dashboard:share_new"), form(show_contact_details="on"))

    share = Share.objects.get()
    link_page = reverse(
        "dashboard:share_link", kwargs={"slug": "acme-hiring", "share_id": share.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == link_page
    shown = client.get(link_page).content.decode()
    token = re.search(r"/share/([\w-]+)/", shown).group(1)
    assert len(token) >= 22  # at least 128 bits of URL-safe base64
    assert share.token_hash == token_digest(token)
    stored = " ".join(str(v) for v in Share.objects.values().get().values())
    assert token not in stored  # only its hash is kept
    assert list(share.candidates.values_list("participant_key", flat=True)) == ["p-ann", "p-ben"]
    assert (share.recipient_email, share.days, share.show_contact_details, share.blind) == (
        "hana@example.com", 14, True, False,
    )  # fmt: skip
    assert share.expires_at - share.created_at == pytest.approx(
        timedelta(days=14), abs=timedelta(seconds=5)
    )

    again = client.get(link_page).content.decode()
    assert token not in again
    assert "The link was shown once" in again


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"recipient_email": "not-an-email"}, "Enter an email address, like ana@example.com."),
        ({"days": "0"}, "The link can last from 1 to 90 days."),
        ({"days": "91"}, "The link can last from 1 to 90 days."),
        ({"recipient_name": ""}, "This field is required."),
        ({"keys": []}, "Choose at least one candidate to share."),
    ],
)
def test_a_bad_share_is_a_form_error_and_nothing_is_stored(client, world, job, fields, error):
    client.force_login(world.rita)

    response = client.post(job_url(job, "dashboard:share_new"), form(**fields))

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Share.objects.exists()


def test_viewers_may_not_share_and_another_teams_job_is_not_found(client, world, job):
    client.force_login(world.victor)
    assert client.get(new_url(job, "p-ann")).status_code == 403
    assert client.post(job_url(job, "dashboard:share_new"), form()).status_code == 403
    client.force_login(world.bob)
    assert client.get(new_url(job, "p-ann")).status_code == 404
    assert not Share.objects.exists()


def test_the_job_table_and_compare_offer_sharing(client, world, job):
    client.force_login(world.rita)

    table = client.get(job_url(job)).content.decode()
    compared = client.get(
        job_url(job, "dashboard:interview_compare") + "?c=p-ann&c=p-ben"
    ).content.decode()

    assert "data-share" in table
    assert "Share with a hiring manager" in table
    assert 'href="/teams/acme-hiring/jobs/job-1/shares/new/?c=p-ann&amp;c=p-ben"' in compared
    assert "Not shared yet." in table


# --- The hiring manager's pages -----------------------------------------------------------


def test_the_shared_pages_need_no_login_and_send_the_share_headers(client, world, job):
    _share, token = make_share(world, job)

    for url in (page(token), page(token, "p-ann")):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "no-referrer"
        policy = response["Content-Security-Policy"]
        assert "media-src 'self'" in policy
        assert "https:" not in policy
        assert "frame-ancestors 'none'" in policy


def test_the_shortlist_and_a_candidate_show_answers_transcripts_and_summary_only(
    client, world, job
):
    _share, token = make_share(world, job)

    shortlist = client.get(page(token)).content.decode()
    candidate = client.get(page(token, "p-ann")).content.decode()

    assert "2 candidates for Barista" in shortlist
    assert "Ann Archer" in shortlist
    assert "Ben Baker" in shortlist
    assert "Cat Cole" not in shortlist  # not shared
    assert "Ann Archer is a strong communicator." in candidate  # the AI summary
    assert "I love building teams." in candidate  # the transcript
    assert "Because it is great." in candidate
    assert f'src="{media_url(token)}"' in candidate
    assert f'href="{media_url(token, answer="p-ann-a4")}"' in candidate  # the CV, through us
    assert 'data-speed="1.5"' in candidate
    for hidden in (
        "p-ann@example.com", "+447700900123", "Leeds", "C-p-ann",  # contact details, custom ID
        "media.example", "willo.example",  # Willo's links and media
        "W7K-2XP-9QD", "Prove who you are",  # the identity check
        "8.5", "Completed", "/teams/",  # the score, the status, the team's pages
    ):  # fmt: skip
        assert hidden not in candidate, hidden
        assert hidden not in shortlist, hidden
    assert "Next: Ben Baker" in candidate


def test_contact_details_show_only_when_the_recruiter_allowed_them(client, world, job):
    _share, token = make_share(world, job, show_contact_details=True)

    candidate = client.get(page(token, "p-ann")).content.decode()

    assert "p-ann@example.com" in candidate
    assert "+447700900123" in candidate
    assert "media.example" not in candidate


def test_a_blind_share_shows_candidates_by_number_without_their_names(client, world, job):
    _share, token = make_share(world, job, blind=True, show_contact_details=True)

    shortlist = client.get(page(token)).content.decode()
    candidate = client.get(page(token, "p-ann")).content.decode()

    for words in ("Ann", "Archer", "Ben Baker", "p-ann@example.com", "Leeds"):
        assert words not in shortlist
        assert words not in candidate
    assert re.search(r"Candidate \d+", shortlist)
    assert "[name] is a strong communicator." in candidate


def test_every_view_is_logged_with_time_address_and_user_agent(client, world, job):
    share, token = make_share(world, job)

    client.get(page(token), HTTP_USER_AGENT="Hana's browser")
    client.get(page(token, "p-ben"), HTTP_USER_AGENT="Hana's browser")

    views = list(ShareView.objects.filter(share=share).order_by("pk"))
    assert [(v.participant_key, v.ip_address, v.user_agent) for v in views] == [
        ("", "127.0.0.1", "Hana's browser"),
        ("p-ben", "127.0.0.1", "Hana's browser"),
    ]


# --- Verdicts -------------------------------------------------------------------------------


def test_a_verdict_is_saved_and_reaches_the_job_table_and_the_timeline(client, world, job):
    share, token = make_share(world, job)

    response = client.post(
        page(token, "p-ann", name="share:verdict"), {"verdict": "yes", "comment": "Warm, clear."}
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?saved=1#verdict")
    assert "Saved: Yes." in client.get(response["Location"]).content.decode()
    verdict = ShareVerdict.objects.get()
    assert (verdict.share, verdict.participant_key, verdict.verdict, verdict.comment) == (
        share, "p-ann", "yes", "Warm, clear.",
    )  # fmt: skip
    client.force_login(world.rita)
    table = client.get(job_url(job)).content.decode()
    assert "Hiring managers</th>" in table
    row = table[table.index('id="row-p-ann"') :]
    assert re.search(r"verdict--yes\">Yes</span> <span class=\"meta\">Hana Manager", row)
    timeline = client.get(candidate_url(world, "p-ann")).content.decode()
    assert "Hana Manager (hiring manager, through a share link) said Yes" in timeline
    assert "Warm, clear." in timeline
    listed = client.get(job_url(job)).context["shares"]
    assert listed[0].verdicts == {"Yes": 1}


def test_a_verdict_can_be_changed_and_htmx_gets_the_panel_back(client, world, job):
    _share, token = make_share(world, job)
    url = page(token, "p-ann", name="share:verdict")
    client.post(url, {"verdict": "maybe"})

    response = client.post(url, {"verdict": "no", "comment": "Not now."}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="verdict"')
    assert "Saved: No." in response.content.decode()
    assert list(ShareVerdict.objects.values_list("verdict", "comment")) == [("no", "Not now.")]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"verdict": "strong_yes"}, "Choose Yes, Maybe or No."),
        ({"verdict": ""}, "Choose Yes, Maybe or No."),
        ({"verdict": "yes", "comment": "x" * 2001}, "A comment can be at most 2,000 characters"),
    ],
)
def test_a_bad_verdict_says_what_is_wrong_and_stores_nothing(client, world, job, data, error):
    _share, token = make_share(world, job)

    response = client.post(page(token, "p-ann", name="share:verdict"), data)

    assert response.status_code == 422
    assert error in response.content.decode()
    assert not ShareVerdict.objects.exists()


def test_a_verdict_on_an_expired_share_is_refused_and_nothing_is_stored(client, world, job):
    share, token = make_share(world, job)
    Share.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(page(token, "p-ann", name="share:verdict"), {"verdict": "yes"})

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert not ShareVerdict.objects.exists()
    assert client.get(page(token)).status_code == 410


# --- Control: revoke, new link, the job's list ----------------------------------------------


def test_revoking_ends_the_link_at_once_with_a_plain_410(client, world, job, willo_transport):
    share, token = make_share(world, job)
    willo_transport(lambda request: httpx.Response(200, content=VIDEO))
    client.force_login(world.rita)
    revoke = reverse("dashboard:share_revoke", kwargs={"slug": "acme-hiring", "share_id": share.pk})

    response = client.post(revoke)

    assert response.status_code == 302
    assert response["Location"].endswith("#shares")
    client.logout()
    for url in (page(token), page(token, "p-ann"), media_url(token)):
        gone = client.get(url)
        assert gone.status_code == 410
        assert gone["X-Robots-Tag"] == "noindex, nofollow"
    assert "This link was withdrawn" in client.get(page(token)).content.decode()
    assert (
        client.post(page(token, "p-ann", name="share:verdict"), {"verdict": "yes"}).status_code
        == 410
    )
    assert not ShareVerdict.objects.exists()


def test_a_new_link_replaces_the_old_one_and_reopens_a_revoked_share(client, world, job):
    share, old = make_share(world, job)
    client.force_login(world.rita)
    kwargs = {"slug": "acme-hiring", "share_id": share.pk}
    client.post(reverse("dashboard:share_revoke", kwargs=kwargs))

    response = client.post(reverse("dashboard:share_renew", kwargs=kwargs))

    shown = client.get(response["Location"]).content.decode()
    new = re.search(r"/share/([\w-]+)/", shown).group(1)
    assert new != old
    client.logout()
    assert client.get(page(old)).status_code == 404
    assert client.get(page(new)).status_code == 200
    client.force_login(world.rita)
    listed = client.get(job_url(job)).content.decode()
    assert "new link" in listed[listed.index('id="shares"') :]
    assert "by rita" in listed[listed.index("new link") :]


def test_the_job_page_lists_its_shares_with_views_and_verdicts(client, world, job):
    _share, token = make_share(world, job)
    client.get(page(token))
    client.post(page(token, "p-ben", name="share:verdict"), {"verdict": "maybe"})
    client.force_login(world.rita)

    body = client.get(job_url(job)).content.decode()

    section = body[body.index('id="shares"') :]
    assert "Hana Manager" in section
    assert "hana@example.com" in section
    assert "Active" in section
    assert "Maybe 1" in section
    assert [s.views for s in client.get(job_url(job)).context["shares"]] == [1]
    client.force_login(world.victor)
    assert 'id="shares"' not in client.get(job_url(job)).content.decode()  # viewers


def test_a_recruiter_of_another_team_cannot_revoke_or_renew(client, world, job):
    share, token = make_share(world, job)
    client.force_login(world.bob)
    for name in ("dashboard:share_revoke", "dashboard:share_renew"):
        url = reverse(name, kwargs={"slug": "bravo-talent", "share_id": share.pk})
        assert client.post(url).status_code == 404
    assert (
        client.get(
            reverse("dashboard:share_link", kwargs={"slug": "bravo-talent", "share_id": share.pk})
        ).status_code
        == 404
    )
    client.logout()
    assert client.get(page(token)).status_code == 200


# --- What a share can reach -------------------------------------------------------------------


def test_a_share_reaches_only_its_own_candidates_and_answers(client, world, job, willo_transport):
    _share, token = make_share(world, job, keys=["p-ann"])
    other = make_job(world.team_b, key="job-b")
    CachedParticipant.objects.create(
        team=world.team_b, scope="", key="p-zed", interview=other, interview_key="job-b",
        name="Zed Zulu", detail={"key": "p-zed", "answers": answers("p-zed")},
        fetched_at=timezone.now(), detail_fetched_at=timezone.now(), source="read",
    )  # fmt: skip
    willo_transport(lambda request: httpx.Response(200, content=VIDEO))

    for key in ("p-ben", "p-zed"):  # this job's, not shared; another team's
        assert client.get(page(token, key)).status_code == 404
        assert client.get(media_url(token, key, f"{key}-a1")).status_code == 404
        response = client.post(page(token, key, name="share:verdict"), {"verdict": "yes"})
        assert response.status_code == 404
    assert client.get(media_url(token, "p-ann", "p-ben-a1")).status_code == 404
    assert client.get(media_url(token, "p-ann", "p-ann-a7")).status_code == 404  # identity
    assert client.get(media_url(token, "p-ann", "p-ann-a2")).status_code == 404  # text
    assert not ShareVerdict.objects.exists()


def test_an_erased_candidate_drops_out_of_the_share_with_their_verdict_and_views(
    client, world, job
):
    share, token = make_share(world, job)
    client.get(page(token, "p-ann"))
    client.post(page(token, "p-ann", name="share:verdict"), {"verdict": "yes"})

    erased = candidate_erase(keys=["p-ann"])

    assert erased.shared == 3  # on the shortlist, the verdict, the view of their page
    assert "3 share link record(s)" in erased.summary()
    assert list(SharedCandidate.objects.values_list("participant_key", flat=True)) == ["p-ben"]
    assert not ShareVerdict.objects.exists()
    assert list(ShareView.objects.values_list("participant_key", flat=True)) == []
    shortlist = client.get(page(token)).content.decode()
    assert "Ann Archer" not in shortlist
    assert "1 candidate for Barista" in shortlist
    assert client.get(page(token, "p-ann")).status_code == 404
    assert Share.objects.filter(pk=share.pk).exists()


def test_guessing_tokens_is_limited_per_address(client, world, job, settings):
    settings.SHARE_GUESSES_PER_MINUTE = 3
    _share, token = make_share(world, job)

    answers_ = [client.get(page(f"guess-{n}")).status_code for n in range(3)]

    assert answers_ == [404, 404, 404]
    limited = client.get(page(token))  # even a right one waits now
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "Please wait a minute" in limited.content.decode()
    other = client.get(page(token), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(st.characters(codec="utf-8", exclude_characters="/"), min_size=1, max_size=80))
def test_any_token_is_a_plain_404_never_a_500(client, db, token):
    cache.clear()  # the guess limit is not what this checks
    response = client.get(f"/share/{quote(token)}/")
    assert response.status_code == 404


# --- Media ------------------------------------------------------------------------------------


class Storage:
    """Willo's media storage and its API: a link that answers 403 until the candidate has
    been read again (``expired``), byte ranges served."""

    def __init__(self, *, expired: bool = False) -> None:
        self.expired = expired
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if "/participants/p-ann/" in path:
            fresh = answers("p-ann")
            fresh[0]["remote_link"] = "https://media.example/fresh/p-ann.mp4"
            return httpx.Response(
                200, json={"key": "p-ann", "name": "Ann Archer", "answers": fresh}
            )
        if request.url.host != "media.example":
            return httpx.Response(404, json={"detail": "Not found."})
        if self.expired and "/fresh/" not in path:
            return httpx.Response(403, content=b"<Error>Request has expired</Error>")
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", request.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else len(VIDEO) - 1
            return httpx.Response(
                206,
                content=VIDEO[start : end + 1],
                headers={
                    "Content-Type": "video/mp4",
                    "Content-Range": f"bytes {start}-{end}/{len(VIDEO)}",
                    "Accept-Ranges": "bytes",
                    "X-Amz-Request-Id": "not relayed",
                },
            )
        return httpx.Response(200, content=VIDEO, headers={"Content-Type": "video/mp4"})

    def reads(self) -> int:
        return sum(1 for r in self.requests if "/participants/" in r.url.path)


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def test_media_is_streamed_with_byte_ranges_and_checked_against_the_share(
    client, world, job, willo_transport
):
    storage = Storage()
    willo_transport(storage)
    _share, token = make_share(world, job)

    whole = client.get(media_url(token))
    part = client.get(media_url(token), HTTP_RANGE="bytes=100-199")

    assert whole.status_code == 200
    assert streamed(whole) == VIDEO
    assert part.status_code == 206
    assert streamed(part) == VIDEO[100:200]
    assert part["Content-Range"] == f"bytes 100-199/{len(VIDEO)}"
    assert part["Content-Type"] == "video/mp4"
    assert "X-Amz-Request-Id" not in part
    assert part["Referrer-Policy"] == "no-referrer"
    assert storage.requests[-1].headers["Range"] == "bytes=100-199"
    assert "Authorization" not in storage.requests[-1].headers  # no API key to the storage
    assert storage.reads() == 0


def test_a_failing_media_link_reads_the_candidate_again_once(client, world, job, willo_transport):
    storage = Storage(expired=True)
    willo_transport(storage)
    _share, token = make_share(world, job)

    response = client.get(media_url(token), HTTP_RANGE="bytes=0-9")

    assert response.status_code == 206
    assert streamed(response) == VIDEO[:10]
    assert storage.reads() == 1
    stored = CachedParticipant.objects.get(key="p-ann").participant()
    assert stored.answers[0].remote_link == "https://media.example/fresh/p-ann.mp4"


def test_media_that_fails_again_after_the_reread_is_a_clear_502(
    client, world, job, willo_transport
):
    storage = Storage(expired=True)

    def nothing_fresh(request):
        if "/participants/" in request.url.path:
            return httpx.Response(200, json={"key": "p-ann", "answers": answers("p-ann")})
        return storage(request)

    willo_transport(nothing_fresh)
    _share, token = make_share(world, job)

    response = client.get(media_url(token))

    assert response.status_code == 502
    assert "cannot be fetched from Willo right now" in response.content.decode()


def test_the_shares_rereads_are_counted_per_share(client, world, job, willo_transport, settings):
    settings.WILLO_MEMBER_REFRESHES_PER_MINUTE = 1
    settings.WILLO_REFRESH_COALESCE_SECONDS = 0
    willo_transport(Storage(expired=True))
    _share, token = make_share(world, job)
    CachedParticipant.objects.filter(key="p-ann").update(
        detail={"key": "p-ann", "answers": answers("p-ann")}
    )

    first = client.get(media_url(token))
    CachedParticipant.objects.filter(key="p-ann").update(
        detail={"key": "p-ann", "answers": answers("p-ann")}
    )
    second = client.get(media_url(token))

    assert first.status_code == 200
    assert second.status_code == 429
    assert "asked Willo for fresh answers 1 times" in second.content.decode()
    _other, other_token = make_share(world, job)
    assert client.get(media_url(other_token)).status_code == 200  # its own count


def test_a_media_link_that_answers_a_web_page_is_passed_on_as_bytes_only(
    client, world, job, willo_transport
):
    page_html = b"<html><body>Sign in to continue</body></html>"
    willo_transport(
        lambda request: httpx.Response(
            200, content=page_html, headers={"Content-Type": "text/html"}
        )
    )
    _share, token = make_share(world, job)

    response = client.get(media_url(token))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_answers_never_fetched_are_read_from_willo_once_for_the_manager(
    client, world, job, willo_transport
):
    storage = Storage()
    willo_transport(storage)
    CachedParticipant.objects.filter(key="p-ann").update(detail=None, detail_fetched_at=None)
    _share, token = make_share(world, job)

    first = client.get(page(token, "p-ann")).content.decode()
    again = client.get(page(token, "p-ann")).content.decode()

    assert "I love building teams." in first
    assert "I love building teams." in again
    assert storage.reads() == 1


def test_answers_willo_cannot_give_say_so_plainly(client, world, job, willo_transport):
    willo_transport(lambda request: httpx.Response(503, json={"detail": "Down."}))
    CachedParticipant.objects.filter(key="p-ann").update(detail=None, detail_fetched_at=None)
    _share, token = make_share(world, job)

    response = client.get(page(token, "p-ann"))

    assert response.status_code == 200
    assert "could not be fetched from Willo just now" in response.content.decode()


def test_staff_see_shares_their_verdicts_and_views_in_the_admin_without_the_hash(
    client, world, job
):
    share, token = make_share(world, job)
    client.get(page(token, "p-ann"), HTTP_USER_AGENT="Hana's browser")
    client.post(page(token, "p-ann", name="share:verdict"), {"verdict": "no"})
    client.force_login(world.staff)

    listed = client.get(reverse("admin:dashboard_share_changelist"))
    shown = client.get(reverse("admin:dashboard_share_change", args=[share.pk]))

    assert listed.status_code == 200
    assert "Hana Manager" in listed.content.decode()
    body = shown.content.decode()
    assert "Hana&#x27;s browser" in body
    assert "No" in body
    assert share.token_hash not in body
