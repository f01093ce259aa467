"""Builds the strawberry schema with its guards: the query budget (size, depth, aliases,
fields, cost: :mod:`quorum.graphql.budget`), error masking, bounded caches."""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from quorum.errors import DISK_FULL_MESSAGE, DiskFull, QuorumError, is_disk_full
from quorum.graphql.budget import Limits, QueryBudget
from quorum.graphql.mutations import Mutation
from quorum.graphql.queries import Query
from quorum.graphql.subscriptions import Subscription

INTERNAL_MESSAGE = "internal server error; the server log has the details"
#: Errors a client caused and can act on: one INFO line each, no traceback.
EXPECTED_CODES = frozenset(
    {"BAD_INPUT", "FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED", "CONFLICT", "LEASE_EXPIRED"}
)
logger = logging.getLogger("quorum.graphql")


def _expected(error: GraphQLError) -> bool:
    """A client's mistake: one of our errors with an expected code, or GraphQL's own
    (syntax, validation, depth: no original exception; a variable of the wrong type: a
    GraphQL error as the original)."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return True
    return isinstance(original, QuorumError) and original.code in EXPECTED_CODES


def one_line(error: GraphQLError) -> str:
    """``CODE path: message`` on one line; an error with no path (it never reached
    execution) names where in the query it is instead."""
    code = getattr(error.original_error, "code", "BAD_INPUT")
    where = ".".join(map(str, error.path or ())) or ", ".join(
        f"{location.line}:{location.column}" for location in error.locations or ()
    )
    message = " ".join(error.message.split())
    return f"{code} {where}: {message}" if where else f"{code}: {message}"


class QuorumSchema(Schema):
    """Strawberry's schema, logging a client's mistakes as one INFO line and keeping the
    traceback (at ERROR) for real faults."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log each error of a response once."""
        for error in errors:
            if _expected(error):
                logger.info("%s", one_line(error))
            else:
                StrawberryLogger.error(error, execution_context)


def _should_mask(error: GraphQLError) -> bool:
    """Mask everything but our own errors and GraphQL's own (syntax, validation)."""
    original = error.original_error
    return original is not None and not isinstance(original, QuorumError | GraphQLError)


class ErrorCodes(MaskErrors):
    """Every error leaves with a stable ``extensions.code``: ours keep theirs, GraphQL's own
    (syntax, validation, depth, variable types) are ``BAD_INPUT``, and anything unexpected
    is masked as ``INTERNAL`` (the server log has the stack trace)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask, error_message=INTERNAL_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        """The masked error, with code ``INTERNAL``, or ``DISK_FULL`` (and a message that
        says so) when a full disk caused it."""
        masked = super().anonymise_error(error)
        if error.original_error is not None and is_disk_full(error.original_error):
            masked.message = DISK_FULL_MESSAGE
            masked.extensions = {"code": DiskFull.code}
        else:
            masked.extensions = {"code": "INTERNAL"}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": "BAD_INPUT"}
        return processed


class ResponseExtensions(SchemaExtension):
    """Puts what resolvers left in ``Context.response_extensions`` into the response's
    top-level ``extensions``."""

    def get_results(self) -> dict[str, Any]:
        """The resolvers' extensions of this response."""
        extensions: dict[str, Any] = getattr(
            self.execution_context.context, "response_extensions", {}
        )
        return extensions


def build_schema(limits: Limits | None = None) -> Schema:
    """The GraphQL schema, refusing queries over ``limits`` (defaults: :class:`Limits`)."""
    bounds = limits or Limits()
    # One depth rule for the schema's life: the validation cache is keyed by the rule
    # classes, so a rule made per request (QueryDepthLimiter's way) would never hit it.
    depth_rule = create_validator(bounds.max_depth, None, None)
    return QuorumSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Factories, so that each request gets fresh extension instances.
        extensions=[
            lambda: QueryBudget(bounds, (depth_rule,)),
            ErrorCodes,
            ResponseExtensions,
        ],
    )
