"""``/objects/{path}``: serve a file of the local store to a browser holding a signed URL.

A storage backend whose objects are files on the server's disk (the built-in ``file://``,
or a plugin's) hands browsers URLs made by
:meth:`quorum.storage.StorageBackend.signed_file_url` (:func:`quorum.http.signing.sign_path`):
``/objects`` + the quoted absolute path, an expiry time and an HMAC signature. This route
serves the file only while the signature matches, the time has not passed, and the path
(symlinks resolved now, not when it was signed) is still inside a readable root
(:func:`quorum.storage.resolve_inside`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from quorum.blocking import run_blocking
from quorum.http.signing import verify_path
from quorum.storage import resolve_inside

if TYPE_CHECKING:
    from quorum.settings import Settings

#: Served files are workers' data, not pages of this site: no scripts, no MIME sniffing.
_SAFE_HEADERS = {
    "Content-Security-Policy": "sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=300",
}


async def _signing_key(request: Request) -> bytes:
    """The app's URL-signing key, read from the data folder once and kept on ``app.state``."""
    key: bytes | None = getattr(request.app.state, "signing_key", None)
    if key is None:
        settings: Settings = request.app.state.settings
        key = await run_blocking(settings.signing_key)
        request.app.state.signing_key = key
    return key


def _servable(path: str, roots: Iterable[Path]) -> tuple[int, str]:
    """(status, resolved path): 403 outside the roots, 404 if no such file, else 200."""
    resolved = resolve_inside(path, roots)
    if resolved is None:
        return 403, path
    if not os.path.isfile(resolved):
        return 404, resolved
    return 200, resolved


async def serve_object(request: Request) -> Response:
    """Serve the file a signed ``/objects/...`` URL names (403 if forged, expired or no longer
    inside a readable root; 404 if missing)."""
    settings: Settings = request.app.state.settings
    key = await _signing_key(request)
    # Starlette has already percent-decoded the path; quoting it again gives verify_path the
    # form sign_path produced, so names holding "%" survive the round trip.
    signed = verify_path(
        key,
        quote("/" + str(request.path_params["path"])),
        request.query_params.get("expires", ""),
        request.query_params.get("signature", ""),
    )
    if signed is None:
        return PlainTextResponse("signed URL is invalid or expired", status_code=403)
    status, resolved = await run_blocking(_servable, signed, settings.readable_roots)
    if status == 403:
        return PlainTextResponse("this file is outside the readable folders", status_code=403)
    if status == 404:
        return PlainTextResponse("no such object", status_code=404)
    return FileResponse(resolved, headers=_SAFE_HEADERS)
