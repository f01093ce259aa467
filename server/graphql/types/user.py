"""Users and teams."""

from __future__ import annotations

from datetime import datetime

import strawberry

from quorum import models, statuses
from quorum.graphql.types.enums import Role


@strawberry.type
class User:
    """A person or service with a role."""

    id: strawberry.ID
    name: str
    role: Role
    organization_id: strawberry.ID = strawberry.field(
        description="The organization the user belongs to; they see only its teams and jobs."
    )
    disabled: bool = strawberry.field(
        description="A disabled user's tokens do not authenticate and, a worker, they get no tasks."
    )
    created_at: datetime

    @classmethod
    def from_model(cls, user: models.User) -> User:
        """The public view of a user row."""
        return cls(
            id=strawberry.ID(str(user.id)),
            name=user.name,
            role=statuses.Role(user.role),
            organization_id=strawberry.ID(str(user.organization_id)),
            disabled=user.disabled,
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


@strawberry.type
class ApiToken:
    """An API token as a list shows it: never the token or its hash."""

    id: strawberry.ID
    user_id: strawberry.ID
    name: str | None
    last4: str | None = strawberry.field(
        description="The token's last four characters (null for tokens made before they were kept)."
    )
    created_at: datetime
    expires_at: datetime | None = strawberry.field(
        description="When the token stops authenticating (null: never); past it, it is "
        "refused as expired."
    )

    @classmethod
    def from_model(cls, token: models.ApiToken) -> ApiToken:
        """The public view of a token row."""
        return cls(
            id=strawberry.ID(str(token.id)),
            user_id=strawberry.ID(str(token.user_id)),
            name=token.name,
            last4=token.last4,
            created_at=token.created_at,
            expires_at=token.expires_at,
        )


@strawberry.type
class CreateTokenPayload:
    """The new token: ``token`` is the plain token, shown this once."""

    api_token: ApiToken
    token: str
