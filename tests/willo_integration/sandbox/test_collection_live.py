"""Every request of the Postman collection, over real HTTP, through the project's client."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from django.utils import timezone

from tests.contract.collection import Example, examples
from willo_integration.client import WilloClient
from willo_integration.client.errors import APIStatusError
from willo_integration.sandbox import knobs, seed
from willo_integration.sandbox.media import read_sample
from willo_integration.sandbox.models import (
    Answer,
    Department,
    Industry,
    Interview,
    InterviewTemplate,
    MessageTemplate,
    Participant,
    Question,
    Role,
    SandboxUser,
    Webhook,
)

from .conftest import Keys
from .fields import missing_fields

DEFAULT_STATUS = {"GET": 200, "POST": 201, "PUT": 200, "PATCH": 200, "DELETE": 204}
KEY = re.compile(r"^[0-9a-z]{28,32}$")


class World:
    """Real keys standing in for the collection's made-up ones."""

    def __init__(self, keys: Keys) -> None:
        org = keys.parent
        now = timezone.now()
        self.org = org
        self.owner = SandboxUser.objects.get(organisation=org, role=Role.OWNER)
        self.standard = SandboxUser.objects.filter(organisation=org, role=Role.STANDARD).first()
        self.department = Department.objects.filter(organisation=org).first()
        self.industry = Industry.objects.first()
        self.interview = Interview.objects.filter(organisation=org).first()
        self.template = InterviewTemplate.objects.first()
        self.message_template = MessageTemplate.objects.filter(organisation=org).first()
        self.system_templates = list(MessageTemplate.objects.filter(organisation=None))
        # Right-to-work candidates, whose answers carry the share code the examples show.
        rtw_video = Answer.objects.filter(
            participant__organisation=org,
            participant__idv_session__check_type="rtw",
            question__answer_type="video",
            transcript__isnull=False,
        )
        self.answered = rtw_video.first().participant
        self.choice_answered = (
            rtw_video.filter(
                participant__answers__question__answer_type__in=("multiple_choice", "checkboxes"),
                participant__scores__isnull=False,
            )
            .first()
            .participant
        )
        self.rtw = Participant.objects.filter(
            organisation=org, idv_session__check_type="rtw"
        ).first()
        # Objects the collection updates and deletes, so seeded data is left alone.
        self.fresh_interview = Interview.objects.create(
            organisation=org, department=self.department, owner=self.owner, title="Scratch",
            invite_code="abc123", created_at=now,
        )  # fmt: skip
        Question.objects.create(
            interview=self.fresh_interview, text="Hi?", order=1, answer_type="video"
        )
        self.webhook = Webhook.objects.create(
            organisation=org, url="http://127.0.0.1:9/hook", event="new_comment", created_at=now
        )
        self.webhook.interviews.add(self.interview)
        self.webhook.departments.add(self.department)
        self.webhook.users.add(self.owner)

    def throwaway(self, example: Example) -> str:
        """A new object for a DELETE to remove."""
        now = timezone.now()
        resource = example.path.split("/")[1]
        if resource == "departments":
            return Department.objects.create(
                organisation=self.org, name="Gone", owner=self.owner, created_at=now
            ).key
        if resource == "interviews":
            return Interview.objects.create(
                organisation=self.org, department=self.department, owner=self.owner,
                title="Gone", invite_code="gone00", created_at=now,
            ).key  # fmt: skip
        if resource == "message-templates":
            return MessageTemplate.objects.create(
                organisation=self.org, title="Gone", type="sms", trigger="invite",
                content="x", created_at=now,
            ).key  # fmt: skip
        if resource == "participants":
            return Participant.objects.create(
                organisation=self.org, interview=self.interview, email="gone@example.com",
                name="Gone", status="Invited", invite_code="gone00", created_at=now,
                updated_at=now,
            ).key  # fmt: skip
        if resource == "users":
            return SandboxUser.objects.create(
                organisation=self.org, email="gone@example.com", full_name="Gone",
                role=Role.STANDARD, created_at=now,
            ).key  # fmt: skip
        if resource == "webhooks":
            return Webhook.objects.create(
                organisation=self.org, url="http://127.0.0.1:9/", event="new_score",
                follow_all_interviews=True, created_at=now,
            ).key  # fmt: skip
        raise AssertionError(f"no throwaway for {example.path}")

    def path_key(self, example: Example) -> str:
        if example.method == "DELETE":
            return self.throwaway(example)
        resource = example.path.split("/")[1]
        if resource == "participants":
            if "idv" in example.path:
                return self.rtw.key
            if "Checkbox" in example.name:
                return self.choice_answered.key
            return self.answered.key
        return {
            "departments": self.department.key,
            "interviews": self.fresh_interview.key
            if example.method != "GET"
            else self.interview.key,
            "message-templates": self.message_template.key,
            "users": self.standard.key,
            "webhooks": self.webhook.key,
        }[resource]

    def body(self, example: Example) -> Any:
        body = example.request_body
        if not isinstance(body, dict):
            return body
        body = dict(body)
        if "department" in body:
            body["department"] = self.department.key
        if "industry" in body:
            body["industry"] = self.industry.key
        for name in ("reviewers", "reviewers_to_notify"):
            if name in body:
                body[name] = [self.owner.key]
        if "message_templates" in body:
            body["message_templates"] = {
                slot: self.system_templates[n % len(self.system_templates)].key
                for n, slot in enumerate(body["message_templates"])
            }
        if example.path == "/participants/":
            body["interview"] = self.interview.key
        if example.path.startswith("/webhooks/") and "interviews" in body:
            body["interviews"] = [self.interview.key]
        return body


