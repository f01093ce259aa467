"""API tokens of a user: issue, list, revoke; and the browser sessions made from them.

A token is stored as its SHA-256 with its last four characters (to tell tokens apart in a
list); the plain token is returned once, at creation. It may be given an end
(``expires_at``), after which it is refused with a message saying it expired; its row
stays (listed with its end) until it is revoked. Revoking deletes the row and the
browser sessions made from it, so the token stops authenticating at once on a server
that has not seen it within its caller cache's seconds (``QUORUM_AUTH_CACHE_SECONDS``);
the GraphQL mutation also empties the cache of the server that ran it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from quorum import audit
from quorum.auth import issue_api_token
from quorum.errors import BadInput, NotFound
from quorum.events import TokenCreated, TokenRevoked
from quorum.models import ApiToken, BrowserSession, User
from quorum.statuses import utcnow

MAX_NAME = 100


def token_end(expires_at: datetime | None, field: str = "expiresAt") -> datetime | None:
    """``expires_at`` as an aware UTC datetime (one without an offset is UTC);
    :class:`BadInput` naming ``field`` for a moment that has passed."""
    if expires_at is None:
        return None
    if expires_at.utcoffset() is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at <= utcnow():
        shown = expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise BadInput(f"{field}: {shown} has passed; give a moment in the future")
    return expires_at.astimezone(UTC)


def create_token(
    session: Session,
    user: User,
    *,
    name: str | None,
    actor_id: int | None,
    expires_at: datetime | None = None,
    expires_field: str = "expiresAt",
) -> tuple[ApiToken, str]:
    """A new token for ``user``, refused from ``expires_at`` on if given (errors about it
    name ``expires_field``); returns its row and the plain token (shown this once)."""
    assert user.id is not None
    if name is not None:
        name = name.strip() or None
    if name is not None and len(name) > MAX_NAME:
        raise BadInput(f"name: at most {MAX_NAME} characters")
    ends = token_end(expires_at, expires_field)
    row, token = issue_api_token(session, user, name, ends)
    assert row.id is not None and row.last4 is not None
    audit.record(
        session,
        TokenCreated(
            actor_id=actor_id, entity_id=row.id, user_id=user.id, name=name, last4=row.last4
        ),
    )
    return row, token


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """The tokens of ``user_id`` not revoked (expired ones too: ``expires_at`` says),
    oldest first."""
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
    end_sessions(session, token_id=row.id)
    session.delete(row)
    audit.record(
        session,
        TokenRevoked(actor_id=actor_id, entity_id=row.id, user_id=row.user_id, last4=row.last4),
    )
    return row


def end_sessions(
    session: Session, *, token_id: int | None = None, user_id: int | None = None
) -> None:
    """Delete the browser sessions made from token ``token_id``, or from any token of
    ``user_id``: their cookies are refused from now on."""
    tokens = select(ApiToken.id)
    if token_id is not None:
        tokens = tokens.where(ApiToken.id == token_id)
    if user_id is not None:
        tokens = tokens.where(ApiToken.user_id == user_id)
    statement = sa.delete(BrowserSession).where(col(BrowserSession.token_id).in_(tokens))
    session.execute(statement)
