"""Users and teams: creation, listing, membership, disabling, look-ups.

Every user and team belongs to one organization, and names are unique within it. Look-ups
given an ``organization_id`` find only that organization's rows, and answer for another
organization's exactly as for a row that does not exist (nothing tells a tenant what
another one has).

The caller owns the commit (so each change's audit event lands in the same transaction).
Removing a worker from a team stops their claims on the team's jobs at once; a task they
already hold keeps its lease and may still be answered until the lease ends (it then
expires back to the pool as any other). Disabling a user refuses their tokens, and so
every request, claim and answer of theirs, and ends their browser sessions for good
(enabling them again revives the tokens, not the sessions); their leased tasks expire
back to the pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from quorum import audit
from quorum.auth import issue_token
from quorum.db.rows import select_rows
from quorum.errors import BadInput, Conflict, NotFound
from quorum.events import (
    TeamCreated,
    TeamMembersAdded,
    TeamMembersRemoved,
    UserCreated,
    UserDisabled,
    UserEnabled,
)
from quorum.ids import canonical_id
from quorum.limits import MAX_NAME_CHARS, check_text
from quorum.models import Team, TeamMember, User
from quorum.services.tokens import end_sessions
from quorum.statuses import DEFAULT_ORGANIZATION_ID, Role


def create_user(
    session: Session,
    *,
    name: str,
    role: Role,
    actor_id: int | None,
    organization_id: int = DEFAULT_ORGANIZATION_ID,
) -> tuple[User, str]:
    """Create a user of ``organization_id`` with a first API token; returns the user and
    the plain token."""
    name = name.strip()
    if not name:
        raise BadInput("name: a user needs a name")
    check_text(name, "name", MAX_NAME_CHARS)
    taken = select(User.id).where(User.name == name, User.organization_id == organization_id)
    if session.exec(taken).first() is not None:
        raise Conflict(f"name: a user called {name!r} already exists")
    user = User(name=name, role=role.value, organization_id=organization_id)
    session.add(user)
    session.flush()
    assert user.id is not None
    token = issue_token(session, user)
    audit.record(
        session, UserCreated(actor_id=actor_id, entity_id=user.id, name=name, role=role.value)
    )
    return user, token


def create_team(
    session: Session,
    *,
    name: str,
    member_ids: Sequence[int],
    actor_id: int | None,
    organization_id: int = DEFAULT_ORGANIZATION_ID,
) -> Team:
    """Create a team of ``organization_id``'s existing workers."""
    name = name.strip()
    if not name:
        raise BadInput("name: a team needs a name")
    check_text(name, "name", MAX_NAME_CHARS)
    taken = select(Team.id).where(Team.name == name, Team.organization_id == organization_id)
    if session.exec(taken).first() is not None:
        raise Conflict(f"name: a team called {name!r} already exists")
    unique_ids = _existing_workers(session, member_ids, "memberIds", organization_id)
    team = Team(name=name, organization_id=organization_id)
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


def _existing_workers(
    session: Session, user_ids: Sequence[int], field: str, organization_id: int
) -> list[int]:
    """``user_ids`` without repeats, in order; :class:`NotFound` naming ``field`` and the
    ids unknown in ``organization_id``, :class:`BadInput` naming those who are not workers
    (only workers claim tasks, so a requester or an admin in a team would count for
    nothing)."""
    unique_ids = list(dict.fromkeys(user_ids))
    query = select(User.id, User.role).where(
        col(User.id).in_(unique_ids), User.organization_id == organization_id
    )
    found = dict(session.exec(query).all())
    missing = [str(member) for member in unique_ids if member not in found]
    if missing:
        raise NotFound(f"{field}: no user with id {', '.join(missing)}")
    others = [
        f"{member} ({found[member]})" for member in unique_ids if found[member] != Role.WORKER
    ]
    if others:
        raise BadInput(f"{field}: only workers can be in a team, not user {', '.join(others)}")
    return unique_ids


