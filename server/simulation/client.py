"""A lean GraphQL-over-HTTP client: the standard library's ``http.client`` on one keep-alive
connection.

It is what the benchmarks measure with and what simulated workers
(:mod:`quorum.simulation.workforce`) work through: the same requests and JSON as the browser
UI, with no third-party client in between. httpx spends about half a millisecond of client CPU
per request, which with two
CPUs shared by server and clients shows up as server latency; this client measures the
server. One client holds one connection: give each thread its own.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

from quorum.errors import QuorumError

#: A dropped keep-alive connection (the server closes idle ones after a few seconds).
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class GraphQLFailed(QuorumError):
    """A GraphQL response carried errors: ``errors`` holds them as the server sent them, and
    the message joins their messages."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []

    @property
    def error_code(self) -> str | None:
        """The ``extensions.code`` of the first error (``NOT_FOUND``, ``FORBIDDEN``...)."""
        for error in self.errors:
            code = (error.get("extensions") or {}).get("code")
            return str(code) if code is not None else None
        return None


class ServerUnreachable(QuorumError):
    """No HTTP answer from the server (refused, timed out, not HTTP)."""


class LeanClient:
    """GraphQL over HTTP to the ``/graphql`` endpoint under ``base_url``
    (``http://host:port`` or ``https://host/prefix``)."""

    def __init__(self, base_url: str, *, timeout: float = 60) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise QuorumError(f"{base_url!r} is not a server URL like http://127.0.0.1:8000")
        self.base_url = base_url
        self.path = parts.path.rstrip("/") + "/graphql"
        connection = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        self.connection = connection(parts.hostname, parts.port, timeout=timeout)

    def graphql(
        self, token: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """POST one operation as the holder of ``token``; its data, or :class:`GraphQLFailed`
        (the server answered with errors) or :class:`ServerUnreachable`.

        A keep-alive connection the server has closed is opened again and the request sent
        once more; Quorum's claim and submit are safe to repeat (a claim gives back the task
        already held, and the same answer submitted twice is accepted once).
        """
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        try:
            try:
                status, payload = self._post(body, headers)
            except _STALE:
                self.connection.close()
                status, payload = self._post(body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            raise ServerUnreachable(f"cannot reach the server at {self.base_url}: {exc}") from None
        try:
            answer = json.loads(payload)
        except ValueError:
            text = payload[:200].decode("utf-8", "replace")
            raise ServerUnreachable(
                f"{self.base_url}{self.path} answered HTTP {status}, not GraphQL: {text}"
            ) from None
        if answer.get("errors"):
            errors: list[dict[str, Any]] = answer["errors"]
            message = "; ".join(str(error.get("message")) for error in errors)
            raise GraphQLFailed(message[:1000], errors)
        data: dict[str, Any] = answer["data"]
        return data

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        self.connection.request("POST", self.path, body, headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> LeanClient:
        """The client, for a ``with`` block that closes it."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the connection."""
        self.close()
