"""Child organisations of an agency (parent) organisation."""

# Reference: REFERENCE.md "Child Organisations". Only parents may call these;
# a user relation's key, sent as X-Agency-User-Key, acts inside that child.

from __future__ import annotations

from willo_integration.schemas import ChildOrganisation

from ..errors import InvalidArgumentError
from ._resource import Resource, body_of


class Children(Resource):
    path = "children/"

    def list(self, *, retry: bool = True) -> list[ChildOrganisation]:
        """Every child organisation; Willo does not paginate this list."""
        return self._call("GET", self.path, list[ChildOrganisation], retry=retry)

    def create(
        self, *, customer_full_name: str, customer_email: str, organisation_name: str
    ) -> ChildOrganisation:
        if not isinstance(customer_email, str) or "@" not in customer_email:
            raise InvalidArgumentError("customer_email", "must be an email address")
        body = body_of(
            {
                "customer_full_name": customer_full_name,
                "customer_email": customer_email,
                "organisation_name": organisation_name,
            },
            required=["customer_full_name", "customer_email", "organisation_name"],
        )
        return self._call("POST", self.path, ChildOrganisation, json=body)
