"""Builds the strawberry schema with its guards: depth limit, error masking, caches."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import MaskErrors, ParserCache, QueryDepthLimiter, ValidationCache

from quorum.errors import QuorumError
from quorum.graphql.mutations import Mutation
from quorum.graphql.queries import Query
from quorum.graphql.subscriptions import Subscription

INTERNAL_MESSAGE = "internal server error; the server log has the details"


def _should_mask(error: GraphQLError) -> bool:
    """Mask everything but our own errors and GraphQL's own (syntax, validation)."""
    original = error.original_error
    return original is not None and not isinstance(original, QuorumError | GraphQLError)


def build_schema(max_depth: int = 10) -> Schema:
    """The GraphQL schema, rejecting queries deeper than ``max_depth``."""
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Factories, so that each request gets fresh extension instances; the parse and
        # validation caches live at module level in strawberry and are shared anyway.
        extensions=[
            lambda: QueryDepthLimiter(max_depth=max_depth),
            lambda: MaskErrors(should_mask_error=_should_mask, error_message=INTERNAL_MESSAGE),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )
