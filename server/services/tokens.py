"""API tokens of a user: issue, list, revoke.

A token is stored as its SHA-256 with its last four characters (to tell tokens apart in a
list); the plain token is returned once, at creation. Revoking deletes the row, so the
token stops authenticating at once on a server that has not seen it within its caller
cache's seconds (``QUORUM_AUTH_CACHE_SECONDS``); the GraphQL mutation also empties the
cache of the server that ran it.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from quorum import audit
from quorum.auth import issue_api_token
from quorum.errors import BadInput, NotFound
from quorum.events import TokenCreated, TokenRevoked
from quorum.models import ApiToken, User

MAX_NAME = 100


def create_token(
    session: Session, user: User, *, name: str | None, actor_id: int | None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns its row and the plain token (shown this once)."""
    assert user.id is not None
    if name is not None:
        name = name.strip() or None
    if name is not None and len(name) > MAX_NAME:
        raise BadInput(f"name: at most {MAX_NAME} characters")
    row, token = issue_api_token(session, user, name)
    assert row.id is not None and row.last4 is not None
    audit.record(
        session,
        TokenCreated(
            actor_id=actor_id, entity_id=row.id, user_id=user.id, name=name, last4=row.last4
        ),
    )
    return row, token


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """The live tokens of ``user_id``, oldest first."""
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id))
    return list(session.exec(query))


def revoke_token(
    session: Session, token_id: int, *, actor_id: int | None, organization_id: int | None = None
) -> ApiToken:
    """Delete token ``token_id`` (of a user of ``organization_id`` if given); :class:`NotFound`
    if there is none (or it was revoked)."""
    row = session.get(ApiToken, token_id)
    owner = None if row is None else session.get(User, row.user_id)
    if row is None or owner is None or organization_id not in (None, owner.organization_id):
        raise NotFound(f"id: no token with id {token_id} (it may be revoked already)")
    assert row.id is not None
    session.delete(row)
    audit.record(
        session,
        TokenRevoked(actor_id=actor_id, entity_id=row.id, user_id=row.user_id, last4=row.last4),
    )
    return row
