"""Built-in storage backend ``s3://``: objects in MinIO or AWS S3, through the ``minio`` client.

URLs are ``s3://bucket/key``. The endpoint, keys and region come from settings
(``QUORUM_S3_ENDPOINT``, ``QUORUM_S3_ACCESS_KEY``, ``QUORUM_S3_SECRET_KEY``,
``QUORUM_S3_REGION``, ``QUORUM_S3_SECURE``); the client is created on first use. Browsers get
presigned GET URLs, which hold a signature but no credentials. Setting the region avoids a
bucket-location request before each presigned URL.
"""

from __future__ import annotations

import io
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, BinaryIO, cast

from quorum import hookimpl
from quorum.errors import BadInput
from quorum.storage import StorageBackend, bounded_lines

# minio (with urllib3 and its crypto) is imported on first use: loading the plugins, which
# every ``quorum`` command does, should not wait for it.
if TYPE_CHECKING:
    from minio import Minio
    from minio.error import S3Error

    from quorum.settings import Settings

_PREFIX = "s3://"
#: S3's bucket naming rules (as the minio client checks them): 3-63 lowercase letters,
#: digits, dots and hyphens; no "..", ".-" or "-."; not an IPv4 address.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
_BUCKET_BAD = re.compile(r"\.\.|\.-|-\.|^\d+\.\d+\.\d+\.\d+$")
#: Lines written by write_lines stay in memory up to this size, then spill to a temp file.
SPOOL_BYTES = 8 * 1024 * 1024
#: The read buffer of open_lines: memory use does not grow with the object.
READ_BUFFER_BYTES = 64 * 1024
#: S3 refuses presigned URLs valid for longer than a week.
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
_MISSING = {"NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"}


def parse_endpoint(endpoint: str, secure: bool) -> tuple[str, bool]:
    """``host:port`` and whether to use TLS: an ``http://`` or ``https://`` prefix decides,
    otherwise ``secure`` does."""
    endpoint = endpoint.strip().rstrip("/")
    lowered = endpoint.lower()
    if lowered.startswith("https://"):
        return endpoint[len("https://") :], True
    if lowered.startswith("http://"):
        return endpoint[len("http://") :], False
    return endpoint, secure


