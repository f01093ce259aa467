"""``POST /uploads``: a manifest uploaded from the console, stored where jobs can read it.

The console's "upload a manifest" sends the file's bytes as the request body, with its
name in the query (``?name=birds.manifest``), signed in by bearer token or by session
cookie with its CSRF value (:mod:`quorum.http.sessions`). Only requesters and admins may upload.
The file is stored under ``<home>/uploads/<user id>/<random>-<name>``, in the home of the
uploader's organization (:func:`quorum.tenancy.home_url`), and the
answer names its storage URL (``201 {"url": ..., "bytes": ...}``), ready for
``createJob(input: {inputManifest})``. The request size limit
(``QUORUM_MAX_REQUEST_BYTES``, 16 MiB by default) bounds an upload; a bigger manifest goes
into storage directly and the job names its URL. The upload is in the audit trail
(``manifest.uploaded``).

With ``&taskType=<task type>`` the lines are checked before anything is stored, with the
ingest's own line checks (:func:`quorum.runner.ingest.check_line`): every line of an upload
up to :data:`CHECK_ALL_BYTES` (1 MiB), the first :data:`FIRST_LINES` lines of a bigger one
(the ingest checks the rest when the job starts). Bad lines refuse the upload, ``400
{"error", "code": "BAD_INPUT", "lines": [{"line": 3, "reason": "not valid JSON ..."}]}``
(up to :data:`MAX_LINE_ERRORS` of them, numbered as the ingest numbers them), and nothing
is stored; a good upload's answer says how many lines were checked (``"checked"``) and
whether that was all of them (``"checkedAll"``).
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from quorum import audit
from quorum.blocking import run_blocking
from quorum.errors import BadInput, Forbidden, QuorumError, Unauthenticated
from quorum.events import ManifestUploaded
from quorum.http.sessions import caller_credential, user_of
from quorum.plugins import PluginHost
from quorum.runner.ingest import ManifestError, check_line
from quorum.statuses import Role
from quorum.storage import Storage, join_url
from quorum.tenancy import home_url, organization_storage

#: What an uploaded file's name may keep; anything else becomes ``-``.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_STATUS = {BadInput: 400, Unauthenticated: 401, Forbidden: 403}
#: An upload up to this size is checked to its last line; a bigger one, its first lines.
CHECK_ALL_BYTES = 1 << 20
FIRST_LINES = 1_000
#: The bad lines an answer lists at most (checking stops there).
MAX_LINE_ERRORS = 20


@dataclass
class LineCheck:
    """What checking an upload's lines found: how many (non-blank) lines were checked,
    whether that was all of them, and the bad ones (``{"line": n, "reason": ...}``)."""

    checked: int = 0
    complete: bool = True
    errors: list[dict[str, Any]] = field(default_factory=list)


def check_manifest(body: bytes, task_type: str, plugins: PluginHost, storage: Storage) -> LineCheck:
    """Check an uploaded manifest's lines as the ingest will for a job of ``task_type``
    (``source-ref``s within ``storage``, the uploader's organization's): all of them up to
    :data:`CHECK_ALL_BYTES`, else the first :data:`FIRST_LINES`."""
    kind = plugins.task_types.get(task_type, "taskType")
    whole = len(body) <= CHECK_ALL_BYTES
    result = LineCheck()
    for number, raw in enumerate(io.BytesIO(body), start=1):
        if not raw.strip():
            continue
        if len(result.errors) >= MAX_LINE_ERRORS or (not whole and result.checked >= FIRST_LINES):
            result.complete = False
            break
        result.checked += 1
        try:
            check_line(number, raw, kind, storage)
        except ManifestError as exc:
            reason = exc.message.removeprefix(f"line {number}: ")
            result.errors.append({"line": number, "reason": reason})
    return result


def _refusal(check: LineCheck) -> BadInput:
    """The error refusing an upload with bad lines, naming the first."""
    first = check.errors[0]
    more = len(check.errors) - 1
    others = f" (and {more} more bad line{'s' if more > 1 else ''})" if more else ""
    return BadInput(
        f"line {first['line']}: {first['reason']}{others}; fix the manifest and upload it again",
        lines=check.errors,
    )


def _file_name(name: str | None) -> str:
    """A safe object name from the uploaded file's name (``manifest.jsonl`` by default)."""
    cleaned = _UNSAFE.sub("-", (name or "").strip()).strip(".-")[:100]
    return cleaned or "manifest.jsonl"


async def upload_manifest(request: Request) -> Response:
    """Store the request body as a manifest and answer with its storage URL. The caller is
    checked before the body is read; an upload that cannot be audited is removed again."""
    app = request.app.state
    try:
        user = await user_of(request, caller_credential(app.session_key, request))
        if Role(user.role) not in (Role.ADMIN, Role.REQUESTER):
            raise Forbidden("only requesters and admins may upload manifests")
        assert user.id is not None
        uploader = user.id
        body = await request.body()
        if not body.strip():
            raise BadInput("the upload is empty: send the manifest's JSON Lines as the body")
        storage = await run_blocking(_storage_of, app, user.organization_id)
        task_type = request.query_params.get("taskType")
        check = None
        if task_type is not None:
            check = await run_blocking(check_manifest, body, task_type, app.plugins, storage)
            if check.errors:
                raise _refusal(check)
        name = f"{uuid.uuid4().hex[:12]}-{_file_name(request.query_params.get('name'))}"
        home = home_url(app.settings, user.organization_id)
        url = join_url(home, "uploads", str(uploader), name)
        await run_blocking(_store, app, storage, uploader, url, body)
    except QuorumError as exc:
        status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
        details = {key: value for key, value in exc.extensions.items() if key != "code"}
        return JSONResponse({"error": exc.message, "code": exc.code, **details}, status_code=status)
    answer: dict[str, Any] = {"url": url, "bytes": len(body)}
    if check is not None:
        answer.update(checked=check.checked, checkedAll=check.complete)
    return JSONResponse(answer, status_code=201)


def _storage_of(app: State, organization_id: int) -> Storage:
    """The storage of the uploader's organization."""
    with app.db.read() as session:
        return organization_storage(session, app.plugins.storage, app.settings, organization_id)


def _store(app: State, storage: Storage, uploader: int, url: str, body: bytes) -> None:
    """Write the object (no database lock held meanwhile), then audit it; if the audit
    fails, the object goes again, so nothing is stored unaudited."""
    storage.write_bytes(url, body, "application/x-ndjson")
    try:
        with app.db.write() as session:
            event = ManifestUploaded(
                actor_id=uploader, entity_id=uploader, url=url, bytes=len(body)
            )
            audit.record(session, event)
    except BaseException:
        storage.delete(url)
        raise
