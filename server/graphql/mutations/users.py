"""Mutations on users, teams and tokens."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlmodel import Session

from quorum import models, statuses
from quorum.graphql.context import Info
from quorum.graphql.permissions import require_admin, require_requester, require_server_admin
from quorum.graphql.queries import team_view
from quorum.graphql.types.enums import Role
from quorum.graphql.types.pagination import parse_id
from quorum.graphql.types.user import (
    ApiToken,
    CreateTokenPayload,
    CreateUserPayload,
    Team,
    User,
)
from quorum.services import tokens as token_service
from quorum.services import users as user_service
from quorum.services.organizations import get_organization


@strawberry.input
class CreateUserInput:
    """A new user."""

    name: str
    role: Role
    #: Another organization to create the user in (server administrators only); the
    #: caller's own by default.
    organization_id: strawberry.ID | None = None


@strawberry.input
class CreateTeamInput:
    """A new team of existing users."""

    name: str
    member_ids: list[strawberry.ID] | None = None


def _ids(values: list[strawberry.ID], field: str) -> list[int]:
    return [parse_id(value, field) for value in values]


async def _set_disabled(info: Info, id: strawberry.ID, *, disabled: bool) -> User:
    """Disable or enable user ``id``; then this server forgets their cached tokens."""
    user_id = parse_id(id, "id")

    def run(session: Session, caller: models.User) -> User:
        require_admin(caller, "disableUser" if disabled else "enableUser")
        user = user_service.get_user(session, user_id, organization_id=caller.organization_id)
        return User.from_model(
            user_service.set_disabled(session, user, disabled=disabled, actor_id=caller.id)
        )

    result = await info.context.write(run)
    info.context.callers.forget_user(user_id)  # refused at once, here
    return result


@strawberry.type
class UserMutationMixin:
    """createUser, createTeam, team members, disabling users, tokens."""

    @strawberry.mutation
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserPayload:
        """Create a user of the caller's organization (admins only), or of another one
        (server administrators only); the payload carries their API token, this once."""
        wanted = (
            None
            if input.organization_id is None
            else parse_id(input.organization_id, "organizationId")
        )

        def run(session: Session, caller: models.User) -> CreateUserPayload:
            require_admin(caller, "createUser")
            organization_id = caller.organization_id
            if wanted is not None and wanted != organization_id:
                require_server_admin(caller, "organizationId")
                found = get_organization(session, wanted, "organizationId").id
                assert found is not None
                organization_id = found
            user, token = user_service.create_user(
                session,
                name=input.name,
                role=statuses.Role(input.role),
                actor_id=caller.id,
                organization_id=organization_id,
            )
            return CreateUserPayload(user=User.from_model(user), token=token)

        return await info.context.write(run)

    @strawberry.mutation
    async def create_team(self, info: Info, input: CreateTeamInput) -> Team:
        """Create a team (admins and requesters)."""
        member_ids = _ids(input.member_ids or [], "memberIds")

        def run(session: Session, caller: models.User) -> Team:
            require_requester(caller, "createTeam")
            team = user_service.create_team(
                session,
                name=input.name,
                member_ids=member_ids,
                actor_id=caller.id,
                organization_id=caller.organization_id,
            )
            return team_view(session, team)

        return await info.context.write(run)

    @strawberry.mutation
    async def add_team_members(
        self, info: Info, team_id: strawberry.ID, user_ids: list[strawberry.ID]
    ) -> Team:
        """Add users to a team (admins and requesters); members already in it stay."""
        team_key, members = parse_id(team_id, "teamId"), _ids(user_ids, "userIds")

        def run(session: Session, caller: models.User) -> Team:
            require_requester(caller, "addTeamMembers")
            team = user_service.get_team(session, team_key, organization_id=caller.organization_id)
            user_service.add_team_members(session, team, members, actor_id=caller.id)
            return team_view(session, team)

        return await info.context.write(run)

    @strawberry.mutation
    async def remove_team_members(
        self, info: Info, team_id: strawberry.ID, user_ids: list[strawberry.ID]
    ) -> Team:
        """Take users out of a team (admins and requesters). They claim no more of its
        jobs' tasks; a task in hand may still be answered until its lease ends."""
        team_key, members = parse_id(team_id, "teamId"), _ids(user_ids, "userIds")

        def run(session: Session, caller: models.User) -> Team:
            require_requester(caller, "removeTeamMembers")
            team = user_service.get_team(session, team_key, organization_id=caller.organization_id)
            user_service.remove_team_members(session, team, members, actor_id=caller.id)
            return team_view(session, team)

        return await info.context.write(run)

    @strawberry.mutation
    async def disable_user(self, info: Info, id: strawberry.ID) -> User:
        """Disable a user (admins only): their tokens stop authenticating and, a worker,
        they get no more tasks. Nobody may disable themselves."""
        return await _set_disabled(info, id, disabled=True)

    @strawberry.mutation
    async def enable_user(self, info: Info, id: strawberry.ID) -> User:
        """Enable a disabled user again (admins only); their tokens work again."""
        return await _set_disabled(info, id, disabled=False)

    @strawberry.mutation
    async def create_token(
        self,
        info: Info,
        user_id: strawberry.ID,
        name: str | None = None,
        expires_at: datetime | None = None,
    ) -> CreateTokenPayload:
        """Issue a new API token for a user (admins only); the payload carries the plain
        token, this once. With ``expiresAt`` (a moment in the future; UTC if it has no
        offset) the token is refused as expired from then on."""
        owner_id = parse_id(user_id, "userId")

        def run(session: Session, caller: models.User) -> CreateTokenPayload:
            require_admin(caller, "createToken")
            user = user_service.get_user(
                session, owner_id, "userId", organization_id=caller.organization_id
            )
            row, token = token_service.create_token(
                session, user, name=name, actor_id=caller.id, expires_at=expires_at
            )
            return CreateTokenPayload(api_token=ApiToken.from_model(row), token=token)

        return await info.context.write(run)

    @strawberry.mutation
    async def revoke_token(self, info: Info, id: strawberry.ID) -> ApiToken:
        """Revoke an API token (admins only): it stops authenticating; returns it as it was."""
        token_id = parse_id(id, "id")

        def run(session: Session, caller: models.User) -> ApiToken:
            require_admin(caller, "revokeToken")
            return ApiToken.from_model(
                token_service.revoke_token(
                    session, token_id, actor_id=caller.id, organization_id=caller.organization_id
                )
            )

        revoked = await info.context.write(run)
        info.context.callers.forget_user(int(revoked.user_id))
        return revoked
