"""Mutations on organizations: creating them and granting their storage roots."""

from __future__ import annotations

import strawberry
from sqlmodel import Session

from quorum import models
from quorum.graphql.context import Info
from quorum.graphql.permissions import require_server_admin
from quorum.graphql.types.organization import Organization
from quorum.graphql.types.pagination import parse_id
from quorum.services import organizations as organization_service


@strawberry.input
class CreateOrganizationInput:
    """A new organization and the storage roots granted to it."""

    name: str
    storage_roots: list[str] | None = None


@strawberry.type
class OrganizationMutationMixin:
    """createOrganization, setStorageRoots (the server's administrators only)."""

    @strawberry.mutation
    async def create_organization(self, info: Info, input: CreateOrganizationInput) -> Organization:
        """Create an organization; its admins are then made with ``createUser``'s
        ``organizationId``."""
        context = info.context

        def run(session: Session, caller: models.User) -> Organization:
            require_server_admin(caller, "createOrganization")
            row = organization_service.create_organization(
                session,
                context.plugins.storage,
                context.settings,
                name=input.name,
                storage_roots=input.storage_roots or [],
                actor_id=caller.id,
            )
            return Organization.from_model(row, context.settings, show_roots=True)

        return await context.write(run)

    @strawberry.mutation
    async def set_storage_roots(
        self, info: Info, organization_id: strawberry.ID, storage_roots: list[str]
    ) -> Organization:
        """Replace the storage roots granted to an organization (its home stays)."""
        wanted = parse_id(organization_id, "organizationId")
        context = info.context

        def run(session: Session, caller: models.User) -> Organization:
            require_server_admin(caller, "setStorageRoots")
            row = organization_service.get_organization(session, wanted, "organizationId")
            organization_service.set_storage_roots(
                session,
                context.plugins.storage,
                context.settings,
                row,
                storage_roots,
                actor_id=caller.id,
            )
            return Organization.from_model(row, context.settings, show_roots=True)

        return await context.write(run)
