"""Session keys shared by the views, and the note draft kept in the session."""

from __future__ import annotations

CURRENT_TEAM_SESSION_KEY = "dashboard_current_team"
# {team slug: {"child": child organisation key, "relation": relation digest}}
AGENCY_SCOPE_SESSION_KEY = "dashboard_agency_scope"
# A note the candidate page refused without JavaScript, kept for the page to show again
# with its errors: {"team": slug, "scope": scope key, "participant": key, "text": the text}
NOTE_DRAFT_SESSION_KEY = "dashboard_note_draft"


def note_draft_keep(request, *, scope, participant_key: str, text: str) -> None:
    request.session[NOTE_DRAFT_SESSION_KEY] = {
        "team": scope.team.slug,
        "scope": scope.key,
        "participant": participant_key,
        "text": text,
    }


def note_draft_take(request, *, scope, participant_key: str) -> str | None:
    """The refused note's text for this candidate, once (then forgotten); None if none."""
    draft = request.session.get(NOTE_DRAFT_SESSION_KEY)
    if not draft or draft.get("participant") != participant_key:
        return None
    if (draft.get("team"), draft.get("scope")) != (scope.team.slug, scope.key):
        return None
    del request.session[NOTE_DRAFT_SESSION_KEY]
    return draft.get("text", "")
