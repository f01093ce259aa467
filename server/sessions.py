"""Browser sessions: an API token exchanged once for a signed, expiring cookie.

The worker portal and the console run in a browser, where a token kept in page storage
could be read by any script on the page. So the page signs in once with ``POST /session``
(JSON ``{"token": "..."}``) and the server answers with two cookies:

- ``quorum_session`` (HttpOnly, SameSite=Strict, ``Secure`` over HTTPS or with
  ``QUORUM_SECURE_COOKIES=1`` behind a TLS proxy): the hash of the
  token, an expiry time (``SESSION_SECONDS``, 12 hours) and a CSRF value, signed with
  HMAC-SHA256 under a key derived from the data folder's signing key. Scripts cannot read
  it; the server keeps no session table. Every request looks the token hash up again, so
  a deleted token or a disabled user ends the session (within the caller cache's seconds).
- ``quorum_csrf`` (readable by the page, SameSite=Strict): the same CSRF value. A request
  authenticated by the cookie must echo it in the ``X-CSRF-Token`` header (a websocket: in
  the ``connection_init`` payload's ``csrf`` field). Another site's page can make the
  browser send the cookie but cannot read the value (double-submit).

``POST /session`` takes JSON only: a cross-site HTML form cannot send it, so no other site
can sign a visitor in under its own token. ``GET /session`` says who is signed in;
``DELETE /session`` clears both cookies. ``Authorization: Bearer`` keeps working
unchanged for scripts and API clients, and needs no CSRF value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from quorum.auth import hash_token, user_for_token_hash
from quorum.blocking import run_blocking
from quorum.errors import Unauthenticated
from quorum.models import Role, User

SESSION_COOKIE = "quorum_session"
CSRF_COOKIE = "quorum_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_PARAM = "csrf"
SESSION_SECONDS = 12 * 3600
#: Bytes of a sign-in request body beyond which it is refused (a token is ~50 characters).
MAX_SIGN_IN_BYTES = 4096


@dataclass(frozen=True)
class SessionClaims:
    """What a valid session cookie says: whose token, until when, and its CSRF value."""

    token_hash: str
    expires: int
    csrf: str


def session_key(signing_key: bytes) -> bytes:
    """The key session cookies are signed with, derived from the data folder's signing key
    (so a signature made for one purpose is never valid for the other)."""
    return hmac.new(signing_key, b"quorum session cookie", hashlib.sha256).digest()


def _signature(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    """Constant-time equality of two strings, whatever characters a client sent
    (``hmac.compare_digest`` refuses non-ASCII ``str``)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())


def new_session(key: bytes, token_hash: str, now: float | None = None) -> tuple[str, SessionClaims]:
    """A fresh session for the token with ``token_hash``: the cookie value and its claims."""
    claims = SessionClaims(
        token_hash=token_hash,
        expires=int((time.time() if now is None else now) + SESSION_SECONDS),
        csrf=secrets.token_urlsafe(24),
    )
    payload = f"{claims.token_hash}.{claims.expires}.{claims.csrf}"
    return f"{payload}.{_signature(key, payload)}", claims


def read_session(key: bytes, value: str | None, now: float | None = None) -> SessionClaims | None:
    """The claims of a session cookie, or ``None`` if it is missing, forged or expired."""
    if not value:
        return None
    payload, _, signature = value.rpartition(".")
    parts = payload.split(".")
    if len(parts) != 3 or not _same(_signature(key, payload), signature):
        return None
    token_hash, expires, csrf = parts
    if not expires.isdigit() or int(expires) < (time.time() if now is None else now):
        return None
    return SessionClaims(token_hash=token_hash, expires=int(expires), csrf=csrf)


def cookie_token_hash(key: bytes, connection: HTTPConnection, csrf: str | None) -> str | None:
    """The token hash of the connection's session cookie, when it has a valid one and
    ``csrf`` (what the request echoed) matches it; ``None`` when there is no cookie.

    :raises Unauthenticated: a session cookie that is forged or expired, or a request that
        does not echo its CSRF value.
    """
    value = connection.cookies.get(SESSION_COOKIE)
    if value is None:
        return None
    claims = read_session(key, value)
    if claims is None:
        raise Unauthenticated("your session is not valid or has expired: sign in again")
    if csrf is None or not _same(csrf, claims.csrf):
        raise Unauthenticated(
            f"a request signed in by cookie must echo the {CSRF_COOKIE} cookie's value: in the "
            f"X-CSRF-Token header (a websocket: in the connection_init payload's "
            f"{CSRF_PARAM!r} field)"
        )
    return claims.token_hash


def caller_token_hash(
    key: bytes, connection: HTTPConnection, params: Mapping[str, Any] | None = None
) -> str:
    """The hash of the caller's token, wherever it came: ``Authorization: Bearer`` (for a
    websocket, also the ``Authorization`` field of the ``connection_init`` ``params``), or
    else the session cookie with its CSRF value echoed (``X-CSRF-Token`` header; for a
    websocket, the ``csrf`` field of ``params``).

    :raises Unauthenticated: when the caller sent neither, or as :func:`cookie_token_hash`.
    """
    fields = params or {}
    value = fields.get("Authorization") or fields.get("authorization")
    token = bearer_token(connection.headers.get("authorization")) or (
        bearer_token(value) if isinstance(value, str) else None
    )
    if token is not None:
        return hash_token(token)
    if params is not None:
        echoed = fields.get(CSRF_PARAM)
        csrf = echoed if isinstance(echoed, str) else None
    else:
        csrf = connection.headers.get(CSRF_HEADER)
    token_hash = cookie_token_hash(key, connection, csrf)
    if token_hash is None:
        raise Unauthenticated("send your API token as 'Authorization: Bearer <token>'")
    return token_hash


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


async def user_of(request: Request, token_hash: str) -> User:
    """The active user whose token has ``token_hash`` (looked up off the event loop);
    :class:`Unauthenticated` otherwise."""
    db = request.app.state.db

    def lookup() -> User:
        with db.read() as session:
            return user_for_token_hash(session, token_hash)

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
    try:
        user = await user_of(request, token_hash)
    except Unauthenticated as exc:
        return _error(401, str(exc))
    value, claims = new_session(request.app.state.session_key, token_hash)
    response = JSONResponse(_user_json(user))
    secure = request.url.scheme == "https" or request.app.state.settings.secure_cookies
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=secure,
    )
    response.set_cookie(
        CSRF_COOKIE, claims.csrf, max_age=SESSION_SECONDS, samesite="strict", secure=secure
    )
    return response


async def who_is_signed_in(request: Request) -> Response:
    """``GET /session``: the signed-in user, or 401."""
    claims = read_session(request.app.state.session_key, request.cookies.get(SESSION_COOKIE))
    if claims is None:
        return _error(401, "not signed in")
    try:
        user = await user_of(request, claims.token_hash)
    except Unauthenticated as exc:
        return _error(401, str(exc))
    return JSONResponse(_user_json(user))


async def sign_out(_request: Request) -> Response:
    """``DELETE /session``: clear both cookies."""
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, samesite="strict")
    return response
