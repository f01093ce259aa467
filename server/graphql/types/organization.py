"""Organizations, the unit of tenancy."""

from __future__ import annotations

from datetime import datetime

import strawberry

from quorum import models
from quorum.settings import Settings
from quorum.tenancy import roots_of


@strawberry.type
class Organization:
    """An organization: its users, teams and jobs see only each other, and its jobs use
    only the storage under its roots."""

    id: strawberry.ID
    name: str
    storage_roots: list[str] | None = strawberry.field(
        description=(
            "Where the organization's jobs may read and write: its home (uploads, default "
            "outputs) first, then the roots granted to it. Null for workers, and where the "
            "organization may use every URL no other organization holds (the default "
            "organization of a single-organization server)."
        )
    )
    created_at: datetime

    @classmethod
    def from_model(
        cls, organization: models.Organization, settings: Settings, *, show_roots: bool
    ) -> Organization:
        """The public view of an organization row (its roots only if ``show_roots``)."""
        roots = None
        if show_roots and organization.storage_roots is not None:
            roots = roots_of(settings, organization)
        return cls(
            id=strawberry.ID(str(organization.id)),
            name=organization.name,
            storage_roots=roots,
            created_at=organization.created_at,
        )
