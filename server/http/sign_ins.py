"""Failed sign-ins, limited per client: a wrong token ``N`` times in a minute, then 429.

A token is 256 random bits, so guessing one is hopeless; what the limit stops is a client
that keeps sending wrong (or revoked, or expired) tokens, each costing a database query,
and anyone trying anyway. It counts every refused token, from ``POST /session`` and from
``Authorization: Bearer`` on any route (a websocket's ``connection_init`` included), by
client address: the IP, or for IPv6 its /64 (what one subscriber usually holds). Once a
client has ``QUORUM_SIGN_IN_FAILURES_PER_MINUTE`` (10) failures in the last 60 seconds,
its requests with a token, and its sign-ins, get ``429 Too Many Requests`` with
``Retry-After`` (a websocket's ``connection_init``: UNAUTHENTICATED) until the oldest of
them is a minute old; a signed-in browser's cookie keeps working, and so does everyone
else. A success does not reset the count, so a good token cannot launder guesses.

Behind a reverse proxy every client has the proxy's address unless uvicorn trusts its
``X-Forwarded-For`` (``FORWARDED_ALLOW_IPS``, 127.0.0.1 by default): set it, or one client
can shut the others out. At most ``max_clients`` (10,000) addresses are remembered, the
one that failed longest ago forgotten first, so memory stays bounded whatever the flood.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from quorum.auth import CallerCache, Credential, user_for
from quorum.errors import Unauthenticated
from quorum.models import User

T = TypeVar("T")

WINDOW_SECONDS = 60.0
logger = logging.getLogger("quorum.sign_ins")


class TooManyFailedSignIns(Unauthenticated):
    """The client failed to sign in too often in the last minute: nothing is checked."""

    def __init__(self, failures: int, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            f"too many failed sign-ins from your address ({failures} in the last minute): "
            f"try again in {self.retry_after} seconds"
        )


class SignInLimiter:
    """The last ``per_minute`` failure times of each client (a sliding window), for at
    most ``max_clients`` clients. Safe to use from any thread."""

    def __init__(
        self,
        per_minute: int,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.max_clients = max_clients
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def failed(self, client: str) -> None:
        """Count one failed sign-in of ``client``."""
        with self._lock:
            times = self._failures.pop(client, None) or deque(maxlen=self.per_minute)
            times.append(self._clock())
            self._failures[client] = times
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)

    def refusal(self, client: str) -> TooManyFailedSignIns | None:
        """The refusal for ``client`` when it is at its limit (logged, one INFO line, as
        each refusal is), else ``None``."""
        with self._lock:
            times = self._failures.get(client)
            if times is None or len(times) < self.per_minute:
                return None
            wait = times[0] + WINDOW_SECONDS - self._clock()
        if wait <= 0:
            return None
        refused = TooManyFailedSignIns(self.per_minute, wait)
        logger.info(
            "sign-in refused for %s: %d failed sign-ins in the last minute, retry in %d s",
            client,
            self.per_minute,
            refused.retry_after,
        )
        return refused

    def attempt(self, client: str, check: Callable[[], T]) -> T:
        """``check()``, counting an :class:`Unauthenticated` it raises as a failure of
        ``client``; :class:`TooManyFailedSignIns` at once for a client at its limit."""
        refused = self.refusal(client)
        if refused is not None:
            raise refused
        try:
            return check()
        except Unauthenticated:
            self.failed(client)
            raise


def client_of(scope: Scope) -> str:
    """The address a request's failures count against: its IP, or an IPv6 address's /64."""
    client = scope.get("client")
    host = client[0] if client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def authenticate(
    session: Session,
    credential: Credential,
    cache: CallerCache | None,
    limiter: SignInLimiter,
    client: str,
) -> User:
    """:func:`quorum.auth.user_for`; a token it refuses counts against ``client``, and a
    client at its limit is refused without a look-up. A session's secret is not counted
    (a browser holding an ended session is no guess)."""
    if credential.kind != "token":
        return user_for(session, credential, cache)
    return limiter.attempt(client, lambda: user_for(session, credential, cache))


def _signs_in(scope: Scope) -> bool:
    """Whether an HTTP request tries a token: ``POST /session``, or ``Authorization``."""
    if scope["method"] == "POST" and scope["path"] == "/session":
        return True
    return any(name == b"authorization" for name, _value in scope["headers"])


class SignInLimit:
    """Answer 429 (``Retry-After``, and a sentence as ``{"error": ...}``) to an HTTP
    request that tries a token from a client at its limit, before anything reads it."""

    def __init__(self, app: ASGIApp, limiter: SignInLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _signs_in(scope):
            refused = self.limiter.refusal(client_of(scope))
            if refused is not None:
                response = JSONResponse(
                    {"error": refused.message},
                    status_code=429,
                    headers={"Retry-After": str(refused.retry_after)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
