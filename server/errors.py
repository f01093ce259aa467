"""The exceptions Quorum raises, each with the stable GraphQL ``extensions.code``.

A resolver never builds error dictionaries by hand: it raises one of these, and graphql-core
copies ``extensions`` from the original exception onto the GraphQL error. Anything else is
masked as an internal error, so no stack trace or SQL leaks to a client.
"""

from __future__ import annotations

import enum
import errno
from typing import Any, ClassVar


class QuorumError(Exception):
    """An error a person can act on; ``code`` is stable for clients."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **details}


class Unauthenticated(QuorumError):
    """No token, or a token that matches no user."""

    code = "UNAUTHENTICATED"


class Forbidden(QuorumError):
    """The caller's role or team does not allow this."""

    code = "FORBIDDEN"


class ForbiddenReason(enum.StrEnum):
    """Why ``claimTask(jobId)`` is FORBIDDEN, in its error's ``extensions.reason``: no
    claim of that job can succeed, and a client words what to do from it."""

    #: The worker is not in the job's workforce (its team): the job's owner can add them.
    NOT_IN_TEAM = "NOT_IN_TEAM"
    #: Too few of the worker's answers to the job's gold items were right.
    BLOCKED_BY_GOLD = "BLOCKED_BY_GOLD"


class NotFound(QuorumError):
    """The named object does not exist (or is not visible to the caller)."""

    code = "NOT_FOUND"


class BadInput(QuorumError):
    """An argument or a file is malformed; the message names the field or line."""

    code = "BAD_INPUT"


class Conflict(QuorumError):
    """The object is in a state that does not allow this (a stopped job, a taken name)."""

    code = "CONFLICT"


class LeaseExpired(QuorumError):
    """The task's time limit passed; its item went back to the pool."""

    code = "LEASE_EXPIRED"


class PluginError(QuorumError):
    """A plugin failed; the message names the plugin."""

    code = "PLUGIN_ERROR"


class DiskFull(QuorumError):
    """The server's disk (the database's or the object store's) is full: nothing more can
    be stored until an operator frees space."""

    code = "DISK_FULL"


DISK_FULL_MESSAGE = "disk full: the server cannot store anything more until space is freed"

#: SQLSTATE 53100 (PostgreSQL's ``disk_full``) and SQLite's message for a full disk.
_DISK_FULL_SQLSTATE = "53100"
_SQLITE_DISK_FULL = "database or disk is full"


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` or an exception under it (its cause, its context, a database
    driver's original error) is a full disk: ``OSError`` ``ENOSPC`` or ``EDQUOT``,
    SQLite's "database or disk is full", PostgreSQL's ``disk_full``."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, DiskFull):
            return True
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(current, "sqlstate", None) == _DISK_FULL_SQLSTATE:
            return True
        if _SQLITE_DISK_FULL in str(current):
            return True
        orig = getattr(current, "orig", None)
        pending += [current.__cause__, current.__context__]
        if isinstance(orig, BaseException):
            pending.append(orig)
    return False


class StartupError(Exception):
    """The server cannot start: a duplicate plugin name, an unusable setting."""
