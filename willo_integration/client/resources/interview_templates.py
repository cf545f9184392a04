"""Interview templates, their categories, and creating an interview from one."""

from __future__ import annotations

from typing import Any

from willo_integration.schemas import Category, Interview, InterviewTemplate

from ._resource import ListableResource, ListSpec, Resource

DETAIL = "interview-templates/{template_key}/"


class Categories(Resource):
    def list(self, *, retry: bool = True) -> list[Category]:
        """All categories; Willo does not paginate this list."""
        return self._call("GET", "categories/", list[Category], retry=retry)


class InterviewTemplates(ListableResource[InterviewTemplate]):
    path = "interview-templates/"
    item_model = InterviewTemplate
    list_spec = ListSpec(filters=frozenset({"search", "category"}))

    def retrieve(self, template_key: str, *, retry: bool = True) -> InterviewTemplate:
        keys = {"template_key": template_key}
        return self._call("GET", DETAIL, InterviewTemplate, keys=keys, retry=retry)

    def create_interview(self, template_key: str, **body: Any) -> Interview:
        """A new interview from the template; edit it afterwards with interviews.update."""
        keys = {"template_key": template_key}
        return self._call("POST", DETAIL + "interviews/", Interview, keys=keys, json=body or None)
