"""Users and teams: creation, membership, look-ups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from quorum import audit
from quorum.auth import issue_token
from quorum.errors import BadInput, Conflict, NotFound
from quorum.events import TeamCreated, UserCreated
from quorum.models import Role, Team, TeamMember, User
from quorum.rows import select_rows


def create_user(
    session: Session, *, name: str, role: Role, actor_id: int | None
) -> tuple[User, str]:
    """Create a user with a first API token; returns the user and the plain token."""
    name = name.strip()
    if not name:
        raise BadInput("name: a user needs a name")
    if len(name) > 200:
        raise BadInput("name: at most 200 characters")
    if session.exec(select(User.id).where(User.name == name)).first() is not None:
        raise Conflict(f"name: a user called {name!r} already exists")
    user = User(name=name, role=role.value)
    session.add(user)
    session.flush()
    assert user.id is not None
    token = issue_token(session, user)
    audit.record(
        session, UserCreated(actor_id=actor_id, entity_id=user.id, name=name, role=role.value)
    )
    return user, token


def create_team(
    session: Session, *, name: str, member_ids: Sequence[int], actor_id: int | None
) -> Team:
    """Create a team of existing users."""
    name = name.strip()
    if not name:
        raise BadInput("name: a team needs a name")
    if session.exec(select(Team.id).where(Team.name == name)).first() is not None:
        raise Conflict(f"name: a team called {name!r} already exists")
    unique_ids = list(dict.fromkeys(member_ids))
    found = set(session.exec(select(User.id).where(col(User.id).in_(unique_ids))).all())
    missing = [str(member) for member in unique_ids if member not in found]
    if missing:
        raise NotFound(f"memberIds: no user with id {', '.join(missing)}")
    team = Team(name=name)
    session.add(team)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"name: a team called {name!r} already exists") from None
    assert team.id is not None
    session.add_all(TeamMember(team_id=team.id, user_id=member) for member in unique_ids)
    audit.record(
        session,
        TeamCreated(actor_id=actor_id, entity_id=team.id, name=name, member_ids=unique_ids),
    )
    return team


TEAM_IDS = "SELECT team_id FROM team_members WHERE user_id = :user"
"""The rows of :func:`team_ids_of` (for reading them along with other queries)."""


def team_ids_of(session: Session, user_id: int) -> set[int]:
    """The ids of the teams ``user_id`` belongs to."""
    return team_ids_in(select_rows(session, TEAM_IDS, {"user": user_id}))


def team_ids_in(rows: Sequence[Mapping[str, Any]]) -> set[int]:
    """Team ids from the rows of :data:`TEAM_IDS`."""
    return {int(row["team_id"]) for row in rows}


def team_members(session: Session, team_id: int) -> list[User]:
    """The members of a team, by id."""
    return list(
        session.exec(
            select(User)
            .join(TeamMember)
            .where(TeamMember.team_id == team_id)
            .order_by(col(User.id))
        )
    )
