"""Users: the hiring team's members in Willo (owner, admin, standard)."""

from __future__ import annotations

from willo_integration.schemas import User

from ..errors import InvalidArgumentError
from ._resource import ListableResource, ListSpec

ROLES = frozenset({"admin", "standard"})


class Users(ListableResource[User]):
    path = "users/"
    item_model = User
    list_spec = ListSpec(ordering=frozenset({"full_name", "-full_name"}))

    def invite(self, *, email: str, role: str) -> User:
        if not isinstance(email, str) or "@" not in email:
            raise InvalidArgumentError("email", "must be an email address")
        return self._call("POST", self.path, User, json={"email": email, "role": _role(role)})

    def retrieve(self, key: str, *, retry: bool = True) -> User:
        return self._call("GET", self.path + "{key}/", keys={"key": key}, model=User, retry=retry)

    def partial_update(self, key: str, *, role: str) -> User:
        return self._call(
            "PATCH", self.path + "{key}/", keys={"key": key}, model=User, json={"role": _role(role)}
        )

    def delete(self, key: str) -> None:
        self._call("DELETE", self.path + "{key}/", keys={"key": key}, model=None)


def _role(role: str) -> str:
    if role not in ROLES:
        raise InvalidArgumentError("role", "must be 'admin' or 'standard'")
    return role
