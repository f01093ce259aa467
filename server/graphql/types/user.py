"""Users and teams."""

from __future__ import annotations

from datetime import datetime

import strawberry

from quorum import models
from quorum.graphql.types.enums import Role


@strawberry.type
class User:
    """A person or service with a role."""

    id: strawberry.ID
    name: str
    role: Role
    created_at: datetime

    @classmethod
    def from_model(cls, user: models.User) -> User:
        """The public view of a user row."""
        return cls(
            id=strawberry.ID(str(user.id)),
            name=user.name,
            role=models.Role(user.role),
            created_at=user.created_at,
        )


@strawberry.type
class Team:
    """A named set of workers."""

    id: strawberry.ID
    name: str
    members: list[User]
    created_at: datetime


@strawberry.type
class CreateUserPayload:
    """The new user and their API token, shown this once."""

    user: User
    token: str
