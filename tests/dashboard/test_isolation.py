"""Tenant isolation over the whole URL configuration, not a sample.

Every URL pattern is requested by a member of team A with team B's objects in
it, and must answer 404 (405 where the method is not allowed at all). Inside
team A, an agency, every scope is swept the same way: the agency's own
organisation and its two client organisations never serve each other's objects.
A new pattern whose keyword argument the registry below does not know fails the
sweep, so later work cannot forget to scope it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.dashboard.conftest import World

# Prefixes left out of the sweep, each with the reason it cannot leak a team.
ALLOW_LIST: dict[str, str] = {
    "admin/": "Django admin: staff only, its own permission checks; no recruiter reaches it.",
    "accounts/": "Django auth views (login, logout, password) and the member's own "
    "preferences (tests/dashboard/test_preferences.py): no team data.",
    "api/integrations/v2/": "The Willo sandbox: authenticated by sandbox API keys, not sessions.",
    "static/": "Static files: public by design.",
    "webhooks/": "Willo's deliveries: authenticated per endpoint by token, not by session "
    "(tests/willo_integration/services/test_webhooks.py).",
    "share/": "Share links: opened by their token, not by a session; swept below by "
    "test_a_share_never_reaches_another_scopes_candidates.",
}

# How to fill each URL keyword argument with a given team's object.
KWARG_REGISTRY: dict[str, Callable[[World, str], str]] = {
    "slug": lambda world, which: _team(world, which).slug,
    "team_slug": lambda world, which: _team(world, which).slug,
    "team": lambda world, which: _team(world, which).slug,
    "interview_key": lambda world, which: _cached_interview(world, which).key,
    "participant_key": lambda world, which: _cached_participant(world, which).key,
    "decision_id": lambda world, which: str(_decision(world, which).pk),
    "run_id": lambda world, which: str(_sync_run(world, which).pk),
    "share_id": lambda world, which: str(_share(world, which)[0].pk),
    "email_id": lambda world, which: str(_email(world, which).pk),
    "template_id": lambda world, which: str(_template(world, which).pk),
}


def _cached_interview(world: World, which: str):
    """A fresh cached job of the team, so its own pages need no Willo."""
    from django.utils import timezone

    from willo_integration.models import CachedInterview

    key = f"sweep-job-{which}"
    now = timezone.now()
    job, _ = CachedInterview.objects.get_or_create(
        team=_team(world, which),
        scope=CHILD_KEYS.get(which, ""),
        key=key,
        defaults={
            "title": f"Sweep job {which}",
            "detail": {"key": key, "title": f"Sweep job {which}", "questions": []},
            "detail_fetched_at": now,
            "participants_fetched_at": now,
            "source": "read",
            "fetched_at": now,
        },
    )
    return job


def _cached_participant(world: World, which: str):
    from django.utils import timezone

    from willo_integration.models import CachedParticipant

    job = _cached_interview(world, which)
    key = f"sweep-candidate-{which}"
    now = timezone.now()
    participant, _ = CachedParticipant.objects.get_or_create(
        team=job.team,
        scope=job.scope,
        key=key,
        defaults={
            "interview": job,
            "interview_key": job.key,
            "name": f"Sweep candidate {which}",
            "email": f"sweep-{which}@example.com",
            "status": "Completed",
            "detail": {"key": key, "name": f"Sweep candidate {which}", "answers": []},
            "detail_fetched_at": now,
            "source": "read",
            "fetched_at": now,
        },
    )
    return participant


def _decision(world: World, which: str):
    from dashboard.models import Decision

    participant = _cached_participant(world, which)
    decision, _ = Decision.objects.get_or_create(
        team=participant.team,
        scope=participant.scope,
        participant_key=participant.key,
        defaults={
            "participant_name": participant.name,
            "status": "Accepted",
            "state": Decision.State.FAILED,
            "last_error": "Sweep",
        },
    )
    return decision


def _sync_run(world: World, which: str):
    """A sync of the scope waiting for Willo: one a team admin may resume or cancel."""
    from willo_integration.models import SyncRun

    run, _ = SyncRun.objects.get_or_create(
        team=_team(world, which),
        scope=CHILD_KEYS.get(which, ""),
        defaults={"kind": SyncRun.Kind.FULL, "state": SyncRun.State.WAITING},
    )
    return run


def _share(world: World, which: str):
    """A share of the scope's sweep candidate, with a video answer, and its token."""
    from datetime import timedelta

    from django.utils import timezone

    from dashboard.models import Share, SharedCandidate
    from willo_integration.services.shares import token_digest

    participant = _cached_participant(world, which)
    if not participant.detail["answers"]:
        participant.detail["answers"] = [
            {
                "key": _answer_key(which),
                "question": {"key": "q-video", "text": "Hello", "answer_type": "video"},
                "status": "processed",
                "remote_link": f"https://media.example/sweep-{which}.mp4",
            }
        ]
        participant.save()
    token = f"sweep-share-token-{which}-0123456789abcdef"
    share, created = Share.objects.get_or_create(
        token_hash=token_digest(token),
        defaults={
            "team": participant.team,
            "scope": participant.scope,
            "interview_key": participant.interview_key,
            "recipient_name": "Sweep manager",
            "recipient_email": "manager@example.com",
            "expires_at": timezone.now() + timedelta(days=14),
        },
    )
    if created:
        SharedCandidate.objects.create(share=share, participant_key=participant.key, position=0)
    return share, token


