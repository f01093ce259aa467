"""The base class of storage backends, and the router that picks one per URL scheme.

Manifests are read and outputs written through a backend chosen by the URL's scheme
(``file://``, ``s3://``, or any scheme a plugin adds). Browsers never see credentials:
:meth:`StorageBackend.browser_url` returns a presigned or signed, expiring URL.

A backend whose objects are files on the server's own disk has no URL of its own that a
browser could fetch: the core serves such files for it. The backend confines paths to the
server's readable folders with :meth:`StorageBackend.readable_path`, and its
:meth:`~StorageBackend.browser_url` returns :meth:`StorageBackend.signed_file_url`: an
``/objects/...`` URL that the core signs with the server's key and its objects route
(:mod:`quorum.http.objects`) serves while the signature holds, the time has not passed and
the file, links resolved again, is still inside those folders.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from quorum.errors import BadInput
from quorum.http.signing import sign_path

if TYPE_CHECKING:
    from quorum.settings import Settings

#: The longest manifest line, in characters (:mod:`quorum.runner.ingest` refuses longer).
MAX_LINE_CHARS = 100_000
#: The most bytes such a line can take: 4 per character in UTF-8, and a ``\r\n``.
MAX_LINE_BYTES = 4 * MAX_LINE_CHARS + 2


def bounded_lines(stream: IO[bytes], most: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of a binary ``stream`` (with their endings), holding at most ``most + 1``
    bytes at a time: a line longer than ``most`` bytes comes as its first ``most + 1``, so
    that the reader sees it is too long, and the rest of it is read past, not kept (the
    lines after it keep their numbers)."""
    cut = False
    while chunk := stream.readline(most + 1):
        if not cut:
            yield chunk
        cut = len(chunk) > most and not chunk.endswith(b"\n")


class StorageBackend:
    """Reads and writes objects named by URLs of one scheme. Subclass it.

    One instance, made at startup with the app's settings, serves every organization and
    job, from the server's request threads and the runner's thread at once: keep no per-job
    state on ``self``, and whatever it does keep (a client, a connection pool) must be safe
    to share between threads.

    Raise a :class:`~quorum.errors.QuorumError` for what a person can act on (the
    built-ins raise :class:`~quorum.errors.BadInput` naming the URL: not there, not
    readable, not writable). In a request (``createJob``, a task's object URLs, an upload)
    it is the request's error, with its code and message; any other exception is a server
    error (GraphQL's ``INTERNAL``), its traceback in the server log. At ingest, a
    ``QuorumError`` fails the job, its ``failureReason`` naming the manifest and the error.
    Any other failure in the runner (ingest, writing answers, labels or the output
    manifest) is logged ("runner pass failed") and the work is tried again on the next
    pass.
    """

    #: The URL scheme this backend serves, e.g. ``file`` or ``s3``.
    scheme: ClassVar[str]
    #: One line for people configuring storage.
    description: ClassVar[str] = ""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def check_url(self, url: str) -> None:
        """Raise :class:`BadInput` if ``url`` can never be used (without reading it)."""

    def canonical_url(self, url: str) -> str:
        """The one spelling of the object ``url`` names, which organizations' storage roots
        are matched against (:mod:`quorum.tenancy`): ``file://`` resolves ``..`` and links.
        This default lowercases the scheme; :class:`BadInput` if the URL is malformed."""
        self.check_url(url)
        scheme = url_scheme(url)
        return scheme + url[len(scheme) :]

    def open_lines(self, url: str) -> AbstractContextManager[Iterator[bytes]]:
        """Stream the object's lines (with their line endings), in constant memory: a line
        over :data:`MAX_LINE_BYTES` comes cut to its first ``MAX_LINE_BYTES + 1`` bytes, as
        :func:`bounded_lines` reads them from a binary stream, so that a 100 MB line is
        never read whole."""
        raise NotImplementedError(f"{type(self).__name__}.open_lines")

    def read_bytes(self, url: str) -> bytes:
        """The whole object."""
        raise NotImplementedError(f"{type(self).__name__}.read_bytes")

    def write_bytes(self, url: str, data: bytes, content_type: str = "application/json") -> None:
        """Write (or replace) the object at ``url``."""
        raise NotImplementedError(f"{type(self).__name__}.write_bytes")

    def delete(self, url: str) -> None:
        """Remove the object at ``url``; nothing happens if there is none."""
        raise NotImplementedError(f"{type(self).__name__}.delete")

    def write_lines(self, url: str, lines: Iterable[bytes]) -> None:
        """Write (or replace) the object from an iterable of lines, atomically: readers see
        the old object or the whole new one, never half of it."""
        raise NotImplementedError(f"{type(self).__name__}.write_lines")

    def write_many(
        self,
        prefix: str,
        objects: Iterable[tuple[str, bytes]],
        content_type: str = "application/json",
    ) -> None:
        """Write (or replace) many small objects under ``prefix``, each named by a relative
        key checked with :func:`check_key` (the runner writes one per labeled item). This
        default calls :meth:`write_bytes` for each; a backend may do better."""
        for key, data in objects:
            self.write_bytes(join_url(prefix, check_key(key)), data, content_type)

    def browser_url(self, url: str, expires_seconds: int) -> str:
        """A URL a browser can fetch for ``expires_seconds``, holding no credentials (a
        backend of files on the server's disk returns :meth:`signed_file_url`)."""
        raise NotImplementedError(f"{type(self).__name__}.browser_url")

    # -- files on the server's disk, served by the core ------------------------------------

    def readable_path(self, path: str) -> str | None:
        """The absolute ``path`` with ``..`` and links resolved, if that lies inside the
        server's readable folders (the data folder's ``objects/`` and
        ``QUORUM_LOCAL_ROOTS``: ``settings.readable_roots``); ``None`` otherwise, and for a
        relative path. Opens no file (it only resolves links)."""
        return resolve_inside(path, self.settings.readable_roots)

    def signed_file_url(self, path: str, expires_seconds: int) -> str:
        """A server-relative ``/objects/...`` URL through which the core serves the file at
        the absolute ``path`` to a browser for ``expires_seconds``: HMAC-signed with the
        server's key (read from the data folder on first use), and refused (403) once
        expired, tampered with, or when the file, links resolved as it is served, is no
        longer inside the readable folders (:meth:`readable_path`)."""
        return sign_path(self._signing_key, path, expires_seconds)

    @cached_property
    def _signing_key(self) -> bytes:
        return self.settings.signing_key()


