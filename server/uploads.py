"""``POST /uploads``: a manifest uploaded from the console, stored where jobs can read it.

The console's "upload a manifest" sends the file's bytes as the request body, with its
name in the query (``?name=birds.manifest``), signed in by bearer token or by session
cookie with its CSRF value (:mod:`quorum.sessions`). Only requesters and admins may upload.
The file is stored under ``<QUORUM_STORAGE_URL>/uploads/<user id>/<random>-<name>`` and the
answer names its storage URL (``201 {"url": ..., "bytes": ...}``), ready for
``createJob(input: {inputManifest})``, which checks it line by line as any manifest. The
request size limit (``QUORUM_MAX_REQUEST_BYTES``, 16 MiB by default) bounds an upload; a
bigger manifest goes into storage directly and the job names its URL. The upload is in the
audit trail (``manifest.uploaded``).
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from quorum import audit
from quorum.blocking import run_blocking
from quorum.errors import BadInput, Forbidden, QuorumError, Unauthenticated
from quorum.events import ManifestUploaded
from quorum.models import Role
from quorum.sessions import caller_token_hash, user_of
from quorum.storage import join_url

#: What an uploaded file's name may keep; anything else becomes ``-``.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_STATUS = {BadInput: 400, Unauthenticated: 401, Forbidden: 403}


def _file_name(name: str | None) -> str:
    """A safe object name from the uploaded file's name (``manifest.jsonl`` by default)."""
    cleaned = _UNSAFE.sub("-", (name or "").strip()).strip(".-")[:100]
    return cleaned or "manifest.jsonl"


async def upload_manifest(request: Request) -> Response:
    """Store the request body as a manifest and answer with its storage URL. The caller is
    checked before the body is read; an upload that cannot be audited is removed again."""
    app = request.app.state
    try:
        user = await user_of(request, caller_token_hash(app.session_key, request))
        if Role(user.role) not in (Role.ADMIN, Role.REQUESTER):
            raise Forbidden("only requesters and admins may upload manifests")
        assert user.id is not None
        uploader = user.id
        body = await request.body()
        if not body.strip():
            raise BadInput("the upload is empty: send the manifest's JSON Lines as the body")
        name = f"{uuid.uuid4().hex[:12]}-{_file_name(request.query_params.get('name'))}"
        url = join_url(app.settings.storage_url, "uploads", str(uploader), name)
        await run_blocking(_store, app, uploader, url, body)
    except QuorumError as exc:
        status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
        return JSONResponse({"error": exc.message, "code": exc.code}, status_code=status)
    return JSONResponse({"url": url, "bytes": len(body)}, status_code=201)


def _store(app: State, uploader: int, url: str, body: bytes) -> None:
    """Write the object (no database lock held meanwhile), then audit it; if the audit
    fails, the object goes again, so nothing is stored unaudited."""
    app.plugins.storage.write_bytes(url, body, "application/x-ndjson")
    try:
        with app.db.write() as session:
            event = ManifestUploaded(
                actor_id=uploader, entity_id=uploader, url=url, bytes=len(body)
            )
            audit.record(session, event)
    except BaseException:
        app.plugins.storage.delete(url)
        raise
