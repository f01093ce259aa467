"""Who may call what. The full matrix is in ``server/graphql/README.md``.

Checks of an operation are plain functions called inside the resolver's transaction
rather than strawberry ``BasePermission`` classes: the caller is authenticated in the same
database round trip as the resolver's own work, which keeps claim and submit at one round
trip. Fields of an object the caller may see in part (a worker's view of a job) carry a
``BasePermission`` instead (:class:`JobManagersOnly`). Every check raises :class:`Forbidden`
with a message naming what was refused.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

from strawberry.permission import BasePermission

from quorum.errors import Forbidden
from quorum.models import User
from quorum.services.organizations import is_server_admin
from quorum.statuses import Role


class ManagedJob(Protocol):
    """A GraphQL job, some of whose fields are for its requester and admins only."""

    id: Any

    def caller_manages(self, info: Any) -> Awaitable[bool]:
        """Whether the caller manages the job (asked once per object, then cached)."""
        ...


class JobManagersOnly(BasePermission):
    """A job field for its requester and admins: anyone else (a worker) gets FORBIDDEN at
    that field's path, naming it, and the job's other fields still."""

    async def has_permission(self, source: ManagedJob, info: Any, **kwargs: Any) -> bool:
        """True for a manager; raises :class:`Forbidden` otherwise."""
        if not await source.caller_manages(info):
            raise Forbidden(
                f"job {source.id}: {info.field_name} is for its requester and admins only"
            )
        return True


def require_role(user: User, *roles: Role, action: str) -> None:
    """Refuse ``action`` unless ``user`` has one of ``roles``."""
    if user.role not in {role.value for role in roles}:
        allowed = " or ".join(role.value for role in roles)
        raise Forbidden(f"{action} needs the {allowed} role; you are {user.role}")


def require_admin(user: User, action: str) -> None:
    """Refuse ``action`` to anyone but admins."""
    require_role(user, Role.ADMIN, action=action)


def require_requester(user: User, action: str) -> None:
    """Refuse ``action`` to workers."""
    require_role(user, Role.ADMIN, Role.REQUESTER, action=action)


def require_worker(user: User, action: str) -> None:
    """Refuse ``action`` to anyone but workers."""
    require_role(user, Role.WORKER, action=action)


def require_server_admin(user: User, action: str) -> None:
    """Refuse ``action`` to anyone but the server's administrators (admins of the default
    organization), who create organizations and grant their storage roots."""
    if not is_server_admin(user):
        raise Forbidden(
            f"{action} is for the server's administrators (admins of the default organization)"
        )
