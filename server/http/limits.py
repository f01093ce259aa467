"""The pure-ASGI middleware that refuses request bodies over a size limit (413).

The sizes of the fields inside a body are :mod:`quorum.limits`'; this one bounds what a
request may make the server read at all, before any of it is parsed.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quorum.http.sessions import SESSION_COOKIE


class BodyTooLarge(Exception):
    """The body grew past the limit while it was being read."""


class RequestSizeLimit:
    """Refuse HTTP requests whose body is larger than ``max_bytes`` (``max_graphql_bytes``
    on ``/graphql``), or than ``max_anonymous_bytes`` when the request carries neither an
    ``Authorization`` header nor a session cookie (a caller with no token gets the small
    budget)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        max_anonymous_bytes: int | None = None,
        max_graphql_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_anonymous_bytes = max_bytes if max_anonymous_bytes is None else max_anonymous_bytes
        self.max_graphql_bytes = max_bytes if max_graphql_bytes is None else max_graphql_bytes

    def _limit(self, path: str, headers: dict[bytes, bytes]) -> int:
        signed_in = b"authorization" in headers or SESSION_COOKIE.encode() in headers.get(
            b"cookie", b""
        )
        limit = (
            min(self.max_bytes, self.max_graphql_bytes) if path == "/graphql" else self.max_bytes
        )
        return limit if signed_in else min(limit, self.max_anonymous_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = self._limit(scope["path"], headers)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(limit, scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            await self._refuse(limit, scope, receive, send)

    async def _refuse(self, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        response = PlainTextResponse(
            f"request body is larger than the limit of {limit:,} bytes", status_code=413
        )
        await response(scope, receive, send)