def _send(
    client: WilloClient,
    responses: list[httpx.Response],
    world: World,
    example: Example,
    base: str,
    key: str,
):
    path = example.path.replace("{template_key}", world.template.key)
    if "{key}" in path:
        path = path.replace("{key}", world.path_key(example))
    body = world.body(example)
    if example.content_type == "image/png":
        # Not JSON, so not something the client decodes: fetch it raw.
        response = httpx.get(f"{base}{path}", headers={"Authorization": key})
        return response.status_code, response.content, response.headers["content-type"]
    kwargs: dict[str, Any] = {}
    if example.request_body_mode == "formdata":
        kwargs["data"] = {k: v for k, v in body.items() if v is not None and k != "logo"}
        kwargs["files"] = {"logo": ("logo.png", read_sample("avatar.png"), "image/png")}
    elif body is not None:
        kwargs["json"] = body
    try:
        decoded = client.request(example.method, path, retry=False, **kwargs)
    except APIStatusError as error:
        decoded = error.body
    response = responses[-1]
    return response.status_code, decoded, response.headers.get("content-type")


@pytest.mark.django_db(transaction=True)
def test_every_request_of_the_collection_answers_like_its_example(live_server):
    seed.seed(participants=60)
    keys = Keys()
    world = World(keys)
    base = f"{live_server.url}/api/integrations/v2"
    failures: list[str] = []
    sent = set()
    # The client decodes bodies; an httpx event hook keeps each status code for the checks.
    responses: list[httpx.Response] = []
    http = httpx.Client(event_hooks={"response": [responses.append]})
    with (
        knobs.override(webhook_mode="sync", webhook_max_attempts=1, webhook_timeout_s=0.5),
        http,
        WilloClient(
            base_url=base, api_key=keys.owner, requests_per_second=None, http_client=http
        ) as client,
    ):
        for example in examples():
            sent.add(example.request.title)
            status, body, content_type = _send(client, responses, world, example, base, keys.owner)
            expected = example.status_code or DEFAULT_STATUS[example.method]
            if status != expected:
                failures.append(f"{example.id}: HTTP {status}, expected {expected}: {body!r:.300}")
                continue
            if example.content_type == "image/png":
                if content_type != "image/png" or not body.startswith(b"\x89PNG"):
                    failures.append(f"{example.id}: not a PNG ({content_type})")
                continue
            if example.response_body is not None:
                missing = missing_fields(example.response_body, body)
                if missing:
                    failures.append(f"{example.id}: missing {missing[:8]}")
    assert len(sent) == 44
    assert not failures, "\n".join(failures)
