"""Strawberry's ASGI view, reading the JSON of GraphQL requests with
:func:`quorum.json_input.loads`: a POST body, a GET request's ``variables`` and
``extensions``, and every websocket message.

JSON that Python's parser takes but JSON does not (``NaN``, ``1e400``, lone surrogates) or
that makes it fail (nesting a thousand levels deep, an integer of 5,000 digits) is refused
before anything runs: over HTTP with ``400`` and a GraphQL error, code ``BAD_INPUT``,
naming the field (``variables.input.name: holds a lone surrogate ...``), logged as one INFO
line; over a websocket by closing it as invalid JSON (4400).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http.exceptions import NonJsonMessageReceived
from strawberry.http.types import QueryParams

from quorum.errors import BadInput
from quorum.graphql.context import Context
from quorum.json_input import loads

logger = logging.getLogger("quorum.graphql")


class CheckedJsonGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with every request's JSON decoded by
    :func:`quorum.json_input.loads`."""

    def parse_json(self, data: str | bytes) -> Any:
        """A POST body; :class:`BadInput` naming the field if it is not I-JSON."""
        return loads(data)

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
        """A GET request's parameters, with ``variables`` and ``extensions`` decoded as a
        POST body's are."""
        parsed: dict[str, Any] = dict(params)
        for name in ("variables", "extensions"):
            if parsed.get(name):
                parsed[name] = loads(parsed[name], name)
        return parsed

    def decode_json(self, data: str | bytes) -> object:
        """A websocket message; one that is not I-JSON closes the connection (4400)."""
        try:
            return loads(data)
        except BadInput as exc:
            logger.info("BAD_INPUT websocket message: %s", exc.message)
            raise NonJsonMessageReceived from None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry's view, answering a request whose JSON was refused with ``400`` and
        one GraphQL error."""
        try:
            await super().__call__(scope, receive, send)
        except BadInput as exc:
            logger.info("BAD_INPUT: %s", exc.message)
            response = JSONResponse(
                {"errors": [{"message": exc.message, "extensions": exc.extensions}]},
                status_code=400,
            )
            await response(scope, receive, send)
