"""Notes on the candidate page and the Mentions page: who may write, what a refused note
shows, the HTMX answers, the header's count, and the page's queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.models import Mention, Note
from tests.dashboard.test_interviews_views import seed_job
from willo_integration.services.notes import note_add
from willo_integration.services.scope import Scope

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


def candidate_url(world, key="p-ben", name="dashboard:participant_detail"):
    return reverse(name, kwargs={"slug": world.team_a.slug, "participant_key": key})


def notes_url(world, key="p-ben"):
    return candidate_url(world, key, "dashboard:participant_note_add")


def add(world, text, author=None, key="p-ben"):
    scope = Scope(team=world.team_a)
    return note_add(scope=scope, participant_key=key, author=author or world.rita, text=text)


# --- writing a note -----------------------------------------------------------------------


def test_a_recruiter_adds_a_note_with_htmx_and_gets_the_form_and_the_list(client, world, job):
    client.force_login(world.rita)

    response = client.post(notes_url(world), {"text": "@alice strong <b>answers</b>"}, **HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="note-form"' in content
    assert "Note added." in content
    assert 'id="notes-list" hx-swap-oob="true"' in content
    assert '<mark class="mention">@alice</mark> strong &lt;b&gt;answers&lt;/b&gt;' in content
    assert "<b>answers" not in content
    assert "<html" not in content
    note = Note.objects.get()
    assert (note.author, note.participant_name) == (world.rita, "Ben Baker")
    assert [m.user for m in note.mentions.all()] == [world.alice]


def test_without_javascript_a_note_leads_back_to_the_candidate(client, world, job):
    client.force_login(world.rita)

    response = client.post(notes_url(world), {"text": "Call back on Monday"})

    assert response.status_code == 302
    assert response["Location"] == candidate_url(world) + "#notes"
    page = client.get(response["Location"]).content.decode()
    assert "Note added." in page
    assert "Call back on Monday" in page


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Write the note first."),
        ("   ", "Write the note first."),
        ("x" * 5001, "A note can be at most 5,000 characters; this one has 5,001."),
        ("@bob look", "@bob is not a member of Acme Hiring"),
        ("@ghost look", "@ghost is not a member of Acme Hiring"),
    ],
)
def test_bad_input_is_a_422_with_the_field_error_and_nothing_stored(
    client, world, job, text, error
):
    client.force_login(world.rita)

    response = client.post(notes_url(world), {"text": text}, **HTMX)

    assert response.status_code == 422
    content = response.content.decode()
    assert error in content
    assert 'class="field field--error"' in content
    assert 'aria-invalid="true"' in content
    assert not Note.objects.exists()
    assert not Mention.objects.exists()


def test_without_javascript_a_refused_note_comes_back_with_its_error(client, world, job):
    client.force_login(world.rita)

    response = client.post(notes_url(world), {"text": "@bob what do you think?"})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "@bob is not a member of Acme Hiring" in page
    assert "@bob what do you think?</textarea>" in page  # the draft is not lost
    again = client.get(response["Location"]).content.decode()
    assert "@bob is not a member" not in again  # shown once
    assert not Note.objects.exists()


def test_a_viewer_reads_notes_but_may_not_write(client, world, job):
    add(world, "@victor for your information")
    client.force_login(world.victor)

    page = client.get(candidate_url(world)).content.decode()
    response = client.post(notes_url(world), {"text": "mine"}, **HTMX)

    assert "@victor</mark> for your information" in page
    assert 'name="text"' not in page
    assert "your role lets you read them" in page
    assert response.status_code == 403
    assert Note.objects.count() == 1


def test_a_candidate_not_cached_here_answers_404(client, world, job):
    client.force_login(world.rita)

    response = client.post(notes_url(world, "p-nobody"), {"text": "hello"}, **HTMX)

    assert response.status_code == 404
    assert not Note.objects.exists()


# --- the candidate page -------------------------------------------------------------------


def test_the_page_shows_notes_newest_first_and_how_to_mention(client, world, job):
    add(world, "first note")
    add(world, "second note, @rita mine", author=world.alice)
    client.force_login(world.rita)

    content = client.get(candidate_url(world)).content.decode()

    assert content.index("second note") < content.index("first note")
    assert '<label for="note_text">Note</label>' in content
    assert 'aria-describedby="note-help"' in content
    assert "Mention a member with @ and their username: @alice, @multi, @victor." in content
    assert "Willo never sees them" in content
    assert "@rita</mark> mine" in content


def test_another_teams_notes_are_not_on_the_page(client, world, job):
    seed_job(world.team_b)  # a "p-ben" there too
    note_add(
        scope=Scope(team=world.team_b), participant_key="p-ben", author=world.bob,
        text="Bravo secret note",
    )  # fmt: skip
    client.force_login(world.multi)

    content = client.get(candidate_url(world)).content.decode()

    assert "Bravo secret note" not in content
    assert (
        "Bravo secret note"
        in client.get(
            reverse(
                "dashboard:participant_detail",
                kwargs={"slug": world.team_b.slug, "participant_key": "p-ben"},
            )
        ).content.decode()
    )  # the control: multi, a member there too, sees it there


def test_the_live_refresh_brings_the_notes_list(client, world, job):
    add(world, "a colleague's note")
    client.force_login(world.alice)

    response = client.get(candidate_url(world) + "?part=live", **HTMX)

    content = response.content.decode()
    assert 'id="notes-list" hx-swap-oob="true"' in content
    assert "a colleague&#x27;s note" in content
    assert 'id="note-form"' not in content  # what someone is typing is left alone


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_candidate_pages_queries_do_not_grow_with_its_notes(client, world, job):
    client.force_login(world.rita)
    add(world, "@alice one", author=world.rita)
    client.get(candidate_url(world))  # the session settles
    one = _page_queries(client, candidate_url(world))
    for n in range(6):
        add(world, f"@alice @victor @multi note {n}", author=world.alice)

    assert _page_queries(client, candidate_url(world)) == one


# --- mentions -----------------------------------------------------------------------------


def test_the_header_counts_my_unseen_mentions(client, world, job):
    add(world, "@alice one")
    add(world, "@alice two", key="p-ann")
    client.force_login(world.alice)

    content = client.get(reverse("dashboard:team_list")).content.decode()

    assert (
        'class="site-nav__mentions" aria-label="Mentions, 2 unseen">Mentions '
        '<span class="badge badge--new" aria-hidden="true">2</span></a>'
    ) in content


def test_the_header_shows_no_count_without_unseen_mentions(client, world, job):
    client.force_login(world.rita)

    content = client.get(reverse("dashboard:team_list")).content.decode()

    assert f'href="{reverse("dashboard:mentions")}" class="site-nav__mentions">Mentions</a>' in (
        content
    )


def test_the_mentions_page_lists_mine_linking_to_the_candidate_and_marks_them_seen(
    client, world, job
):
    add(world, "@alice see Ben")
    add(world, "@victor not for alice", key="p-ann")
    client.force_login(world.alice)

    response = client.get(reverse("dashboard:mentions"))

    content = response.content.decode()
    assert f'<a href="{candidate_url(world)}#notes">Ben Baker</a>' in content
    assert "@alice see Ben" in content
    assert "not for alice" not in content
    assert "1 new mention on this page." in content
    assert '<span class="badge badge--new">New</span>' in content
    assert Mention.objects.get(user=world.alice).seen_at is not None
    assert Mention.objects.get(user=world.victor).seen_at is None
    again = client.get(reverse("dashboard:mentions")).content.decode()
    assert "New</span>" not in again
    assert "unseen" not in again


def test_an_agencys_mention_opens_the_candidate_through_the_switch(client, world, job):
    from django.utils import timezone

    from tests.dashboard.test_interviews_views import make_job
    from willo_integration.models import CachedParticipant, ChildOrganisation, ChildUserRelation
    from willo_integration.services.scope import relation_digest

    world.team_a.is_parent = True
    world.team_a.save()
    child = ChildOrganisation.objects.create(
        team=world.team_a, key="c" * 32, name="Client one", fetched_at=timezone.now()
    )
    ChildUserRelation.objects.create(
        child=child, key="relation", key_digest=relation_digest("relation"), role="admin"
    )
    child_job = make_job(world.team_a, key="job-c")
    child_job.__class__.objects.filter(pk=child_job.pk).update(scope=child.key)
    CachedParticipant.objects.create(
        team=world.team_a, scope=child.key, key="p-child", interview=child_job,
        interview_key=child_job.key, name="Cleo Child", status="Completed",
        fetched_at=timezone.now(),
    )  # fmt: skip
    note_add(
        scope=Scope(team=world.team_a, child_key=child.key, agency_user_key="relation"),
        participant_key="p-child", author=world.rita, text="@alice in the client",
    )  # fmt: skip
    client.force_login(world.alice)

    content = client.get(reverse("dashboard:mentions")).content.decode()
    switch = reverse("dashboard:agency_switch", kwargs={"slug": world.team_a.slug})
    assert f'action="{switch}"' in content
    response = client.post(switch, {"child": child.key, "candidate": "p-child"})

    assert response["Location"] == candidate_url(world, "p-child")
    assert "@alice</mark> in the client" in client.get(response["Location"]).content.decode()


def test_the_mentions_pager_answers_htmx_with_the_list_only(client, world, job):
    add(world, "@alice hello")
    client.force_login(world.alice)

    response = client.get(reverse("dashboard:mentions"), **HTMX)

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="mentions">')
    assert "@alice hello" in content
