"""The recruiter-facing pages, under the ``dashboard:`` namespace."""

from django.urls import path

from dashboard.views import (
    agency,
    blind,
    changes,
    compare,
    decisions,
    email_templates,
    follows,
    identity,
    interviews,
    notes,
    outbox,
    participants,
    preferences,
    review_queue,
    reviews,
    sandbox,
    screening,
    shares,
    sync,
    teams,
)

app_name = "dashboard"

team = "teams/<slug:slug>/"
job = team + "jobs/<str:interview_key>/"
candidate = team + "candidates/<str:participant_key>/"

urlpatterns = [
    path("", teams.home, name="home"),
    path("teams/", teams.team_list, name="team_list"),
    path("teams/switch/", teams.team_switch, name="team_switch"),
    path("mentions/", notes.mentions, name="mentions"),
    path("sandbox/", sandbox.sandbox_knobs, name="sandbox_knobs"),
    # After django.contrib.auth.urls at accounts/, which has no preferences/: these resolve.
    path("accounts/preferences/", preferences.member_preferences, name="member_preferences"),
    path("accounts/preferences/speed/", preferences.playback_speed, name="playback_speed"),
    path("accounts/preferences/shortcuts/", preferences.shortcuts, name="shortcuts_set"),
    path(team, teams.team_detail, name="team_detail"),
    path(team + "review-settings/", teams.team_review_settings, name="team_review_settings"),
    path(team + "review/", review_queue.review_queue_view, name="review_queue"),
    path(
        team + "review/<str:participant_key>/",
        review_queue.review_candidate,
        name="review_candidate",
    ),
    path(team + "agency/", agency.agency_detail, name="agency_detail"),
    path(team + "agency/refresh/", agency.agency_refresh, name="agency_refresh"),
    path(team + "agency/children/", agency.agency_child_create, name="agency_child_create"),
    path(team + "agency/switch/", agency.agency_switch, name="agency_switch"),
    path(team + "sync/", sync.team_sync, name="team_sync"),
    path(team + "sync/<int:run_id>/resume/", sync.team_sync_resume, name="team_sync_resume"),
    path(team + "sync/<int:run_id>/cancel/", sync.team_sync_cancel, name="team_sync_cancel"),
    path(team + "changes/", changes.team_changes, name="team_changes"),
    path(team + "jobs/", interviews.interview_list_view, name="interview_list"),
    path(team + "jobs/refresh/", interviews.interviews_refresh_view, name="interviews_refresh"),
    path(job, interviews.interview_detail, name="interview_detail"),
    path(job + "export.csv", interviews.interview_export, name="interview_export"),
    path(job + "compare/", compare.interview_compare, name="interview_compare"),
    path(job + "screen/", screening.job_screen, name="job_screen"),
    path(job + "invite/", interviews.interview_invite, name="interview_invite"),
    path(job + "follow/", follows.job_follow_view, name="job_follow"),
    path(job + "shares/new/", shares.share_new, name="share_new"),
    path(team + "shares/<int:share_id>/", shares.share_link, name="share_link"),
    path(team + "shares/<int:share_id>/new-link/", shares.share_renew, name="share_renew"),
    path(team + "shares/<int:share_id>/resend/", shares.share_resend_view, name="share_resend"),
    path(team + "shares/<int:share_id>/revoke/", shares.share_revoke_view, name="share_revoke"),
    path(job + "refresh/", interviews.interview_refresh, name="interview_refresh"),
    path(job + "decisions/", decisions.participants_decide_bulk, name="participants_decide_bulk"),
    path(candidate, participants.participant_detail, name="participant_detail"),
    path(
        candidate + "identity/",
        identity.participant_identity_view,
        name="participant_identity",
    ),
    path(
        candidate + "identity/reveal/",
        identity.participant_identity_reveal,
        name="participant_identity_reveal",
    ),
    path(candidate + "decision/", decisions.participant_decide, name="participant_decide"),
    path(candidate + "reveal/", blind.participant_reveal, name="participant_reveal"),
    path(candidate + "review/", reviews.participant_review, name="participant_review"),
    path(
        candidate + "recommendation/",
        reviews.participant_recommend,
        name="participant_recommend",
    ),
    path(candidate + "ratings/", reviews.participant_rate, name="participant_rate"),
    path(candidate + "notes/", notes.participant_note_add, name="participant_note_add"),
    path(
        team + "decisions/<int:decision_id>/retry/",
        decisions.decision_retry,
        name="decision_retry",
    ),
    path(
        team + "decisions/<int:decision_id>/undo/",
        decisions.decision_undo,
        name="decision_undo",
    ),
    path(team + "decisions/undo/", decisions.decisions_undo, name="decisions_undo"),
    path(team + "decisions/notice/", decisions.decisions_notice, name="decisions_notice"),
    path(team + "decisions/email/", outbox.decisions_email, name="decisions_email"),
    # Email: the Outbox, the team's templates and settings, a job's and a candidate's.
    path(team + "outbox/", outbox.outbox, name="outbox"),
    path(team + "outbox/<int:email_id>/", outbox.email_detail, name="email_detail"),
    path(team + "outbox/<int:email_id>/cancel/", outbox.email_cancel_view, name="email_cancel"),
    path(
        team + "outbox/<int:email_id>/send-now/",
        outbox.email_send_now_view,
        name="email_send_now",
    ),
    path(team + "outbox/<int:email_id>/resolve/", outbox.email_resolve_view, name="email_resolve"),
    path(team + "emails/", email_templates.email_settings, name="email_settings"),
    path(
        team + "emails/templates/new/",
        email_templates.email_template_edit,
        name="email_template_new",
    ),
    path(
        team + "emails/templates/<int:template_id>/",
        email_templates.email_template_edit,
        name="email_template_edit",
    ),
    path(
        team + "emails/templates/<int:template_id>/delete/",
        email_templates.email_template_delete,
        name="email_template_delete",
    ),
    path(
        team + "emails/preview/",
        email_templates.email_template_preview,
        name="email_template_preview",
    ),
    path(job + "emails/", email_templates.job_email_templates, name="job_email_templates"),
    path(
        candidate + "first-name/",
        email_templates.participant_first_name,
        name="participant_first_name",
    ),
]
