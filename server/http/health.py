"""``GET /healthz``: whether the server can do its work, not only whether it answers.

Two checks, each with a short timeout: a cheap read of the database, and the object
store (a small object written and deleted) with the data folder's free space. A server
whose disk is full answers 503 naming what fails, so a load balancer or an operator
learns of it before every write fails.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from quorum.blocking import run_blocking
from quorum.db.engine import Database
from quorum.errors import DISK_FULL_MESSAGE, DiskFull, is_disk_full
from quorum.storage import Storage, join_url

#: How long each check may take before it counts as failing.
CHECK_TIMEOUT_SECONDS = 3.0
#: Less free space than this in the data folder is a failing check: writes are about to fail.
MIN_FREE_BYTES = 16 * 1024 * 1024
#: The key of the object the storage check writes and deletes.
PROBE_KEY = ".quorum-healthz"

Check = Callable[[], None]


def database_check(db: Database) -> Check:
    """A check that reads one row from the database."""

    def check() -> None:
        with db.read() as session:
            session.execute(text("SELECT 1"))

    return check


def storage_check(storage: Storage, storage_url: str, data_dir: Path) -> Check:
    """A check that the data folder has :data:`MIN_FREE_BYTES` free and that the object
    store at ``storage_url`` takes a small object (written, then deleted)."""

    def check() -> None:
        free = shutil.disk_usage(data_dir).free if data_dir.exists() else MIN_FREE_BYTES
        if free < MIN_FREE_BYTES:
            raise DiskFull(f"disk full: {free} bytes free in {data_dir}")
        url = join_url(storage_url, f"{PROBE_KEY}-{uuid.uuid4().hex}")
        storage.write_bytes(url, b"ok", "text/plain")
        storage.delete(url)

    return check


def _reason(exc: BaseException) -> str:
    """What a failing check says: ``disk full`` for a full disk, else the error's first line."""
    if isinstance(exc, DiskFull):
        return exc.message
    if is_disk_full(exc):
        return DISK_FULL_MESSAGE
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:200]


async def _run(check: Check) -> str:
    try:
        await asyncio.wait_for(run_blocking(check), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"
    except Exception as exc:  # any failure is the check's answer
        return _reason(exc)
    return "ok"


async def health(checks: dict[str, Check]) -> tuple[int, dict[str, object]]:
    """Run ``checks`` at once, each on the blocking pool; returns the HTTP status (200,
    or 503 if one fails) and the body, ``{"status": "ok" | "failing", "checks": {name:
    "ok" | what fails}}``."""
    names = list(checks)
    results = await asyncio.gather(*(_run(checks[name]) for name in names))
    answers = dict(zip(names, results, strict=True))
    failing = any(result != "ok" for result in results)
    return (503 if failing else 200), {
        "status": "failing" if failing else "ok",
        "checks": answers,
    }