def _answer_key(which: str) -> str:
    return f"sweep-answer-{which}"


def _email(world: World, which: str):
    """A rejection email queued to the scope's sweep candidate."""
    from dashboard.models import OutboundEmail

    participant = _cached_participant(world, which)
    email, _ = OutboundEmail.objects.get_or_create(
        team=participant.team,
        scope=participant.scope,
        participant_key=participant.key,
        interview_key=f"sweep-job-{which}",
        kind=OutboundEmail.Kind.REJECTION,
        defaults={
            "participant_name": participant.name,
            "to_email": f"sweep-{which}@example.com",
            "to_name": participant.name,
            "state": OutboundEmail.State.QUEUED,
            "template": _template(world, which),
        },
    )
    return email


def _template(world: World, which: str):
    """The scope's rejection template."""
    from dashboard.models import EmailTemplate

    template, _ = EmailTemplate.objects.get_or_create(
        team=_team(world, which),
        scope=CHILD_KEYS.get(which, ""),
        kind=EmailTemplate.Kind.REJECTION,
        name=f"Sweep {which}",
        defaults={"subject": "About {job_title}", "body": "Dear {candidate_first_name}"},
    )
    return template


def _team(world: World, which: str):
    """ "a" and "b" are the teams' own organisations; "c1" and "c2" team A's clients."""
    return world.team_b if which == "b" else world.team_a


CHILD_KEYS = {"c1": "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1", "c2": "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2"}


@pytest.fixture
def agency(world):
    """Team A becomes an agency with two client organisations, one relation each."""
    from django.utils import timezone

    from willo_integration.models import ChildOrganisation, ChildUserRelation
    from willo_integration.services.scope import relation_digest

    world.team_a.is_parent = True
    world.team_a.save()
    relations = {}
    for which, key in CHILD_KEYS.items():
        child = ChildOrganisation.objects.create(
            team=world.team_a, key=key, name=f"Client {which}", fetched_at=timezone.now()
        )
        agency_key = f"relation-key-of-{which}"
        ChildUserRelation.objects.create(
            child=child, key=agency_key, key_digest=relation_digest(agency_key), role="admin"
        )
        relations[which] = relation_digest(agency_key)
    return relations


def _work_in(client, world: World, agency: dict[str, str], which: str) -> None:
    """Put the browser session inside scope ``which`` of team A ("a": the agency itself)."""
    from dashboard.views.session import AGENCY_SCOPE_SESSION_KEY

    session = client.session
    choices = {}
    if which != "a":
        choices[world.team_a.slug] = {"child": CHILD_KEYS[which], "relation": agency[which]}
    session[AGENCY_SCOPE_SESSION_KEY] = choices
    session.save()


@dataclass(frozen=True)
class Route:
    path: str  # the full route, for messages and the allow-list
    name: str | None  # namespace-qualified
    kwargs: tuple[str, ...]


def _kwargs_of(pattern) -> tuple[str, ...]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters is not None and converters:
        return tuple(converters)
    return tuple(pattern.pattern.regex.groupindex)


def _walk(patterns, prefix: str = "", namespace: str = "", kwargs=()) -> Iterator[Route]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        here = kwargs + _kwargs_of(pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern.url_patterns, route, ns, here)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield Route(route, name, here)


def _routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def _swept_routes() -> list[Route]:
    return [r for r in _routes() if not any(r.path.lstrip("^").startswith(p) for p in ALLOW_LIST)]


