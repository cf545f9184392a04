"""Services speak the domain, views speak HTTP: a service's NotFound is a 404 in one place,
and no service raises (or imports) Django's HTTP exceptions."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

import willo_integration.services
from dashboard.not_found import NotFoundMiddleware
from willo_integration.services.errors import (
    DecisionNotFound,
    JobNotFound,
    NotFound,
    ParticipantNotFound,
    SyncNotFound,
)

SERVICES = sorted(Path(willo_integration.services.__file__).parent.rglob("*.py"))


def _raising(exception: Exception):
    def view(request):
        raise exception

    return view


def _answer(exception: Exception) -> HttpResponse | None:
    request = RequestFactory().get("/t/a/jobs/x/")
    middleware = NotFoundMiddleware(_raising(exception))
    return middleware.process_exception(request, exception)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (JobNotFound, "No such job."),
        (ParticipantNotFound, "No such candidate."),
        (DecisionNotFound, "No such decision."),
        (SyncNotFound, "No such sync here."),
    ],
)
def test_each_kind_of_not_found_is_a_404_in_its_own_words(kind, words, caplog):
    caplog.set_level(logging.INFO, logger="dashboard.not_found")

    response = _answer(kind())

    assert response.status_code == 404
    assert str(kind()) == words
    assert words in caplog.text


def test_a_message_given_replaces_the_default():
    assert str(ParticipantNotFound("Deleted in Willo.")) == "Deleted in Willo."
    assert isinstance(ParticipantNotFound(), NotFound)


def test_other_exceptions_are_left_to_django():
    assert _answer(ValueError("boom")) is None


@pytest.mark.django_db
def test_through_the_stack_a_missing_sync_is_a_404_page(client, world):
    client.force_login(world.alice)

    response = client.post(f"/t/{world.team_a.slug}/sync/999999/resume/")

    assert response.status_code == 404


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_no_service_speaks_http(path):
    tree = ast.parse(path.read_text())
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }

    assert not {name for name in names if name.startswith("Http")}
