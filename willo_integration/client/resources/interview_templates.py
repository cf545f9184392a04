"""Interview templates, their categories, and creating an interview from one."""

from __future__ import annotations

from typing import Any

from willo_integration.schemas import Category, Interview, InterviewTemplate

from ._resource import ListableResource, ListSpec, Resource, check_key


class Categories(Resource):
    def list(self, *, retry: bool = True) -> list[Category]:
        """All categories; Willo does not paginate this list."""
        return self._call("GET", "categories/", list[Category], retry=retry)


class InterviewTemplates(ListableResource[InterviewTemplate]):
    path = "interview-templates/"
    item_model = InterviewTemplate
    list_spec = ListSpec(filters=frozenset({"search", "category"}))

    def retrieve(self, template_key: str, *, retry: bool = True) -> InterviewTemplate:
        path = f"{self.path}{check_key('template_key', template_key)}/"
        return self._call("GET", path, InterviewTemplate, retry=retry)

    def create_interview(self, template_key: str, **body: Any) -> Interview:
        """A new interview from the template; edit it afterwards with interviews.update."""
        path = f"{self.path}{check_key('template_key', template_key)}/interviews/"
        return self._call("POST", path, Interview, json=body or None)
