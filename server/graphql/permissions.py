"""Who may call what. The full matrix is in ``server/graphql/README.md``.

Checks are plain functions called inside the resolver's transaction rather than
strawberry ``BasePermission`` classes: the caller is authenticated in the same database
round trip as the resolver's own work, which keeps claim and submit at one round trip.
Every check raises :class:`Forbidden` with a message naming what was refused.
"""

from __future__ import annotations

from quorum.errors import Forbidden
from quorum.models import Role, User
from quorum.services.organizations import is_server_admin


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
