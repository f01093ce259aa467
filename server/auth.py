"""API tokens and browser sessions: made once, stored as SHA-256, looked up by hash.

Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force that
a slow hash would protect (unlike passwords). The plain token is returned once at creation
and never stored. A token may have an end (``expires_at``): past it, it is refused with a
message saying so. A browser session (:mod:`quorum.http.sessions`) is a random secret of its
own, stored the same way, that stands for one token until it ends.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from quorum.db.rows import model_from_row, select_rows, stored_time
from quorum.errors import Unauthenticated
from quorum.models import ApiToken, User
from quorum.statuses import utcnow

TOKEN_PREFIX = "qrm_"

#: The caller of each kind of credential, with the moment the credential ends.
_USER_BY = {
    "token": (
        "SELECT users.*, api_tokens.expires_at AS credential_expires_at FROM users "
        "JOIN api_tokens ON api_tokens.user_id = users.id WHERE api_tokens.token_hash = :hash"
    ),
    "session": (
        "SELECT users.*, browser_sessions.expires_at AS credential_expires_at "
        "FROM browser_sessions JOIN api_tokens ON api_tokens.id = browser_sessions.token_id "
        "JOIN users ON users.id = api_tokens.user_id WHERE browser_sessions.secret_hash = :hash"
    ),
}
_NOT_VALID = {
    "token": "the API token is not valid",
    "session": "your session is not valid or has ended: sign in again",
}
_EXPIRED = {
    "token": "the API token expired at {at}: ask an administrator for a new one",
    "session": "your session expired at {at}: sign in again",
}


@dataclass(frozen=True)
class Credential:
    """What a caller proves who they are with: an API token or a browser session's
    secret, known by its hash."""

    kind: Literal["token", "session"]
    hash: str

    @property
    def cache_key(self) -> str:
        """Its key in a :class:`CallerCache`."""
        return f"{self.kind}:{self.hash}"


def new_token() -> str:
    """A fresh random API token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of ``token``."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, user: User, name: str | None = None, expires_at: datetime | None = None
) -> str:
    """Store a new token for ``user`` (hashed, with its last four characters, an optional
    ``name`` and end) and return it in plain text, once."""
    return issue_api_token(session, user, name, expires_at)[1]


def issue_api_token(
    session: Session, user: User, name: str | None = None, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """:func:`issue_token`, returning the stored row too (flushed, so it has its id)."""
    assert user.id is not None
    token = new_token()
    row = ApiToken(
        user_id=user.id,
        token_hash=hash_token(token),
        name=name,
        last4=token[-4:],
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row, token


def user_for_token(session: Session, token: str, cache: CallerCache | None = None) -> User:
    """The active user ``token`` belongs to; :class:`Unauthenticated` otherwise. With a
    ``cache``, a token seen within its time to live is answered without a query."""
    return user_for(session, Credential("token", hash_token(token)), cache)


def user_for(session: Session, credential: Credential, cache: CallerCache | None = None) -> User:
    """The active user ``credential`` stands for; :class:`Unauthenticated` for one nobody
    holds, a disabled user's, or one past its end (the message says when it ended)."""
    if cache is not None and (cached := cache.get(credential.cache_key)) is not None:
        return cached
    rows = select_rows(session, _USER_BY[credential.kind], {"hash": credential.hash}, User)
    if not rows or rows[0]["disabled"]:
        raise Unauthenticated(_NOT_VALID[credential.kind])
    ends = stored_time(rows[0].pop("credential_expires_at"))
    if ends is not None and ends <= utcnow():
        at = ends.strftime("%Y-%m-%dT%H:%M:%SZ")
        raise Unauthenticated(_EXPIRED[credential.kind].format(at=at), expiredAt=at)
    user = model_from_row(User, rows[0])
    if cache is not None:
        cache.put(credential.cache_key, user, ends)
    return user


class CallerCache:
    """Who each recently seen token or session belongs to, for ``ttl_seconds``
    (``QUORUM_AUTH_CACHE_SECONDS``, 5 by default; 0 turns it off).

    A worker's claim-and-submit loop sends two requests per item; looking the token up for
    each was a query per request (a round trip on PostgreSQL). The price is that a user who
    is disabled, or whose token is deleted or whose role changes, keeps the old access for
    up to ``ttl_seconds`` on each server process. Only valid tokens are remembered (a wrong
    token always costs a query), keyed by hash, at most ``max_entries`` of them, and none
    past its credential's end.
    """

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, User]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> User | None:
        """The user last seen with ``key`` (a :attr:`Credential.cache_key`), unless that
        was too long ago."""
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def forget_user(self, user_id: int) -> None:
        """Drop every remembered token of ``user_id`` (after a change that revokes their
        access: disabled, a token revoked), so that this process asks the database again."""
        with self._lock:
            self._entries = {
                key: entry for key, entry in self._entries.items() if entry[1].id != user_id
            }

    def forget(self, key: str) -> None:
        """Drop what was remembered for ``key`` (a session signed out)."""
        with self._lock:
            self._entries.pop(key, None)

    def put(self, key: str, user: User, ends: datetime | None = None) -> None:
        """Remember ``user`` for ``key``, no longer than the credential's end ``ends``
        (nothing, when caching is off)."""
        ttl = self.ttl_seconds
        if ends is not None:
            ttl = min(ttl, (ends - utcnow()).total_seconds())
        if ttl <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                live = {name: entry for name, entry in self._entries.items() if entry[0] >= now}
                self._entries = live if len(live) < self.max_entries else {}
            self._entries[key] = (now + ttl, user)