def _url(route: Route, world: World, which: str) -> str:
    unknown = [k for k in route.kwargs if k not in KWARG_REGISTRY]
    assert not unknown, (
        f"URL pattern {route.path!r} takes {unknown}, which the isolation sweep cannot fill: "
        "add them to KWARG_REGISTRY in tests/dashboard/test_isolation.py"
    )
    assert route.name, (
        f"URL pattern {route.path!r} has no name; name it so the sweep can reverse it"
    )
    kwargs = {k: KWARG_REGISTRY[k](world, which) for k in route.kwargs}
    return reverse(route.name, kwargs=kwargs)


def _form_with(world: World, which: str) -> dict[str, str]:
    """A body naming the team's objects under every known name, for views that read the body."""
    return {k: fill(world, which) for k, fill in KWARG_REGISTRY.items()}


def test_it_sweeps_the_dashboard_urls():
    names = {r.name for r in _swept_routes()}

    assert {"dashboard:home", "dashboard:team_detail", "dashboard:team_switch"} <= names
    assert {"dashboard:participant_note_add", "dashboard:mentions"} <= names


def test_it_knows_every_url_keyword_argument():
    for route in _swept_routes():
        unknown = [k for k in route.kwargs if k not in KWARG_REGISTRY]
        assert not unknown, f"{route.path!r}: add {unknown} to KWARG_REGISTRY"
        assert route.name, f"{route.path!r} has no name"


@pytest.mark.parametrize("route", _swept_routes(), ids=lambda r: r.path or "/")
def test_it_hides_team_b_from_a_member_of_team_a(client, world, route):
    client.force_login(world.alice)
    url = _url(route, world, "b")
    body = _form_with(world, "b")

    responses = {
        "GET": client.get(url, body if not route.kwargs else None),
        "POST": client.post(url, body),
    }

    for method, response in responses.items():
        content = response.content.decode()
        assert world.team_b.name not in content, f"{method} {url} shows team B"
        assert world.team_b.slug not in response.get("Location", ""), (
            f"{method} {url} leads to team B"
        )
        assert world.team_b.slug not in response.get("HX-Redirect", ""), (
            f"{method} {url} leads to team B"
        )
        if route.kwargs:
            assert response.status_code in (404, 405), f"{method} {url}: {response.status_code}"
    if route.kwargs:
        assert 404 in {r.status_code for r in responses.values()}, f"{url} never answered 404"
    assert client.session.get("dashboard_current_team") != world.team_b.slug


def _object_routes() -> list[Route]:
    """Routes naming an object of a scope (a job, a candidate, a decision), not just a team."""
    return [r for r in _swept_routes() if set(r.kwargs) - {"slug", "team_slug", "team"}]


@pytest.mark.parametrize("route", _object_routes(), ids=lambda r: r.path)
@pytest.mark.parametrize(
    ("working_in", "objects_of"),
    [("a", "c1"), ("c1", "a"), ("c1", "c2"), ("c2", "c1")],
    ids=["agency sees no client's", "client sees no agency's", "c1 sees no c2's", "c2 no c1's"],
)
def test_it_hides_each_scope_from_the_others(client, world, agency, route, working_in, objects_of):
    client.force_login(world.alice)
    _work_in(client, world, agency, working_in)
    url = _url(route, world, objects_of)
    other_name = _cached_participant(world, objects_of).name

    responses = {"GET": client.get(url), "POST": client.post(url, _form_with(world, objects_of))}

    for method, response in responses.items():
        assert response.status_code in (404, 405), f"{method} {url}: {response.status_code}"
        assert other_name not in response.content.decode(), f"{method} {url} shows it"
    assert 404 in {r.status_code for r in responses.values()}, f"{url} never answered 404"


@pytest.mark.parametrize("route", [r for r in _swept_routes() if r.kwargs], ids=lambda r: r.path)
@pytest.mark.parametrize("working_in", ["a", "c1"])
def test_it_serves_each_scope_its_own_objects(client, world, agency, route, working_in):
    """The control: with the scope's own objects the URLs are not 404, so the sweeps mean
    something."""
    client.force_login(world.alice)
    _work_in(client, world, agency, working_in)
    url = _url(route, world, working_in)

    statuses = {
        client.get(url).status_code,
        client.post(url, _form_with(world, working_in)).status_code,
    }

    assert statuses - {404, 405}, f"{url} is unreachable even in its own scope: {statuses}"


def test_it_answers_the_same_for_another_team_as_for_no_team(client, world):
    client.force_login(world.alice)

    other = client.get(reverse("dashboard:team_detail", kwargs={"slug": world.team_b.slug}))
    missing = client.get(reverse("dashboard:team_detail", kwargs={"slug": "no-such-team"}))

    assert other.status_code == missing.status_code == 404
    assert _without_csrf(other.content) == _without_csrf(missing.content)