def list_users(
    session: Session,
    *,
    organization_id: int | None = None,
    role: Role | None = None,
    include_disabled: bool = True,
    after_id: int | None = None,
    limit: int | None = None,
) -> list[User]:
    """Users by id: of ``organization_id`` and ``role`` if given, the disabled too unless
    ``include_disabled`` is false, after ``after_id``, at most ``limit``."""
    query = select(User).order_by(col(User.id))
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if role is not None:
        query = query.where(User.role == role.value)
    if not include_disabled:
        query = query.where(col(User.disabled).is_(False))
    if after_id is not None:
        query = query.where(col(User.id) > after_id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


_Named = TypeVar("_Named", User, Team)


def _by_id(
    session: Session,
    model: type[_Named],
    key: int,
    field: str,
    noun: str,
    organization_id: int | None,
) -> _Named:
    """The ``model`` row ``key`` (of ``organization_id`` if given); :class:`NotFound`
    naming ``field`` otherwise."""
    row = session.get(model, key)
    if row is None or organization_id not in (None, row.organization_id):
        raise NotFound(f"{field}: no {noun} with id {key}")
    return row


def _by_name_or_id(
    session: Session,
    model: type[_Named],
    ref: str,
    field: str,
    noun: str,
    organization_id: int | None,
) -> _Named:
    """The ``model`` row named ``ref``, or whose id it is (of ``organization_id`` if given);
    :class:`NotFound` naming ``field`` otherwise, :class:`BadInput` for a name that several
    organizations use (give the id)."""
    query = select(model).where(model.name == ref.strip())
    if organization_id is not None:
        query = query.where(model.organization_id == organization_id)
    rows = list(session.exec(query.limit(2)))
    if len(rows) > 1:
        raise BadInput(f"{field}: several organizations have a {noun} {ref!r}; give its id")
    if rows:
        return rows[0]
    number = canonical_id(ref.strip())
    if number is not None:
        return _by_id(session, model, number, field, noun, organization_id)
    raise NotFound(f"{field}: no {noun} with name or id {ref!r}")


def get_user(
    session: Session, user_id: int, field: str = "id", organization_id: int | None = None
) -> User:
    """The user ``user_id`` (of ``organization_id`` if given); :class:`NotFound` naming
    ``field`` otherwise."""
    return _by_id(session, User, user_id, field, "user", organization_id)


def find_user(
    session: Session, ref: str, field: str = "user", organization_id: int | None = None
) -> User:
    """The user named ``ref``, or whose id it is (of ``organization_id`` if given);
    :class:`NotFound` naming ``field``."""
    return _by_name_or_id(session, User, ref, field, "user", organization_id)


def get_team(
    session: Session, team_id: int, field: str = "teamId", organization_id: int | None = None
) -> Team:
    """The team ``team_id`` (of ``organization_id`` if given); :class:`NotFound` naming
    ``field`` otherwise."""
    return _by_id(session, Team, team_id, field, "team", organization_id)


def find_team(
    session: Session, ref: str, field: str = "team", organization_id: int | None = None
) -> Team:
    """The team named ``ref``, or whose id it is (of ``organization_id`` if given);
    :class:`NotFound` naming ``field``."""
    return _by_name_or_id(session, Team, ref, field, "team", organization_id)


def set_disabled(session: Session, user: User, *, disabled: bool, actor_id: int | None) -> User:
    """Disable or enable ``user`` (recording the change; doing it again is a no-op).
    Nobody may disable themselves, so that an admin cannot lock every admin out."""
    assert user.id is not None
    if disabled and user.id == actor_id:
        raise BadInput("id: you cannot disable yourself")
    if user.disabled == disabled:
        return user
    user.disabled = disabled
    session.add(user)
    if disabled:
        end_sessions(session, user_id=user.id)
    event = UserDisabled if disabled else UserEnabled
    audit.record(session, event(actor_id=actor_id, entity_id=user.id, name=user.name))
    return user


def _member_ids(session: Session, team_id: int) -> set[int]:
    rows = session.exec(select(TeamMember.user_id).where(TeamMember.team_id == team_id))
    return set(rows.all())


def add_team_members(
    session: Session,
    team: Team,
    user_ids: Sequence[int],
    *,
    actor_id: int | None,
    field: str = "userIds",
) -> Team:
    """Add users to ``team``; those already in it are left as they are. Errors name
    ``field``."""
    assert team.id is not None
    if not user_ids:
        raise BadInput(f"{field}: name at least one user to add")
    wanted = _existing_workers(session, user_ids, field, team.organization_id)
    current = _member_ids(session, team.id)
    new = [user_id for user_id in wanted if user_id not in current]
    if new:
        session.add_all(TeamMember(team_id=team.id, user_id=user_id) for user_id in new)
        audit.record(session, TeamMembersAdded(actor_id=actor_id, entity_id=team.id, user_ids=new))
    return team


def remove_team_members(
    session: Session,
    team: Team,
    user_ids: Sequence[int],
    *,
    actor_id: int | None,
    field: str = "userIds",
) -> Team:
    """Take users out of ``team``; :class:`NotFound` for a user who is not in it. Errors
    name ``field``."""
    assert team.id is not None
    if not user_ids:
        raise BadInput(f"{field}: name at least one user to remove")
    wanted = _existing_workers(session, user_ids, field, team.organization_id)
    current = _member_ids(session, team.id)
    outside = [str(user_id) for user_id in wanted if user_id not in current]
    if outside:
        raise NotFound(f"{field}: user {', '.join(outside)} is not in team {team.name!r}")
    for member in session.exec(
        select(TeamMember).where(TeamMember.team_id == team.id, col(TeamMember.user_id).in_(wanted))
    ):
        session.delete(member)
    audit.record(session, TeamMembersRemoved(actor_id=actor_id, entity_id=team.id, user_ids=wanted))
    return team
