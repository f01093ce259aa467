"""API tokens: made once, stored as SHA-256, looked up by hash.

Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force that
a slow hash would protect (unlike passwords). The plain token is returned once at creation
and never stored.
"""

from __future__ import annotations

import hashlib
import secrets

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


def issue_token(session: Session, user: User) -> str:
    """Store a new token for ``user`` (hashed) and return it in plain text, once."""
    assert user.id is not None
    token = new_token()
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    return token


def user_for_token(session: Session, token: str) -> User:
    """The active user ``token`` belongs to; :class:`Unauthenticated` otherwise."""
    user = fetch_one(session, User, _USER_BY_TOKEN, {"hash": hash_token(token)})
    if user is None or user.disabled:
        raise Unauthenticated("the API token is not valid")
    return user
