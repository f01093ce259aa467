"""API tokens: made once, stored as SHA-256, looked up by hash.

Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force that
a slow hash would protect (unlike passwords). The plain token is returned once at creation
and never stored.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

from sqlmodel import Session

from quorum.errors import Unauthenticated
from quorum.models import ApiToken, User
from quorum.rows import fetch_one

TOKEN_PREFIX = "qrm_"

_USER_BY_TOKEN = (
    "SELECT users.* FROM users JOIN api_tokens ON api_tokens.user_id = users.id "
    "WHERE api_tokens.token_hash = :hash"
)


def new_token() -> str:
    """A fresh random API token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of ``token``."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str | None = None) -> str:
    """Store a new token for ``user`` (hashed, with its last four characters and an
    optional ``name``) and return it in plain text, once."""
    return issue_api_token(session, user, name)[1]


def issue_api_token(session: Session, user: User, name: str | None = None) -> tuple[ApiToken, str]:
    """:func:`issue_token`, returning the stored row too (flushed, so it has its id)."""
    assert user.id is not None
    token = new_token()
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), name=name, last4=token[-4:])
    session.add(row)
    session.flush()
    return row, token


def user_for_token(session: Session, token: str, cache: CallerCache | None = None) -> User:
    """The active user ``token`` belongs to; :class:`Unauthenticated` otherwise. With a
    ``cache``, a token seen within its time to live is answered without a query."""
    return user_for_token_hash(session, hash_token(token), cache)


def user_for_token_hash(
    session: Session, token_hash: str, cache: CallerCache | None = None
) -> User:
    """:func:`user_for_token` for a token known by its hash (a browser session's)."""
    if cache is not None and (cached := cache.get(token_hash)) is not None:
        return cached
    user = fetch_one(session, User, _USER_BY_TOKEN, {"hash": token_hash})
    if user is None or user.disabled:
        raise Unauthenticated("the API token is not valid")
    if cache is not None:
        cache.put(token_hash, user)
    return user


class CallerCache:
    """Who each recently seen token belongs to, for ``ttl_seconds``
    (``QUORUM_AUTH_CACHE_SECONDS``, 5 by default; 0 turns it off).

    A worker's claim-and-submit loop sends two requests per item; looking the token up for
    each was a query per request (a round trip on PostgreSQL). The price is that a user who
    is disabled, or whose token is deleted or whose role changes, keeps the old access for
    up to ``ttl_seconds`` on each server process. Only valid tokens are remembered (a wrong
    token always costs a query), keyed by hash, at most ``max_entries`` of them.
    """

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, User]] = {}
        self._lock = threading.Lock()

    def get(self, token_hash: str) -> User | None:
        """The user last seen with ``token_hash``, unless that was too long ago."""
        entry = self._entries.get(token_hash)
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

    def put(self, token_hash: str, user: User) -> None:
        """Remember ``user`` for ``token_hash`` (nothing, when caching is off)."""
        if self.ttl_seconds <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                live = {key: entry for key, entry in self._entries.items() if entry[0] >= now}
                self._entries = live if len(live) < self.max_entries else {}
            self._entries[token_hash] = (now + self.ttl_seconds, user)
