"""The exceptions Quorum raises, each with the stable GraphQL ``extensions.code``.

A resolver never builds error dictionaries by hand: it raises one of these, and graphql-core
copies ``extensions`` from the original exception onto the GraphQL error. Anything else is
masked as an internal error, so no stack trace or SQL leaks to a client.
"""

from __future__ import annotations

import enum
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


class StartupError(Exception):
    """The server cannot start: a duplicate plugin name, an unusable setting."""