class S3Storage(StorageBackend):
    """Objects in an S3-compatible store (MinIO, AWS S3, ...)."""

    scheme = "s3"
    description = "MinIO or AWS S3 (QUORUM_S3_ENDPOINT, QUORUM_S3_ACCESS_KEY, ...)."

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._client: Minio | None = None
        self._lock = threading.Lock()

    def _minio(self) -> Minio:
        """The client, created on first use (settings were checked by :meth:`_split`)."""
        from minio import Minio

        with self._lock:
            if self._client is None:
                endpoint, secure = parse_endpoint(
                    self.settings.s3_endpoint or "", self.settings.s3_secure
                )
                self._client = Minio(
                    endpoint,
                    access_key=self.settings.s3_access_key,
                    secret_key=self.settings.s3_secret_key,
                    region=self.settings.s3_region,
                    secure=secure,
                )
            return self._client

    def _split(self, url: str) -> tuple[str, str]:
        """``(bucket, key)`` of ``url`` (the key may be empty); :class:`BadInput` if the URL
        is malformed or no endpoint is configured."""
        if not self.settings.s3_endpoint:
            raise BadInput(
                f"{url!r}: s3:// storage is not configured; set QUORUM_S3_ENDPOINT "
                "(and QUORUM_S3_ACCESS_KEY, QUORUM_S3_SECRET_KEY)"
            )
        if not url.lower().startswith(_PREFIX):
            raise BadInput(f"{url!r} is not an s3:// URL")
        bucket, _, key = url[len(_PREFIX) :].partition("/")
        if not bucket:
            raise BadInput(f"{url!r} names no bucket (expected s3://bucket/key)")
        if not _BUCKET.fullmatch(bucket) or _BUCKET_BAD.search(bucket):
            raise BadInput(
                f"{url!r}: {bucket!r} is not a valid bucket name "
                "(3-63 lowercase letters, digits, dots and hyphens; not an IP address)"
            )
        return bucket, key

    def _object(self, url: str) -> tuple[str, str]:
        """``(bucket, key)`` of a URL that must name an object, not just a bucket."""
        bucket, key = self._split(url)
        if not key or key.endswith("/"):
            raise BadInput(f"{url!r} names no object (expected s3://bucket/key)")
        return bucket, key

    @staticmethod
    def _error(url: str, exc: S3Error) -> BadInput:
        """A :class:`BadInput` for an S3 error: "does not exist", or S3's code and message."""
        if exc.code in _MISSING:
            return BadInput(f"{url!r} does not exist ({exc.code})")
        return BadInput(f"{url!r}: S3 error {exc.code}: {exc.message}")

    @contextmanager
    def _s3_errors(self, url: str) -> Iterator[None]:
        """Raise an S3 error of the block as :meth:`_error`'s :class:`BadInput`."""
        from minio.error import S3Error

        try:
            yield
        except S3Error as exc:
            raise self._error(url, exc) from None

    def check_url(self, url: str) -> None:
        """Refuse a malformed URL or an unconfigured endpoint; contacts no server."""
        self._split(url)

    def open_lines(self, url: str) -> AbstractContextManager[Iterator[bytes]]:
        """Stream the object's lines through a fixed-size buffer over the HTTP response."""
        bucket, key = self._object(url)

        @contextmanager
        def lines() -> Iterator[Iterator[bytes]]:
            from urllib3.response import HTTPResponse

            with self._s3_errors(url):
                response = self._minio().get_object(bucket, key)
            try:
                # urllib3's response is a raw stream: buffer it and read by lines. Without
                # auto_close off it reports itself closed at the end, and readline raises.
                if isinstance(response, HTTPResponse):
                    response.auto_close = False
                reader = io.BufferedReader(cast(io.RawIOBase, response), READ_BUFFER_BYTES)
                yield bounded_lines(reader)
            finally:
                response.close()
                response.release_conn()

        return lines()

    def read_bytes(self, url: str) -> bytes:
        """The whole object."""
        bucket, key = self._object(url)
        with self._s3_errors(url):
            response = self._minio().get_object(bucket, key)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def write_bytes(self, url: str, data: bytes, content_type: str = "application/json") -> None:
        """Put the object (one PUT: readers see the old object or the new one)."""
        self._put(url, io.BytesIO(data), len(data), content_type)

    def delete(self, url: str) -> None:
        """Remove the object (S3 answers a missing key with success too)."""
        bucket, key = self._object(url)
        with self._s3_errors(url):
            self._minio().remove_object(bucket, key)

    def write_lines(self, url: str, lines: Iterable[bytes]) -> None:
        """Spool ``lines`` (in memory up to 8 MiB, then on disk) and put them with their
        length known: S3 shows the new object only once it is complete."""
        self._object(url)  # refuse a bad URL before consuming the lines
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            for line in lines:
                spool.write(line)
            length = spool.tell()
            spool.seek(0)
            self._put(url, cast(BinaryIO, spool), length, "application/x-ndjson")

    def _put(self, url: str, data: BinaryIO, length: int, content_type: str) -> None:
        """Put ``length`` bytes of ``data`` at ``url``."""
        bucket, key = self._object(url)
        with self._s3_errors(url):
            self._minio().put_object(bucket, key, data, length, content_type=content_type)

    def browser_url(self, url: str, expires_seconds: int) -> str:
        """A presigned GET URL, valid ``expires_seconds`` (1 second to 7 days)."""
        bucket, key = self._object(url)
        if not 1 <= expires_seconds <= MAX_PRESIGN_SECONDS:
            raise BadInput(
                f"presigned URLs last 1 to {MAX_PRESIGN_SECONDS} seconds, not {expires_seconds}"
            )
        with self._s3_errors(url):
            return self._minio().presigned_get_object(
                bucket, key, expires=timedelta(seconds=expires_seconds)
            )


@hookimpl
def quorum_storage_backends() -> list[type[StorageBackend]]:
    """The ``s3://`` backend."""
    return [S3Storage]
