"""Built-in storage backend ``file://``: objects are files on the server's own disk.

URLs name absolute paths (``file:///srv/data/manifest.jsonl``), taken literally (no
percent-decoding). Only paths inside the readable roots may be named: the data folder's
``objects/`` plus ``QUORUM_LOCAL_ROOTS``. The path is resolved first (``..`` and symlinks),
and anything outside is refused before any file is opened, so a job's manifest URL cannot
read ``/etc/passwd`` or the signing key. Browsers get HMAC-signed, expiring ``/objects/...``
URLs that the core serves (:meth:`~quorum.storage.StorageBackend.signed_file_url`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import IO

from quorum import hookimpl
from quorum.errors import BadInput
from quorum.storage import StorageBackend, bounded_lines, check_key

_PREFIX = "file://"


class FileStorage(StorageBackend):
    """Files under the readable roots, read and written in place."""

    scheme = "file"
    description = "Files on the server's disk, inside objects/ or QUORUM_LOCAL_ROOTS."

    def _path(self, url: str) -> str:
        """The resolved absolute path ``url`` names; :class:`BadInput` if it is malformed or
        outside the readable roots. Opens no file (it only resolves links)."""
        if not url.lower().startswith(_PREFIX):
            raise BadInput(f"{url!r} is not a file:// URL")
        path = url[len(_PREFIX) :]
        if path.lower().startswith("localhost/"):
            path = path[len("localhost") :]
        if not path.startswith("/"):
            raise BadInput(f"{url!r} must name an absolute path, like file:///srv/data/a.jsonl")
        resolved = self.readable_path(path)
        if resolved is None:
            allowed = ", ".join(str(root) for root in self.settings.readable_roots)
            raise BadInput(
                f"{url!r} is outside the readable folders ({allowed}); "
                "add its folder to QUORUM_LOCAL_ROOTS to allow it"
            )
        return resolved

    def _open(self, url: str) -> IO[bytes]:
        """The file at ``url`` opened for binary reading, with errors as :class:`BadInput`."""
        path = self._path(url)
        try:
            return open(path, "rb")
        except FileNotFoundError:
            raise BadInput(f"{url!r} does not exist") from None
        except IsADirectoryError:
            raise BadInput(f"{url!r} is a folder, not a file") from None
        except OSError as exc:
            raise BadInput(f"{url!r} cannot be read: {exc.strerror}") from None

    def check_url(self, url: str) -> None:
        """Refuse a malformed URL or one outside the readable roots, without reading it."""
        self._path(url)

    def canonical_url(self, url: str) -> str:
        """``file://`` and the resolved path (``..`` and links followed)."""
        return _PREFIX + self._path(url)

    def open_lines(self, url: str) -> AbstractContextManager[Iterator[bytes]]:
        """Stream the file's lines (endings kept, a long one cut: :func:`bounded_lines`)
        through a buffered reader."""

        @contextmanager
        def lines() -> Iterator[Iterator[bytes]]:
            with self._open(url) as handle:
                yield bounded_lines(handle)

        return lines()

    def read_bytes(self, url: str) -> bytes:
        """The whole file."""
        with self._open(url) as handle:
            return handle.read()

    def write_bytes(self, url: str, data: bytes, content_type: str = "application/json") -> None:
        """Write (or replace) the file atomically, creating its folders.

        Atomic but not fsynced: small objects (raw worker answers) are derived from the
        database and rewritten if lost, and an fsync per answer would slow labeling down.
        """
        self._replace(url, [data], durable=False)

    def delete(self, url: str) -> None:
        """Remove the file; nothing happens if it is not there."""
        path = self._path(url)
        try:
            os.remove(path)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise BadInput(f"{url!r} cannot be deleted: {exc.strerror}") from None

    def write_lines(self, url: str, lines: Iterable[bytes]) -> None:
        """Stream ``lines`` to a temporary file beside the target, fsync it, then rename it
        over the target: readers see the old file or the whole new one, even after a crash."""
        self._replace(url, lines, durable=True)

    def write_many(
        self,
        prefix: str,
        objects: Iterable[tuple[str, bytes]],
        content_type: str = "application/json",
    ) -> None:
        """Write many small files under ``prefix``, in place.

        The prefix is resolved and checked against the readable roots once; keys are plain
        relative paths (:func:`quorum.storage.check_key`), so they cannot leave it. Each file
        then costs four system calls (mkdir, open, write, close) instead of two dozen: the
        runner writes one per labeled item on a thread beside the server, and each system
        call there is paid for in the requests' latency. Files are written in place, not
        through a temporary file and a rename: the runner writes an item's answers before
        it marks the item labeled, so a file cut short by a crash is written again on the
        next pass.
        """
        root = self._path(prefix)
        made: set[str] = set()
        for key, data in objects:
            path = os.path.join(root, check_key(key))
            folder = os.path.dirname(path)
            if folder not in made:
                _make_folder(prefix, folder)
                made.add(folder)
            try:
                _write_file(path, [data], os.O_TRUNC)
            except OSError as exc:
                raise BadInput(f"{prefix}/{key} cannot be written: {exc.strerror}") from None

    def _replace(self, url: str, lines: Iterable[bytes], *, durable: bool) -> None:
        path = self._path(url)
        if os.path.isdir(path):
            raise BadInput(f"{url!r} is a folder, not a file")
        folder, name = os.path.split(path)
        _make_folder(url, folder)
        temp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            _write_file(temp, lines, os.O_EXCL, durable=durable)
            os.replace(temp, path)
        except OSError as exc:
            _remove_quietly(temp)
            raise BadInput(f"{url!r} cannot be written: {exc.strerror}") from None
        except BaseException:
            _remove_quietly(temp)
            raise
        if durable:
            _fsync_folder(folder)

    def browser_url(self, url: str, expires_seconds: int) -> str:
        """A server-relative ``/objects/...`` URL, HMAC-signed, valid ``expires_seconds``."""
        return self.signed_file_url(self._path(url), expires_seconds)


def _make_folder(url: str, folder: str) -> None:
    """Create ``folder`` and its parents (one ``mkdir`` when only the last is missing)."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        return
    except FileNotFoundError:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise BadInput(f"{url!r} cannot be written: {exc.strerror}") from None
    except OSError as exc:
        raise BadInput(f"{url!r} cannot be written: {exc.strerror}") from None


def _write_file(path: str, chunks: Iterable[bytes], mode: int, *, durable: bool = False) -> None:
    """Create ``path`` (``mode`` ``O_EXCL``: it must not exist; ``O_TRUNC``: replace it),
    readable by all, and write ``chunks`` to it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | mode | os.O_CLOEXEC, 0o644)
    try:
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fsync_folder(folder: str) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@hookimpl
def quorum_storage_backends() -> list[type[StorageBackend]]:
    """The ``file://`` backend."""
    return [FileStorage]