def resolve_inside(path: str, roots: Iterable[Path]) -> str | None:
    """``path`` with ``..`` and symlinks resolved, or ``None`` if that lies outside every
    root (a root itself counts as inside). Reads no file, only resolves links."""
    if "\0" in path or not os.path.isabs(path):
        return None
    resolved = os.path.realpath(path)
    for root in roots:
        real_root = os.path.realpath(root)
        if resolved == real_root or resolved.startswith(real_root.rstrip(os.sep) + os.sep):
            return resolved
    return None


def url_scheme(url: str) -> str:
    """The scheme of a storage URL; :class:`BadInput` if it has none."""
    scheme = urlsplit(url).scheme.lower()
    if not scheme:
        raise BadInput(f"{url!r} is not a storage URL (expected file://... or s3://...)")
    return scheme


def check_key(key: str) -> str:
    """``key`` if it is a plain relative key (``a/b.json``: no leading slash, no empty,
    ``.`` or ``..`` part), else :class:`BadInput`."""
    parts = key.split("/")
    if any(part in {"", ".", ".."} for part in parts):
        raise BadInput(f"{key!r} is not a relative object key (like 'folder/name.json')")
    return key


def join_url(prefix: str, *parts: str) -> str:
    """``prefix`` with ``parts`` appended, one slash between each."""
    return "/".join([prefix.rstrip("/"), *(part.strip("/") for part in parts)])


class Storage:
    """Routes each URL to the backend of its scheme."""

    def __init__(self, backends: Mapping[str, StorageBackend]) -> None:
        self._backends = dict(backends)

    @property
    def backends(self) -> Mapping[str, StorageBackend]:
        """The backends, by scheme."""
        return self._backends

    @property
    def schemes(self) -> list[str]:
        """The schemes some backend serves."""
        return sorted(self._backends)

    def backend(self, url: str) -> StorageBackend:
        """The backend for ``url``; :class:`BadInput` naming the known schemes if none."""
        scheme = url_scheme(url)
        try:
            return self._backends[scheme]
        except KeyError:
            known = ", ".join(f"{name}://" for name in self.schemes)
            raise BadInput(
                f"{url!r}: no storage backend for {scheme}:// (known: {known})"
            ) from None

    def check_url(self, url: str) -> None:
        """Raise :class:`BadInput` if no backend can ever use ``url``."""
        self.backend(url).check_url(url)

    def canonical_url(self, url: str) -> str:
        """The one spelling of ``url`` (:meth:`StorageBackend.canonical_url`)."""
        return self.backend(url).canonical_url(url)

    def open_lines(self, url: str) -> AbstractContextManager[Iterator[bytes]]:
        """Stream the lines of the object at ``url``."""
        return self.backend(url).open_lines(url)

    def read_bytes(self, url: str) -> bytes:
        """The whole object at ``url``."""
        return self.backend(url).read_bytes(url)

    def write_bytes(self, url: str, data: bytes, content_type: str = "application/json") -> None:
        """Write the object at ``url``."""
        self.backend(url).write_bytes(url, data, content_type)

    def delete(self, url: str) -> None:
        """Remove the object at ``url`` (if there is one)."""
        self.backend(url).delete(url)

    def write_lines(self, url: str, lines: Iterable[bytes]) -> None:
        """Write the object at ``url`` from lines, atomically."""
        self.backend(url).write_lines(url, lines)

    def write_many(
        self,
        prefix: str,
        objects: Iterable[tuple[str, bytes]],
        content_type: str = "application/json",
    ) -> None:
        """Write many small objects under ``prefix``, named by relative keys."""
        self.backend(prefix).write_many(prefix, objects, content_type)

    def browser_url(self, url: str, expires_seconds: int) -> str:
        """A presigned or signed URL a browser can fetch."""
        return self.backend(url).browser_url(url, expires_seconds)
