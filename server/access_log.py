"""Pure-ASGI middleware writing one access-log line per HTTP request.

A line is ``METHOD PATH STATUS DURATION``, e.g. ``POST /graphql 200 3.1 ms``, at INFO on the
``quorum.access`` logger; ``QUORUM_ACCESS_LOG=0`` turns it off (``quorum serve`` turns
uvicorn's own access log off, so a request is never logged twice).

What a line leaves out, on purpose: the query string (signed object URLs carry their
signature there, and a client may put a token there), every header (``Authorization``,
cookies, the CSRF value) and the body (answers, tokens of ``POST /session``). The path is
percent-encoded again, so that a crafted path cannot forge a second line.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("quorum.access")

#: Characters a path keeps as they are; everything else (spaces, newlines, non-ASCII) is
#: percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def access_line(method: str, path: str, status: int, seconds: float) -> str:
    """The log line of one request: method, path (no query string), status, milliseconds."""
    return f"{method} {quote(path, safe=_PATH_SAFE)} {status} {seconds * 1000:.1f} ms"


class AccessLog:
    """Log every HTTP request once its response's last byte is sent (websockets and
    lifespan pass through).

    A request whose handler raised before answering is logged with status 500, as the
    server error middleware outside this one answers it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        logged = False

        def log() -> None:
            nonlocal logged
            logged = True
            elapsed = time.perf_counter() - started
            logger.info("%s", access_line(scope["method"], scope["path"], status, elapsed))

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                log()

        try:
            await self.app(scope, receive, noting_send)
        finally:
            if not logged:
                log()
