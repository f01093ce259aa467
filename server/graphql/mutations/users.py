"""Mutations on users and teams."""

from __future__ import annotations

import strawberry
from sqlmodel import Session

from quorum import models
from quorum.graphql.context import Info
from quorum.graphql.permissions import require_admin, require_requester
from quorum.graphql.queries import team_view
from quorum.graphql.types.enums import Role
from quorum.graphql.types.pagination import parse_id
from quorum.graphql.types.user import CreateUserPayload, Team, User
from quorum.services import users as user_service


@strawberry.input
class CreateUserInput:
    """A new user."""

    name: str
    role: Role


@strawberry.input
class CreateTeamInput:
    """A new team of existing users."""

    name: str
    member_ids: list[strawberry.ID] | None = None


@strawberry.type
class UserMutationMixin:
    """createUser, createTeam."""

    @strawberry.mutation
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserPayload:
        """Create a user (admins only); the payload carries their API token, this once."""

        def run(session: Session, caller: models.User) -> CreateUserPayload:
            require_admin(caller, "createUser")
            user, token = user_service.create_user(
                session, name=input.name, role=models.Role(input.role), actor_id=caller.id
            )
            return CreateUserPayload(user=User.from_model(user), token=token)

        return await info.context.write(run)

    @strawberry.mutation
    async def create_team(self, info: Info, input: CreateTeamInput) -> Team:
        """Create a team (admins and requesters)."""
        member_ids = [parse_id(member, "memberIds") for member in input.member_ids or []]

        def run(session: Session, caller: models.User) -> Team:
            require_requester(caller, "createTeam")
            team = user_service.create_team(
                session, name=input.name, member_ids=member_ids, actor_id=caller.id
            )
            return team_view(session, team)

        return await info.context.write(run)
