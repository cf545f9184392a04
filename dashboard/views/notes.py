"""Notes on a candidate (recruiters and team admins write, every member reads) and the
Mentions page (the notes that mention me, in every team of mine)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.forms import NoteForm
from dashboard.presenters.notes import mentions_context, notes_context
from dashboard.views.scoping import HtmxHttpRequest, scope_for, wants_partial
from dashboard.views.session import note_draft_keep
from willo_integration.services.notes import NoteRejected, mentions_of, note_add
from willo_integration.services.scope import candidate_in_scope


@require_POST
@login_required
def participant_note_add(request: HtmxHttpRequest, slug: str, participant_key: str) -> HttpResponse:
    """Add a note (POST text). HTMX: the form again (422 with what is wrong) and, once
    added, the notes list; without JavaScript, back to the candidate page, a refused note
    kept there with its errors."""
    membership, scope = scope_for(request, slug, min_role="recruiter")
    participant = candidate_in_scope(scope, participant_key)
    form = NoteForm(request.POST, team=scope.team)
    note = None
    if form.is_valid():
        try:
            note = note_add(
                scope=scope,
                participant_key=participant.key,
                author=request.user,
                text=form.cleaned_data["text"],
            )
        except NoteRejected as rejected:
            form.add_rejection(rejected)
    if not wants_partial(request):
        if note is None:
            note_draft_keep(
                request,
                scope=scope,
                participant_key=participant.key,
                text=request.POST.get("text", ""),
            )
        else:
            messages.success(request, "Note added.")
        url = reverse(
            "dashboard:participant_detail",
            kwargs={"slug": scope.team.slug, "participant_key": participant.key},
        )
        return redirect(f"{url}#notes")
    context = {
        "team": scope.team,
        "participant": participant,
        **notes_context(
            membership=membership,
            scope=scope,
            participant_key=participant.key,
            form=None if note else form,
            added=note,
        ),
    }
    if note is None:
        return render(request, "dashboard/participants/detail.html#note_form", context, status=422)
    return render(request, "dashboard/participants/_note_added.html", context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def mentions(request: HtmxHttpRequest) -> HttpResponse:
    """The notes that mention me in my teams, newest first; opening the page marks the
    ones it shows seen."""
    listing = mentions_of(request.user, page=request.GET.get("page", 1), mark_seen=True)
    context = mentions_context(listing, request.user)
    if wants_partial(request):  # the pager
        return render(request, "dashboard/mentions.html#mentions", context)
    return render(request, "dashboard/mentions.html", context)
