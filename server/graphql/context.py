"""The typed per-request context every resolver receives (``Info[Context, None]``).

Resolvers never touch the database on the event loop: :meth:`Context.read` and
:meth:`Context.write` run a function on a worker thread inside one transaction, after
authenticating the caller in that same transaction, unless the server saw the caller's
token within the last few seconds (:class:`quorum.auth.CallerCache`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import strawberry
from sqlmodel import Session
from starlette.requests import HTTPConnection

from quorum.auth import CallerCache
from quorum.blocking import run_blocking
from quorum.db.engine import Database
from quorum.errors import Unauthenticated
from quorum.graphql.dataloaders import DataLoaders
from quorum.http.sessions import caller_credential
from quorum.http.sign_ins import SignInLimiter, authenticate, client_of
from quorum.models import User
from quorum.plugins import PluginHost
from quorum.progress import ProgressFeeds
from quorum.settings import Settings

T = TypeVar("T")

#: How often a websocket's caller is looked up again (seconds).
RECHECK_SECONDS = 5.0


@dataclass
class Context:
    """What a resolver can reach: the database, the plugins, the settings and the caller."""

    db: Database
    plugins: PluginHost
    settings: Settings
    request: HTTPConnection
    loaders: DataLoaders
    callers: CallerCache
    #: Makes browser sessions' CSRF values (:func:`quorum.http.sessions.session_key`).
    session_key: bytes
    #: Counts the failed sign-ins of each client (:mod:`quorum.http.sign_ins`).
    sign_ins: SignInLimiter
    #: The process's shared job counters, for ``jobProgress`` (:mod:`quorum.progress`).
    progress: ProgressFeeds
    #: Set by strawberry from graphql-transport-ws ``connection_init`` payloads.
    connection_params: dict[str, Any] | None = None
    #: What resolvers add to the response's top-level ``extensions`` (e.g. ``claimTask``'s
    #: reason for a ``null``), returned by :class:`quorum.graphql.schema.ResponseExtensions`.
    response_extensions: dict[str, Any] = field(default_factory=dict)
    _user: User | None = field(default=None, repr=False)
    _checked_at: float = field(default=0.0, repr=False)
    #: Why the caller was refused: every field of the request gets the same answer (and a
    #: wrong token counts once).
    _refused: Unauthenticated | None = field(default=None, repr=False)

    def _authenticate(self, session: Session) -> User:
        """The caller, found once per request. A websocket lives on, so it asks again
        every ``RECHECK_SECONDS``: a deleted or expired token, a disabled user or an ended
        session ends its subscriptions too (the lookup is cached, so this is cheap). A
        refused token counts as a failed sign-in of the client (:mod:`quorum.http.sign_ins`)."""
        stale = (
            self.connection_params is not None
            and time.monotonic() - self._checked_at > RECHECK_SECONDS
        )
        if (self._user is None and self._refused is None) or stale:
            self._user, self._refused = None, None
            self._checked_at = time.monotonic()
            try:
                credential = caller_credential(
                    self.session_key, self.request, self.connection_params
                )
                client = client_of(self.request.scope)
                self._user = authenticate(session, credential, self.callers, self.sign_ins, client)
            except Unauthenticated as refused:
                self._refused = refused
        if self._refused is not None:
            raise self._refused
        assert self._user is not None
        return self._user

    async def read(self, fn: Callable[[Session, User], T]) -> T:
        """Run ``fn(session, caller)`` in a read transaction on a worker thread."""

        def run() -> T:
            with self.db.read() as session:
                return fn(session, self._authenticate(session))

        return await run_blocking(run)

    async def write(self, fn: Callable[[Session, User], T]) -> T:
        """Run ``fn(session, caller)`` in a write transaction on a worker thread; the
        transaction commits when ``fn`` returns and rolls back if it raises."""

        def run() -> T:
            with self.db.write() as session:
                return fn(session, self._authenticate(session))

        return await run_blocking(run)


Info = strawberry.Info[Context, None]