def _without_csrf(content: bytes) -> str:
    # The masked CSRF token differs on every response.
    return re.sub(
        r'("x-csrftoken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", content.decode()
    )


def test_another_teams_notes_are_never_listed(client, world, agency):
    """A note of team B mentioning alice (as if she had left it) and notes in team A's
    other scopes: not on her Mentions page, her header count or another scope's candidate."""
    from dashboard.models import Mention, Note

    def note(which: str, text: str) -> Note:
        participant = _cached_participant(world, which)
        made = Note.objects.create(
            team=participant.team, scope=participant.scope, participant_key=participant.key,
            participant_name=participant.name, author=world.bob, author_username="bob",
            text=text,
        )  # fmt: skip
        Mention.objects.create(note=made, user=world.alice)
        return made

    note("b", "Team B's note on its candidate")
    note("c1", "A note in client one")
    client.force_login(world.alice)

    header = client.get(reverse("dashboard:team_list")).content.decode()
    mentions = client.get(reverse("dashboard:mentions")).content.decode()
    _work_in(client, world, agency, "c2")
    c2_page = client.get(_url(_candidate_page(), world, "c2")).content.decode()

    assert "Mentions, 1 unseen" in header  # client one's, not team B's
    assert "Team B" not in mentions
    assert world.team_b.name not in mentions
    assert "A note in client one" in mentions  # the control: her own team's, any scope
    assert "unseen" not in c2_page  # seen now; team B's was never counted
    assert "A note in client one" not in c2_page


def _candidate_page() -> Route:
    return next(r for r in _swept_routes() if r.name == "dashboard:participant_detail")


# --- Share links: a token opens its own share's candidates, never another scope's --------


def _share_routes() -> list[Route]:
    return [r for r in _routes() if r.path.startswith("share/") and "participant_key" in r.kwargs]


def _share_url(route: Route, world: World, share_of: str, objects_of: str) -> str:
    fill = {
        "token": lambda which: _share(world, which)[1],
        "participant_key": lambda which: _cached_participant(world, which).key,
        "answer_key": _answer_key,
    }
    unknown = [k for k in route.kwargs if k not in fill]
    assert not unknown, f"{route.path!r} takes {unknown}: teach the share sweep to fill them"
    _share(world, objects_of)  # the other scope has a share of its own candidate too
    kwargs = {k: fill[k](share_of if k == "token" else objects_of) for k in route.kwargs}
    return reverse(route.name, kwargs=kwargs)


@pytest.fixture
def media(willo_transport):
    import httpx

    willo_transport(lambda request: httpx.Response(200, content=b"video bytes"))


def test_the_share_sweep_covers_every_candidate_url_of_a_share():
    names = {r.name for r in _share_routes()}

    assert names == {"share:candidate", "share:verdict", "share:media"}


@pytest.mark.parametrize("route", _share_routes(), ids=lambda r: r.path)
@pytest.mark.parametrize(
    ("share_of", "objects_of"),
    [("a", "b"), ("b", "a"), ("a", "c1"), ("c1", "a"), ("c1", "c2")],
    ids=["A's share, B's", "B's share, A's", "agency's, client's", "client's, agency's",
         "c1's, c2's"],
)  # fmt: skip
def test_a_share_never_reaches_another_scopes_candidates(
    client, world, agency, media, route, share_of, objects_of
):
    from dashboard.models import ShareVerdict

    url = _share_url(route, world, share_of, objects_of)
    other_name = _cached_participant(world, objects_of).name

    responses = {"GET": client.get(url), "POST": client.post(url, {"verdict": "yes"})}

    for method, response in responses.items():
        assert response.status_code in (404, 405), f"{method} {url}: {response.status_code}"
        assert other_name not in response.content.decode(), f"{method} {url} shows it"
    assert 404 in {r.status_code for r in responses.values()}, f"{url} never answered 404"
    assert not ShareVerdict.objects.exists()


@pytest.mark.parametrize("route", _share_routes(), ids=lambda r: r.path)
@pytest.mark.parametrize("which", ["a", "b", "c1"])
def test_a_share_reaches_its_own_candidates(client, world, agency, media, route, which):
    """The control: with the share's own candidate and answer the URLs answer."""
    url = _share_url(route, world, which, which)

    statuses = {client.get(url).status_code, client.post(url, {"verdict": "yes"}).status_code}

    assert statuses - {404, 405}, f"{url} is unreachable with its own share: {statuses}"
