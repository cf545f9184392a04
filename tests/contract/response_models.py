"""What each request of the Willo collection answers with, as a schemas.py type.

None means no body (204). Paginated lists are Page[Model]; unpaginated ones list[Model].
"""

from typing import Any

from willo_integration.schemas import (
    Category,
    ChildOrganisation,
    Department,
    IdvCountry,
    IdvInfo,
    IdvMedia,
    Interview,
    InterviewTemplate,
    Language,
    MessageTemplate,
    Page,
    Participant,
    User,
    Webhook,
)

RESPONSE_MODELS: dict[tuple[str, str], Any] = {
    ("GET", "/departments/"): Page[Department],
    ("POST", "/departments/"): Department,
    ("GET", "/departments/{key}/"): Department,
    ("PUT", "/departments/{key}/"): Department,
    ("PATCH", "/departments/{key}/"): Department,
    ("DELETE", "/departments/{key}/"): None,
    ("GET", "/idv-counties/"): Page[IdvCountry],
    ("GET", "/interviews/"): Page[Interview],
    ("POST", "/interviews/"): Interview,
    ("GET", "/interviews/{key}/"): Interview,
    ("PUT", "/interviews/{key}/"): Interview,
    ("PATCH", "/interviews/{key}/"): Interview,
    ("DELETE", "/interviews/{key}/"): None,
    ("GET", "/languages/"): Page[Language],
    ("GET", "/message-templates/"): Page[MessageTemplate],
    ("POST", "/message-templates/"): MessageTemplate,
    ("GET", "/message-templates/{key}/"): MessageTemplate,
    ("PUT", "/message-templates/{key}/"): MessageTemplate,
    ("PATCH", "/message-templates/{key}/"): MessageTemplate,
    ("DELETE", "/message-templates/{key}/"): None,
    ("GET", "/participants/"): Page[Participant],
    ("POST", "/participants/"): Participant,
    ("GET", "/participants/{key}/"): Participant,
    ("PUT", "/participants/{key}/"): Participant,
    ("PATCH", "/participants/{key}/"): Participant,
    ("DELETE", "/participants/{key}/"): None,
    ("GET", "/participants/{key}/idv-info/"): IdvInfo,
    ("GET", "/participants/{key}/idv-media/"): IdvMedia,  # binary (image/png), not JSON
    ("GET", "/users/"): Page[User],
    ("POST", "/users/"): User,
    ("GET", "/users/{key}/"): User,
    ("PATCH", "/users/{key}/"): User,
    ("DELETE", "/users/{key}/"): None,
    ("GET", "/webhooks/"): Page[Webhook],
    ("POST", "/webhooks/"): Webhook,
    ("PUT", "/webhooks/{key}/"): Webhook,
    ("PATCH", "/webhooks/{key}/"): Webhook,
    ("DELETE", "/webhooks/{key}/"): None,
    ("GET", "/categories/"): list[Category],
    ("GET", "/interview-templates/"): Page[InterviewTemplate],
    ("GET", "/interview-templates/{template_key}/"): InterviewTemplate,
    ("POST", "/interview-templates/{template_key}/interviews/"): Interview,
    ("POST", "/children/"): ChildOrganisation,
    ("GET", "/children/"): list[ChildOrganisation],
}

BINARY_RESPONSES = frozenset({("GET", "/participants/{key}/idv-media/")})
