"""Notes on a candidate and their @mentions: who may be mentioned, what is stored, scoping."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from dashboard.models import NOTE_MAX_CHARACTERS, Membership, Mention, Note
from willo_integration.services import changes
from willo_integration.services.errors import ParticipantNotFound
from willo_integration.services.notes import (
    NoteRejected,
    mention_names,
    mention_seen,
    mentions_of,
    mentions_unseen_count,
    note_add,
    participant_notes,
)
from willo_integration.services.scope import Scope

from .conftest import cached_interview, cached_participant


def _member(team, username: str, role=Membership.Role.RECRUITER):
    user = get_user_model().objects.create_user(username=username, password="x" * 12)
    Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def people(team, other_team):
    """Rita writes; Alice and Victor (a viewer) are in her team; Bob only in the other."""
    rita, alice = _member(team, "rita"), _member(team, "alice")
    victor = _member(team, "victor", Membership.Role.VIEWER)
    bob = _member(other_team, "bob")
    return rita, alice, victor, bob


@pytest.fixture
def ada(scope):
    return cached_participant(scope, cached_interview(scope), key="p-ada", name="Ada Lovelace")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@alice please look", ["alice"]),
        ("ask @alice, then @victor.", ["alice", "victor"]),
        ("(@alice) and @alice again, @ALICE too", ["alice"]),
        ("mail ada@example.com or @alice@example.com", []),
        ("no one @ all, nor @@alice", []),
        ("@first.last's view", ["first.last"]),
        ("line one\n@alice: line two", ["alice"]),
    ],
)
def test_it_reads_mentions_at_the_start_of_a_word_only(text, names):
    assert mention_names(text) == names


def test_a_note_is_stored_with_its_mentions_and_the_candidates_name(scope, people, ada):
    rita, *_ = people

    note = note_add(
        scope=scope, participant_key="p-ada", author=rita,
        text="  @alice and @victor: strong answers. @alice, see q3.  ",
    )  # fmt: skip

    note.refresh_from_db()
    assert note.text == "@alice and @victor: strong answers. @alice, see q3."
    assert (note.participant_name, note.author_username) == ("Ada Lovelace", "rita")
    assert sorted(m.user.username for m in note.mentions.all()) == ["alice", "victor"]
    assert all(m.seen_at is None for m in note.mentions.all())


def test_the_author_mentioning_themselves_is_no_mention(scope, people, ada):
    rita, *_ = people

    note = note_add(scope=scope, participant_key="p-ada", author=rita, text="@rita to call")

    assert not note.mentions.exists()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("@bob have a look", "@bob is not a member of Acme Hiring"),  # in another team
        ("@nobody have a look", "@nobody is not a member of Acme Hiring"),  # no such user
        ("@alice @bob @nobody", "@bob, @nobody are not members of Acme Hiring"),
    ],
)
def test_a_mention_of_anyone_else_refuses_the_note_and_stores_nothing(
    scope, people, ada, text, named
):
    rita, *_ = people

    with pytest.raises(NoteRejected, match=named):
        note_add(scope=scope, participant_key="p-ada", author=rita, text=text)

    assert not Note.objects.exists()
    assert not Mention.objects.exists()


def test_a_note_over_the_limit_is_refused(scope, people, ada):
    rita, *_ = people

    with pytest.raises(NoteRejected, match="at most 5,000 characters; this one has 5,001"):
        note_add(scope=scope, participant_key="p-ada", author=rita, text="x" * 5001)

    assert not Note.objects.exists()


def test_line_endings_count_once_as_a_browser_counts_them(scope, people, ada):
    rita, *_ = people
    text = ("y" * 99 + "\r\n") * 49 + "y" * 100  # 5,049 sent, 5,000 in the textarea

    note = note_add(scope=scope, participant_key="p-ada", author=rita, text=text)

    note.refresh_from_db()
    assert len(note.text) == NOTE_MAX_CHARACTERS
    assert "\r" not in note.text


def test_an_empty_note_is_refused(scope, people, ada):
    rita, *_ = people

    with pytest.raises(NoteRejected, match="Write the note first"):
        note_add(scope=scope, participant_key="p-ada", author=rita, text=" \n ")


def test_a_candidate_not_cached_in_the_scope_has_no_notes(scope, other_team, people, ada):
    rita, *_ = people
    child = Scope(team=scope.team, child_key="c" * 32)

    for where, key in ((scope, "p-unknown"), (Scope(team=other_team), "p-ada"), (child, "p-ada")):
        with pytest.raises(ParticipantNotFound):
            note_add(scope=where, participant_key=key, author=rita, text="hello")

    assert not Note.objects.exists()


def test_the_candidates_notes_are_listed_newest_first_in_their_scope_only(
    scope, other_team, people, ada
):
    rita, alice, *_ = people
    first = note_add(scope=scope, participant_key="p-ada", author=rita, text="first")
    second = note_add(scope=scope, participant_key="p-ada", author=alice, text="second")
    child = Scope(team=scope.team, child_key="c" * 32)
    cached_participant(child, cached_interview(child), key="p-ada-child")
    note_add(scope=child, participant_key="p-ada-child", author=rita, text="in the client")

    assert participant_notes(scope=scope, participant_key="p-ada") == [second, first]
    assert participant_notes(scope=child, participant_key="p-ada") == []
    assert participant_notes(scope=Scope(team=other_team), participant_key="p-ada") == []


def test_a_note_moves_the_candidates_change_marker(
    scope, people, ada, django_capture_on_commit_callbacks
):
    rita, *_ = people
    before = changes.changes_marker(scope=scope, participant_key="p-ada")

    with django_capture_on_commit_callbacks(execute=True):
        note_add(scope=scope, participant_key="p-ada", author=rita, text="noted")

    assert changes.changes_marker(scope=scope, participant_key="p-ada") != before


def test_mentions_across_my_teams_newest_first_and_seen_once_shown(scope, other_team, people, ada):
    rita, alice, _victor, bob = people
    Membership.objects.create(user=alice, team=other_team)
    theirs = Scope(team=other_team)
    cached_participant(theirs, cached_interview(theirs), key="p-tom", name="Tom")
    here = note_add(scope=scope, participant_key="p-ada", author=rita, text="@alice here")
    there = note_add(scope=theirs, participant_key="p-tom", author=bob, text="@alice there")

    assert mentions_unseen_count(alice) == 2
    listing = mentions_of(alice, mark_seen=True)

    assert [m.note for m in listing.page.object_list] == [there, here]
    assert listing.unseen == 2
    assert [m.note.team for m in listing.page.object_list] == [other_team, scope.team]
    assert mentions_unseen_count(alice) == 0
    assert mentions_of(alice).unseen == 0


def test_mentions_in_a_team_i_left_are_neither_listed_nor_counted(scope, other_team, people, ada):
    rita, alice, *_ = people
    note_add(scope=scope, participant_key="p-ada", author=rita, text="@alice look")
    Membership.objects.filter(user=alice, team=scope.team).delete()

    assert mentions_unseen_count(alice) == 0
    assert mentions_of(alice).page.object_list == []


def test_marking_seen_touches_only_my_own_mentions(scope, people, ada):
    rita, alice, victor, _bob = people
    note = note_add(scope=scope, participant_key="p-ada", author=rita, text="@alice @victor")
    victors = note.mentions.get(user=victor)

    assert mention_seen(alice, mention_ids=[victors.pk]) == 0
    assert mentions_unseen_count(victor) == 1
    assert mention_seen(alice, mention_ids=[m.pk for m in note.mentions.all()]) == 1
    assert mentions_unseen_count(alice) == 0
