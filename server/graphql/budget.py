"""A query's cost, bounded before it runs (:class:`QueryBudget`).

Every GraphQL document goes through these checks, in this order, and the first one it
fails refuses it with ``BAD_INPUT`` naming the limit and the numbers:

1. its size in bytes (``QUORUM_MAX_QUERY_BYTES``; ``QUORUM_MAX_ANONYMOUS_QUERY_BYTES``,
   far less, for a caller the server does not know, since parsing costs about a
   millisecond of CPU per kilobyte), before it is parsed; the parser also stops after that
   many tokens;
2. graphql-core's validation, with the depth limit (``QUORUM_MAX_QUERY_DEPTH``);
3. its aliases (``QUORUM_MAX_ALIASES``) and its fields (``QUORUM_MAX_FIELDS``), counted
   as written, fragments spread where they are used;
4. its cost (``QUORUM_MAX_QUERY_COST``; ``QUORUM_MAX_ANONYMOUS_QUERY_COST`` for a caller
   the server does not know): every field costs 1 for each time it can be resolved, and a
   field with a ``first`` argument (a connection) multiplies its children by ``first``
   (50 when it is left out), as GitHub's GraphQL API counts. ``jobs(first: 10) { edges {
   node { items(first: 100) { edges { node { id } } } } } }`` costs 1 + 10 x (1 + 1 +
   1 + 100 x 3) = 3,031.

Only small documents (up to :data:`CACHE_BYTES`) are kept in the parse and validation
caches, so a flood of distinct large queries cannot grow the server's memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    parse,
    validate,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from quorum.errors import BadInput, Unauthenticated

#: Documents up to this many bytes are cached (parsed and validated once); the console's
#: and the portal's queries are all far smaller.
CACHE_BYTES = 8 * 1024
#: How many small documents each cache keeps.
CACHE_SIZE = 256
#: The page size of a connection whose ``first`` is left out (``pagination.DEFAULT_PAGE``).
DEFAULT_FIRST = 50
#: Arguments that say how many children a field returns.
SIZE_ARGUMENTS = ("first", "last", "limit")


@dataclass(frozen=True)
class Limits:
    """The budgets one server applies (from :class:`quorum.settings.Settings`)."""

    max_query_bytes: int = 16 * 1024
    max_anonymous_query_bytes: int = 4 * 1024
    max_depth: int = 10
    max_aliases: int = 100
    max_fields: int = 1_000
    max_cost: int = 50_000
    max_anonymous_cost: int = 500


@lru_cache(maxsize=CACHE_SIZE)
def _parse_cached(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def query_bytes(query: str) -> int:
    """The size of ``query`` in UTF-8 (lone surrogates included, as the parser sees them)."""
    return len(query.encode("utf-8", "surrogatepass"))


def parse_bounded(query: str, limits: Limits, *, anonymous: bool = False) -> DocumentNode:
    """``query`` parsed, refused before parsing when it is over ``max_query_bytes``
    (``max_anonymous_query_bytes`` for an ``anonymous`` caller)."""
    size = query_bytes(query)
    most = limits.max_anonymous_query_bytes if anonymous else limits.max_query_bytes
    if size > most:
        setting = (
            "QUORUM_MAX_ANONYMOUS_QUERY_BYTES; sign in for more"
            if anonymous
            else "QUORUM_MAX_QUERY_BYTES"
        )
        raise BadInput(f"query: {size:,} bytes is over the limit of {most:,} bytes ({setting})")
    if size <= CACHE_BYTES:
        return _parse_cached(query, limits.max_query_bytes)
    return parse(query, max_tokens=limits.max_query_bytes)


@dataclass
class _Tally:
    """What one walk over an operation counts."""

    fields: int = 0
    aliases: int = 0


class _Walk:
    """Counts fields and aliases and computes the cost of one operation."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.tally = _Tally()

    def _size(self, field: FieldNode, definition: Any) -> int | None:
        """How many children ``field`` returns at most, when it says (``first``)."""
        for argument in field.arguments or ():
            if argument.name.value not in SIZE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(int(value.value), 1)
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int) and not isinstance(given, bool):
                    return max(given, 1)
            return DEFAULT_FIRST
        arguments = getattr(definition, "args", None) or {}
        if any(name in arguments for name in SIZE_ARGUMENTS):
            return DEFAULT_FIRST
        return None

    def cost(
        self,
        selections: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        seen: frozenset[str],
    ) -> tuple[int, str]:
        """The cost of ``selections`` on ``parent``, and the costliest chain of sizes in it
        (``items(first: 1000) x ...``)."""
        total, worst, worst_path = 0, -1, ""
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                self.tally.fields += 1
                if selection.alias is not None:
                    self.tally.aliases += 1
                definition = self._definition(parent, selection.name.value)
                child = get_named_type(definition.type) if definition is not None else None
                inner, path = self.cost(selection.selection_set, child, seen)
                size = self._size(selection, definition)
                if size is not None:
                    path = f"{selection.name.value}(first: {size})" + (f" x {path}" if path else "")
                    inner *= size
                cost = 1 + inner
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                cost, path = self.cost(selection.selection_set, target, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation reports both
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                cost, path = self.cost(fragment.selection_set, target, seen | {name})
            else:  # pragma: no cover - graphql-core has no other selection
                continue
            total += cost
            if cost > worst:
                worst, worst_path = cost, path
        return total, worst_path

    def _definition(self, parent: GraphQLNamedType | None, name: str) -> Any:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType) or hasattr(parent, "fields"):
            return getattr(parent, "fields", {}).get(name)
        return None


