"""A tiny fake of the two Willo endpoints key verification calls."""

from __future__ import annotations

import httpx

AMELIA = {
    "key": "8156b6da320f4e429d56c50f19690c69",
    "email": "amelia.earhart@willo.video",
    "full_name": "Amelia Mary Earhart",
}
JOHN = {
    "key": "257e486817374011be3cb5adbe7574ef",
    "email": "john.doe@willo.video",
    "full_name": "John Doe",
}
CHILD = {
    "key": "d940008ce74f47ecafdd3d3bb0b6c4a7",
    "name": "John Doe Technologies",
    "verification_status": "verified",
    "owner": {
        "key": "ab67b126c00a435ab2bc933f7d428fef",
        "full_name": "John Doe",
        "email": "john@doe.com",
    },
    "user_relations": [],
}


class FakeWillo:
    """Answers GET /users/ (paginated) and GET /children/; records every request."""

    def __init__(
        self,
        *,
        users: list[dict] | None = None,
        page_size: int = 1,
        users_status: int = 200,
        children_status: int = 403,
        connect_error: bool = False,
    ) -> None:
        self.users = [AMELIA] if users is None else users
        self.page_size = page_size
        self.users_status = users_status
        self.children_status = children_status
        self.connect_error = connect_error
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.connect_error:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        if path.endswith("/users/"):
            if self.users_status != 200:
                return httpx.Response(self.users_status, json={"detail": "Nope."})
            page = int(request.url.params.get("page", "1"))
            start = (page - 1) * self.page_size
            results = self.users[start : start + self.page_size]
            more = start + self.page_size < len(self.users)
            return httpx.Response(
                200,
                json={
                    "count": len(self.users),
                    "next": f"{request.url.copy_with(params={'page': page + 1})}" if more else None,
                    "previous": None,
                    "results": results,
                },
            )
        if path.endswith("/children/"):
            if self.children_status != 200:
                return httpx.Response(self.children_status, json={"detail": "Not a parent."})
            return httpx.Response(200, json=[CHILD])
        return httpx.Response(404, json={"detail": "Not found."})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))
