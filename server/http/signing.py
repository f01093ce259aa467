"""HMAC-signed, expiring URLs for objects of the local store (``/objects/...``).

A signed URL names an absolute file path, an expiry time (Unix seconds) and an HMAC-SHA256
over both with the key in the data folder. The server serves the file only while the
signature matches, the time has not passed, and the path is still inside a readable root.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, unquote

OBJECTS_ROUTE = "/objects"


def _signature(key: bytes, path: str, expires: int) -> str:
    message = f"{path}\n{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign_path(key: bytes, path: str, expires_seconds: int, now: float | None = None) -> str:
    """The server-relative URL that serves the file at absolute ``path`` until it expires."""
    expires = int((time.time() if now is None else now) + expires_seconds)
    signature = _signature(key, path, expires)
    return f"{OBJECTS_ROUTE}{quote(path)}?expires={expires}&signature={signature}"


def verify_path(
    key: bytes, quoted_path: str, expires: str, signature: str, now: float | None = None
) -> str | None:
    """The absolute path a signed URL names, or ``None`` if it is forged or expired."""
    path = unquote(quoted_path)
    try:
        expires_at = int(expires)
    except ValueError:
        return None
    if expires_at < (time.time() if now is None else now):
        return None
    expected = _signature(key, path, expires_at)
    return path if hmac.compare_digest(expected, signature) else None
