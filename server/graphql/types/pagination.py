"""Relay-style connections: ``edges { node cursor }`` and ``pageInfo``, keyset-paged by id."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from quorum.errors import BadInput
from quorum.ids import canonical_id

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")

DEFAULT_PAGE = 50
MAX_PAGE = 1_000


@strawberry.type
class PageInfo:
    """Whether more follows, and the cursor to ask for it with."""

    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    """One node and its cursor."""

    node: NodeT
    cursor: str


@strawberry.type
class Connection(Generic[NodeT]):
    """A page of nodes."""

    edges: list[Edge[NodeT]]
    page_info: PageInfo


def encode_cursor(key: int) -> str:
    """An opaque cursor for the row with id ``key``."""
    return base64.urlsafe_b64encode(f"id:{key}".encode()).decode()


def decode_cursor(cursor: str | None) -> int | None:
    """The id an ``after`` cursor names; :class:`BadInput` if it is not one of ours."""
    if cursor is None:
        return None
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        kind, value = "", ""
    key = canonical_id(value) if kind == "id" else None
    if key is not None:
        return key
    raise BadInput(f"after: {cursor!r} is not a cursor from this API")


def page_size(first: int | None) -> int:
    """``first``, checked: 1..1000, default 50."""
    if first is None:
        return DEFAULT_PAGE
    if not 1 <= first <= MAX_PAGE:
        raise BadInput(f"first: must be between 1 and {MAX_PAGE}, got {first}")
    return first


def connection(
    rows: Sequence[RowT], size: int, key: Callable[[RowT], int], node: Callable[[RowT], NodeT]
) -> Connection[NodeT]:
    """A connection from up to ``size + 1`` rows fetched in key order (the extra row only
    tells that another page exists)."""
    page = rows[:size]
    edges = [Edge(node=node(row), cursor=encode_cursor(key(row))) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size, end_cursor=edges[-1].cursor if edges else None
        ),
    )


def parse_id(value: strawberry.ID | str, field: str) -> int:
    """The integer id a GraphQL ``ID`` spells canonically (:func:`quorum.ids.canonical_id`:
    ``"42"``, not ``"042"`` or ``" 42"``); :class:`BadInput` naming ``field`` otherwise."""
    number = canonical_id(str(value))
    if number is None:
        raise BadInput(f"{field}: {value!r} is not a valid id")
    return number
