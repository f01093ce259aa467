"""Clients over the app for tests: HTTP through httpx's ASGI transport, and GraphQL."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette


@dataclass
class GraphQLError:
    """One error of a GraphQL response."""

    code: str | None
    message: str
    path: list[Any] | None
    #: The error's whole ``extensions`` (``code`` and any details, say ``reason``).
    extensions: dict[str, Any] = field(default_factory=dict)


class AppClient:
    """A synchronous HTTP client over an ASGI app: httpx's ``ASGITransport`` driven through
    an anyio blocking portal, with the app's lifespan run around it."""

    def __init__(self, app: Starlette) -> None:
        self._portal_context: AbstractContextManager[BlockingPortal] = start_blocking_portal()
        self.portal = self._portal_context.__enter__()
        self._lifespan = self.portal.call(self._enter_lifespan, app)
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self._lifespan.app), base_url="http://quorum.test"
        )

    @staticmethod
    async def _enter_lifespan(app: Starlette) -> LifespanManager:
        manager = LifespanManager(app)  # detects the event loop, so made on the portal
        await manager.__aenter__()
        return manager

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request and wait for its response (safe from any thread)."""
        return self.portal.call(functools.partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """``GET url``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """``POST url``."""
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        """Close the client, end the app's lifespan and the portal."""
        self.portal.call(self._client.aclose)
        self.portal.call(self._lifespan.__aexit__, None, None, None)
        self._portal_context.__exit__(None, None, None)


class GraphQLClient:
    """Posts GraphQL operations to ``/graphql`` and splits the answer."""

    def __init__(self, client: AppClient) -> None:
        self.client = client

    def execute(
        self, query: str, variables: Mapping[str, Any] | None = None, token: str | None = None
    ) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
        """Run an operation; returns ``(data, errors)``."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": dict(variables or {})}, headers=headers
        )
        body = response.json()
        errors = [
            GraphQLError(
                code=(error.get("extensions") or {}).get("code"),
                message=error["message"],
                path=error.get("path"),
                extensions=error.get("extensions") or {},
            )
            for error in body.get("errors") or []
        ]
        return body.get("data"), errors

    def ok(
        self, query: str, variables: Mapping[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """Run an operation that must succeed; returns its data."""
        data, errors = self.execute(query, variables, token)
        assert not errors, errors
        assert data is not None
        return data

    def error(
        self, query: str, variables: Mapping[str, Any] | None = None, token: str | None = None
    ) -> GraphQLError:
        """Run an operation that must fail; returns its first error."""
        _data, errors = self.execute(query, variables, token)
        assert errors, "expected an error, the operation succeeded"
        return errors[0]
