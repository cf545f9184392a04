"""The Willo API client: one object, a resource per part of the API.

    with WilloClient(base_url, api_key) as willo:
        for participant in willo.participants.list(interview=key):
            ...

It knows nothing of Django: give it a base URL, a key and options.
"""

from __future__ import annotations

from ._base import BaseClient, check_base_url, is_loopback
from ._hosts import HostPolicy, is_public
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InsecureBaseURLError,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestOutcomeUnknownError,
    ResponseValidationError,
    UnsafeHostError,
    WilloError,
)
from .resources._resource import MAX_PAGE_SIZE
from .resources.children import Children
from .resources.departments import Departments
from .resources.interview_templates import Categories, InterviewTemplates
from .resources.interviews import Interviews
from .resources.message_templates import MessageTemplates
from .resources.participants import Participants
from .resources.simple_lists import IdvCountries, Languages
from .resources.users import Users
from .resources.webhooks import Webhooks
from .retry import RetryPolicy


class WilloClient(BaseClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.departments = Departments(self)
        self.idv_countries = IdvCountries(self)
        self.interviews = Interviews(self)
        self.languages = Languages(self)
        self.message_templates = MessageTemplates(self)
        self.participants = Participants(self)
        self.users = Users(self)
        self.webhooks = Webhooks(self)
        self.categories = Categories(self)
        self.interview_templates = InterviewTemplates(self)
        self.children = Children(self)

    def __enter__(self) -> WilloClient:
        return self


__all__ = [
    "MAX_PAGE_SIZE",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "HostPolicy",
    "InsecureBaseURLError",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestOutcomeUnknownError",
    "ResponseValidationError",
    "RetryPolicy",
    "UnsafeHostError",
    "WilloClient",
    "WilloError",
    "check_base_url",
    "is_loopback",
    "is_public",
]