def check_budget(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    limits: Limits,
    anonymous: bool,
) -> None:
    """Raise :class:`BadInput` when the operation that will run is over a limit: its
    aliases, its fields or its cost."""
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    operations = [
        node for node in document.definitions if isinstance(node, OperationDefinitionNode)
    ]
    for operation in operations:
        if (
            operation_name is not None
            and (operation.name and operation.name.value) != operation_name
        ):
            continue
        walk = _Walk(schema, fragments, variables)
        root = schema.get_root_type(operation.operation)
        cost, path = walk.cost(operation.selection_set, root, frozenset())
        if walk.tally.aliases > limits.max_aliases:
            raise BadInput(
                f"query: {walk.tally.aliases:,} aliases is over the limit of "
                f"{limits.max_aliases:,} (QUORUM_MAX_ALIASES)"
            )
        if walk.tally.fields > limits.max_fields:
            raise BadInput(
                f"query: {walk.tally.fields:,} fields is over the limit of "
                f"{limits.max_fields:,} (QUORUM_MAX_FIELDS)"
            )
        most = limits.max_anonymous_cost if anonymous else limits.max_cost
        if cost > most:
            setting = "QUORUM_MAX_ANONYMOUS_QUERY_COST" if anonymous else "QUORUM_MAX_QUERY_COST"
            why = f" ({path})" if path else ""
            raise BadInput(
                f"query cost {cost:,} is over the limit of {most:,}{why}"
                f" ({setting}{'; sign in for more' if anonymous else ''})"
            )


class QueryBudget(SchemaExtension):
    """Parses, validates and prices a document within :class:`Limits` (see the module's
    docstring); made once per request by :func:`budget_extension`."""

    def __init__(self, limits: Limits, rules: tuple[type[ASTValidationRule], ...]) -> None:
        super().__init__()
        self.limits = limits
        self.rules = rules
        self.refusal: GraphQLError | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        """Parse within the size limit (the caller is looked up only for a document over
        the anonymous limit); a refusal waits for :meth:`on_validate` to be returned as the
        request's error (so subscriptions get it the same way)."""
        context = self.execution_context
        query = context.query or ""
        try:
            anonymous = query_bytes(query) > self.limits.max_anonymous_query_bytes and not (
                await _known_caller(context.context)
            )
            context.graphql_document = parse_bounded(query, self.limits, anonymous=anonymous)
        except GraphQLError as error:
            self.refusal = error
        except BadInput as error:
            self.refusal = GraphQLError(error.message, original_error=error)
        if self.refusal is not None:
            context.graphql_document = _parse_cached("{ __typename }", 16)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        """Validate (cached for small documents), then check the budget."""
        context = self.execution_context
        if self.refusal is not None:
            context.pre_execution_errors = [self.refusal]
            yield
            return
        query = context.query or ""
        schema = context.schema._schema
        rules = (*context.validation_rules, *self.rules)
        assert context.graphql_document is not None
        errors: list[GraphQLError] = []
        try:  # first: a flood of aliases must not become a flood of validation errors
            check_budget(
                schema,
                context.graphql_document,
                context.operation_name,
                context.variables or {},
                self.limits,
                anonymous=not await _known_caller(context.context),
            )
        except BadInput as error:
            errors = [GraphQLError(error.message, original_error=error)]
        if not errors and len(query) <= CACHE_BYTES:
            errors = list(_validate_cached(schema, query, self.limits.max_query_bytes, rules))
        elif not errors:
            errors = validate(schema, context.graphql_document, list(rules))
        context.pre_execution_errors = errors
        yield


@lru_cache(maxsize=CACHE_SIZE)
def _validate_cached(
    schema: GraphQLSchema, query: str, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]
) -> tuple[GraphQLError, ...]:
    return tuple(validate(schema, _parse_cached(query, max_tokens), list(rules)))


async def _known_caller(context: Any) -> bool:
    """Whether the request's caller is a user the server knows (one cached lookup)."""
    read = getattr(context, "read", None)
    if read is None:
        return False
    try:
        await read(lambda _session, _user: None)
    except Unauthenticated:
        return False
    return True
