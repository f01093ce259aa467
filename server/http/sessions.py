"""Browser sessions: an API token exchanged once for a session the server can end.

The worker portal and the console run in a browser, where a token kept in page storage
could be read by any script on the page. So the page signs in once with ``POST /session``
(JSON ``{"token": "..."}``) and the server answers with two cookies:

- ``quorum_session`` (HttpOnly, SameSite=Strict, ``Secure`` over HTTPS or with
  ``QUORUM_SECURE_COOKIES=1`` behind a TLS proxy): a random 256-bit secret naming a row
  of ``browser_sessions`` (which stores only its SHA-256, with the token it stands for and
  its end: ``SESSION_SECONDS``, 12 hours, or the token's own end if sooner). Scripts
  cannot read it. Every request looks the session up, through its token to its user, so
  ``DELETE /session`` (which deletes the row), revoking the token or disabling the user
  (which delete the token's or the user's sessions) ends it: a copied cookie is refused
  from then on, at once on this server process and within the caller cache's seconds
  (``QUORUM_AUTH_CACHE_SECONDS``) on others.
- ``quorum_csrf`` (readable by the page, SameSite=Strict): an HMAC-SHA256 of the session's
  secret, under a key derived from the data folder's signing key. A request authenticated
  by the cookie must echo it in the ``X-CSRF-Token`` header (a websocket: in the
  ``connection_init`` payload's ``csrf`` field). Another site's page can make the browser
  send the cookie but cannot read or compute the value (signed double-submit).

``POST /session`` takes JSON only: a cross-site HTML form cannot send it, so no other site
can sign a visitor in under its own token. A wrong token there counts as a failed sign-in
(:mod:`quorum.http.sign_ins`). ``GET /session`` says who is signed in; ``DELETE /session``
ends the session and clears both cookies. ``Authorization: Bearer`` keeps working
unchanged for scripts and API clients, and needs no CSRF value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from quorum.auth import Credential, hash_token
from quorum.blocking import run_blocking
from quorum.errors import Unauthenticated
from quorum.http.sign_ins import TooManyFailedSignIns, authenticate, client_of
from quorum.models import ApiToken, BrowserSession, User
from quorum.statuses import Role, utcnow

SESSION_COOKIE = "quorum_session"
CSRF_COOKIE = "quorum_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_PARAM = "csrf"
SESSION_SECONDS = 12 * 3600
#: Bytes of a sign-in request body beyond which it is refused (a token is ~50 characters).
MAX_SIGN_IN_BYTES = 4096
#: What a session secret looks like (``secrets.token_urlsafe(32)``): anything else is
#: refused without a query.
_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")


def session_key(signing_key: bytes) -> bytes:
    """The key CSRF values are made with, derived from the data folder's signing key
    (so a signature made for one purpose is never valid for the other)."""
    return hmac.new(signing_key, b"quorum session cookie", hashlib.sha256).digest()


def csrf_value(key: bytes, secret: str) -> str:
    """The CSRF value of the session with ``secret``."""
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    """Constant-time equality of two strings, whatever characters a client sent
    (``hmac.compare_digest`` refuses non-ASCII ``str``)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())


def open_session(session: Session, token_hash: str) -> tuple[str, datetime]:
    """Store a new session for the (valid) token with ``token_hash``, deleting sessions
    that have ended; returns its secret and its end."""
    now = utcnow()
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()
    if token is None or token.id is None:  # revoked since it was checked
        raise Unauthenticated("the API token is not valid")
    ends = now + timedelta(seconds=SESSION_SECONDS)
    if token.expires_at is not None:
        ends = min(ends, token.expires_at)
    session.execute(sa.delete(BrowserSession).where(col(BrowserSession.expires_at) <= now))
    secret = secrets.token_urlsafe(32)
    session.add(BrowserSession(secret_hash=hash_token(secret), token_id=token.id, expires_at=ends))
    return secret, ends


def close_session(session: Session, credential: Credential) -> None:
    """Delete the session ``credential`` names (nothing, if it has ended already)."""
    statement = sa.delete(BrowserSession).where(col(BrowserSession.secret_hash) == credential.hash)
    session.execute(statement)


def _cookie_secret(connection: HTTPConnection) -> Credential | None:
    """The session the connection's cookie names, without any check of its CSRF value;
    ``None`` when there is no cookie.

    :raises Unauthenticated: a cookie that cannot be a session's.
    """
    value = connection.cookies.get(SESSION_COOKIE)
    if value is None:
        return None
    if not _SECRET.fullmatch(value):
        raise Unauthenticated("your session is not valid or has ended: sign in again")
    return Credential("session", hash_token(value))


def cookie_credential(
    key: bytes, connection: HTTPConnection, csrf: str | None
) -> Credential | None:
    """The session of the connection's cookie, when ``csrf`` (what the request echoed)
    matches it; ``None`` when there is no cookie.

    :raises Unauthenticated: a cookie that cannot be a session's, or a request that does
        not echo its CSRF value.
    """
    credential = _cookie_secret(connection)
    if credential is None:
        return None
    secret = connection.cookies[SESSION_COOKIE]
    if csrf is None or not _same(csrf, csrf_value(key, secret)):
        raise Unauthenticated(
            f"a request signed in by cookie must echo the {CSRF_COOKIE} cookie's value: in the "
            f"X-CSRF-Token header (a websocket: in the connection_init payload's "
            f"{CSRF_PARAM!r} field)"
        )
    return credential


def caller_credential(
    key: bytes, connection: HTTPConnection, params: Mapping[str, Any] | None = None
) -> Credential:
    """The caller's credential, wherever it came: ``Authorization: Bearer`` (for a
    websocket, also the ``Authorization`` field of the ``connection_init`` ``params``), or
    else the session cookie with its CSRF value echoed (``X-CSRF-Token`` header; for a
    websocket, the ``csrf`` field of ``params``).

    :raises Unauthenticated: when the caller sent neither, or as :func:`cookie_credential`.
    """
    fields = params or {}
    value = fields.get("Authorization") or fields.get("authorization")
    token = bearer_token(connection.headers.get("authorization")) or (
        bearer_token(value) if isinstance(value, str) else None
    )
    if token is not None:
        return Credential("token", hash_token(token))
    if params is not None:
        echoed = fields.get(CSRF_PARAM)
        csrf = echoed if isinstance(echoed, str) else None
    else:
        csrf = connection.headers.get(CSRF_HEADER)
    credential = cookie_credential(key, connection, csrf)
    if credential is None:
        raise Unauthenticated("send your API token as 'Authorization: Bearer <token>'")
    return credential


def bearer_token(value: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` value, if there is one."""
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _user_json(user: User) -> dict[str, object]:
    return {"user": {"id": str(user.id), "name": user.name, "role": Role(user.role).name}}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def user_of(request: Request, credential: Credential) -> User:
    """The active user ``credential`` stands for (looked up off the event loop, through
    the server's caller cache; a refused token counts as a failed sign-in);
    :class:`Unauthenticated` otherwise."""
    state = request.app.state

    def lookup() -> User:
        with state.db.read() as session:
            return authenticate(
                session, credential, state.callers, state.sign_ins, client_of(request.scope)
            )

    return await run_blocking(lookup)


async def sign_in(request: Request) -> Response:
    """``POST /session``: exchange ``{"token": "..."}`` for the session cookies."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _error(415, 'send the token as JSON: {"token": "..."}')
    body = await request.body()
    if len(body) > MAX_SIGN_IN_BYTES:
        return _error(413, f"the sign-in request is over {MAX_SIGN_IN_BYTES} bytes")
    try:
        token = json.loads(body).get("token")
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token.strip():
        return _error(400, 'send the token as JSON: {"token": "..."}')
    token_hash = hash_token(token.strip())
    db = request.app.state.db
    try:
        user = await user_of(request, Credential("token", token_hash))

        def store() -> tuple[str, datetime]:
            with db.write() as session:
                return open_session(session, token_hash)

        secret, ends = await run_blocking(store)
    except TooManyFailedSignIns as exc:
        response = _error(429, exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Unauthenticated as exc:
        return _error(401, exc.message)
    response = JSONResponse(_user_json(user))
    secure = request.url.scheme == "https" or request.app.state.settings.secure_cookies
    max_age = max(1, int((ends - utcnow()).total_seconds()))
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=max_age, httponly=True, samesite="strict", secure=secure
    )
    csrf = csrf_value(request.app.state.session_key, secret)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=max_age, samesite="strict", secure=secure)
    return response


async def who_is_signed_in(request: Request) -> Response:
    """``GET /session``: the signed-in user, or 401."""
    try:
        credential = _cookie_secret(request)
        if credential is None:
            return _error(401, "not signed in")
        user = await user_of(request, credential)
    except Unauthenticated as exc:
        return _error(401, exc.message)
    return JSONResponse(_user_json(user))


async def sign_out(request: Request) -> Response:
    """``DELETE /session``: end the session (its cookie, even a copy, is refused from now
    on) and clear both cookies."""
    state = request.app.state
    try:
        credential = _cookie_secret(request)
    except Unauthenticated:
        credential = None
    if credential is not None:
        ended = credential

        def end() -> None:
            with state.db.write() as session:
                close_session(session, ended)

        await run_blocking(end)
        state.callers.forget(credential.cache_key)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, samesite="strict")
    return response
