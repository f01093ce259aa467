"""Pure-ASGI middleware writing one access-log line per HTTP request or websocket.

A line is ``METHOD PATH STATUS DURATION``, e.g. ``POST /graphql 200 3.1 ms``, at INFO on the
``quorum.access`` logger; a websocket is ``WS /graphql 101 61234.5 ms`` once it closes.
``QUORUM_ACCESS_LOG=0`` turns it off. ``quorum serve`` turns uvicorn's own access log off,
and :func:`drop_uvicorn_websocket_lines` its websocket handshake lines (which carry the
query string), so a request is never logged twice.

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
    """Log every HTTP request once its response's last byte is sent, and every websocket
    once it closes (lifespan passes through).

    A request whose handler raised before answering is logged with status 500, as the
    server error middleware outside this one answers it; a websocket with 101 once
    accepted, 403 when closed before that.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        websocket = scope["type"] == "websocket"
        method = "WS" if websocket else scope["method"]
        started = time.perf_counter()
        status = 403 if websocket else 500
        logged = False

        def log() -> None:
            nonlocal logged
            logged = True
            elapsed = time.perf_counter() - started
            logger.info("%s", access_line(method, scope["path"], status, elapsed))

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] in {"http.response.start", "websocket.http.response.start"}:
                status = int(message["status"])
            elif message["type"] == "websocket.accept":
                status = 101
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                log()

        try:
            await self.app(scope, receive, noting_send)
        finally:
            if not logged:
                log()


class _NotWebSocketHandshakes(logging.Filter):
    """Drops uvicorn's ``"WebSocket /path?query" [accepted]`` lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a websocket handshake line."""
        return not str(record.msg).startswith('%s - "WebSocket ')


def drop_uvicorn_websocket_lines() -> None:
    """Keep uvicorn's websocket handshake lines out of the log: :class:`AccessLog` writes
    its own, without the query string."""
    logging.getLogger("uvicorn.error").addFilter(_NotWebSocketHandshakes())
