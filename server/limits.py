"""Limits on what a request may bring, in one place: sizes of free-text fields and label
lists (checked by the services and task types that take them), and the pure-ASGI
middleware that refuses request bodies over a size limit (413).

Every refusal names the field and says the limit; text with a lone surrogate (which the
command line makes of bytes that are not UTF-8) is refused too (:mod:`quorum.json_input`).
The limits are generous for real work and keep one request from costing the server (or
every worker it is shown to) more than a few megabytes:

================================  ==========  =========================================
Field                             Limit       Why
================================  ==========  =========================================
labels per job (default)          1,000       Ground Truth's API has no limit for
                                              single-label classification; its console
                                              stops at 30. Task types may set a lower
                                              ``max_labels`` (50 for multi-label and
                                              boxes, as Ground Truth; 255 for masks).
a label name                      256 chars   Ground Truth's limit
job ``instructions``              10,000      sent with every task and job listing
job ``fullInstructions``          100,000     HTML shown on demand
job ``template``                  200,000     (:mod:`quorum.templates`)
user and team names               200
an answer's ``workerComment``     1,000       as label verification's ``comment``
================================  ==========  =========================================
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quorum.errors import BadInput
from quorum.json_input import check_string
from quorum.sessions import SESSION_COOKIE

#: The most label categories a job may have, unless its task type says fewer.
MAX_LABELS = 1_000
#: The longest label category name (Ground Truth's limit).
MAX_LABEL_CHARS = 256
#: The longest short ``instructions`` of a job.
MAX_INSTRUCTIONS_CHARS = 10_000
#: The longest ``fullInstructions`` of a job.
MAX_FULL_INSTRUCTIONS_CHARS = 100_000
#: The longest user or team name.
MAX_NAME_CHARS = 200
#: The longest ``workerComment`` (or other comment) in an answer.
MAX_COMMENT_CHARS = 1_000


def check_text(value: str | None, field: str, most: int) -> None:
    """Raise :class:`BadInput` naming ``field`` if ``value`` is longer than ``most``
    characters (saying the limit) or is not Unicode text (a lone surrogate, which the
    command line makes of bytes that are not UTF-8); ``None`` passes."""
    if value is None:
        return
    if len(value) > most:
        raise BadInput(f"{field}: at most {most:,} characters, got {len(value):,}")
    check_string(value, field)


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
