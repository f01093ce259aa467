"""``quorum user list|disable|enable|token|tokens|revoke`` and
``quorum team create|add|remove|list``.

They work on the database directly, as ``quorum user create`` does (the server's operator
needs no token), and record the same audit events as the GraphQL mutations, with no actor.
Users and teams are named by name or id. A server that saw a user's token in the last
``QUORUM_AUTH_CACHE_SECONDS`` (5) keeps accepting it that long after ``user disable``.
``user token --expires-in 90d`` (or ``--expires-at``) gives a token an end.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from quorum.cli.main import Commands, add_group, settings_for
from quorum.errors import BadInput
from quorum.ids import canonical_id
from quorum.statuses import DEFAULT_ORGANIZATION_ID, Role, utcnow

if TYPE_CHECKING:
    from sqlmodel import Session

T = TypeVar("T")


@contextmanager
def _write(args: argparse.Namespace) -> Iterator[Session]:
    """A write transaction on the (migrated) database of the settings."""
    from quorum.db.engine import Database
    from quorum.db.migrate import upgrade  # alembic: loaded by the commands that use it

    settings = settings_for(args)
    settings.prepare_data_dir()
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    try:
        with db.write() as session:
            yield session
    finally:
        db.dispose()


def _run(args: argparse.Namespace, fn: Callable[[Session], T]) -> T:
    with _write(args) as session:
        return fn(session)


def _organization_id(session: Session, args: argparse.Namespace) -> int | None:
    """The id of ``--organization`` (a name or id), ``None`` when it is not given."""
    from quorum.services.organizations import find_organization

    if args.organization is None:
        return None
    organization = find_organization(session, args.organization, "--organization")
    assert organization.id is not None
    return organization.id


def say(text: object) -> None:
    """Write ``text`` and a newline to stdout: what the user asked for."""
    sys.stdout.write(f"{text}\n")


def columns(rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned columns (two spaces apart), the first row being the header."""
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def cmd_user_list(args: argparse.Namespace) -> int:
    """Print every user (of ``--role`` and ``--organization``): id, name, role, disabled."""
    from quorum.services import users as user_service

    def rows(session: Session) -> list[list[str]]:
        role = None if args.role is None else Role(args.role)
        found = user_service.list_users(
            session, role=role, organization_id=_organization_id(session, args)
        )
        return [
            [str(user.id), user.name, user.role, "yes" if user.disabled else "no"] for user in found
        ]

    say(columns([["ID", "NAME", "ROLE", "DISABLED"], *_run(args, rows)]))
    return 0


def _set_disabled(args: argparse.Namespace, disabled: bool) -> int:
    from quorum.services import users as user_service

    def run(session: Session) -> str:
        user = user_service.find_user(session, args.user)
        user_service.set_disabled(session, user, disabled=disabled, actor_id=None)
        return f"{user.name} ({user.id}) is {'disabled' if disabled else 'enabled'}"

    say(_run(args, run))
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    """Disable a user: their tokens stop working; a worker gets no more tasks."""
    return _set_disabled(args, True)


def cmd_user_enable(args: argparse.Namespace) -> int:
    """Enable a disabled user again."""
    return _set_disabled(args, False)


#: ``--expires-in``'s units, in seconds.
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"([1-9][0-9]{0,5})([mhdw])")


def token_end(args: argparse.Namespace) -> datetime | None:
    """The end ``--expires-in`` (``90d``, ``12h``) or ``--expires-at`` (ISO 8601, UTC
    without an offset) gives; ``None`` for neither."""
    if args.expires_in is not None:
        found = _DURATION.fullmatch(args.expires_in.strip())
        if found is None:
            raise BadInput(
                f"--expires-in: {args.expires_in!r} is not a duration such as 30m, 12h, 90d or 2w"
            )
        return utcnow() + timedelta(seconds=int(found[1]) * _UNITS[found[2]])
    if args.expires_at is not None:
        try:
            return datetime.fromisoformat(args.expires_at.strip())
        except ValueError:
            raise BadInput(
                f"--expires-at: {args.expires_at!r} is not a date and time such as "
                "2027-01-31 or 2027-01-31T18:00:00Z"
            ) from None
    return None


def cmd_user_token(args: argparse.Namespace) -> int:
    """Issue a new token for a user and print it alone (their other tokens keep working)."""
    from quorum.services import tokens as token_service
    from quorum.services import users as user_service

    ends = token_end(args)
    field = "--expires-in" if args.expires_in is not None else "--expires-at"

    def run(session: Session) -> str:
        user = user_service.find_user(session, args.user)
        return token_service.create_token(
            session, user, name=args.name, actor_id=None, expires_at=ends, expires_field=field
        )[1]

    say(_run(args, run))
    return 0


def _moment(value: datetime | None, none: str) -> str:
    return none if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cmd_user_tokens(args: argparse.Namespace) -> int:
    """Print a user's tokens: id, name, last four characters, made, expires."""
    from quorum.services import tokens as token_service
    from quorum.services import users as user_service

    def rows(session: Session) -> list[list[str]]:
        user = user_service.find_user(session, args.user)
        assert user.id is not None
        return [
            [
                str(token.id),
                token.name or "-",
                token.last4 or "-",
                _moment(token.created_at, "-"),
                _moment(token.expires_at, "never"),
            ]
            for token in token_service.list_tokens(session, user.id)
        ]

    say(columns([["ID", "NAME", "LAST4", "CREATED", "EXPIRES"], *_run(args, rows)]))
    return 0


def cmd_user_revoke(args: argparse.Namespace) -> int:
    """Revoke a token by its id (``user tokens`` lists them): it stops working, and so do
    the browser sessions signed in with it."""
    from quorum.services import tokens as token_service

    def run(session: Session) -> str:
        token_id = canonical_id(args.token)
        if token_id is None:
            raise BadInput(f"TOKEN_ID: {args.token!r} is not a token id (see quorum user tokens)")
        row = token_service.revoke_token(session, token_id, actor_id=None)
        return f"token {row.id} ({row.name or 'no name'}, ...{row.last4 or '????'}) is revoked"

    say(_run(args, run))
    return 0


def _user_ids(
    session: Session, refs: Sequence[str], field: str, organization_id: int | None = None
) -> list[int]:
    from quorum.services import users as user_service

    ids = []
    for ref in refs:
        user = user_service.find_user(session, ref, field, organization_id)
        assert user.id is not None
        ids.append(user.id)
    return ids


def _names(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def cmd_team_create(args: argparse.Namespace) -> int:
    """Create a team of ``--members`` (in ``--organization``) and print its id."""
    from quorum.services import users as user_service

    def run(session: Session) -> int:
        organization_id = _organization_id(session, args) or DEFAULT_ORGANIZATION_ID
        members = _user_ids(session, _names(args.members), "--members", organization_id)
        team = user_service.create_team(
            session,
            name=args.name,
            member_ids=members,
            actor_id=None,
            organization_id=organization_id,
        )
        assert team.id is not None
        return team.id

    say(_run(args, run))
    return 0


def _change_members(args: argparse.Namespace, add: bool) -> int:
    from quorum.services import users as user_service

    if not args.users:
        raise BadInput("USER: name at least one user")

    def run(session: Session) -> str:
        team = user_service.find_team(session, args.team, "TEAM")
        members = _user_ids(session, args.users, "USER", team.organization_id)
        change = user_service.add_team_members if add else user_service.remove_team_members
        change(session, team, members, actor_id=None, field="USER")
        assert team.id is not None
        return _members_line(session, team.id)

    say(_run(args, run))
    return 0


def _members_line(session: Session, team_id: int) -> str:
    from quorum.services import users as user_service

    names = ",".join(user.name for user in user_service.team_members(session, team_id))
    return names or "(no members)"


def cmd_team_add(args: argparse.Namespace) -> int:
    """Add users to a team; prints the team's members."""
    return _change_members(args, True)


def cmd_team_remove(args: argparse.Namespace) -> int:
    """Take users out of a team; prints the team's members."""
    return _change_members(args, False)


def cmd_team_list(args: argparse.Namespace) -> int:
    """Print every team (of ``--organization``): id, name, members."""

    def rows(session: Session) -> list[list[str]]:
        from sqlmodel import col, select

        from quorum.models import Team

        query = select(Team).order_by(col(Team.id))
        organization_id = _organization_id(session, args)
        if organization_id is not None:
            query = query.where(Team.organization_id == organization_id)
        teams = session.exec(query).all()
        return [[str(team.id), team.name, _members_line(session, team.id or 0)] for team in teams]

    say(columns([["ID", "NAME", "MEMBERS"], *_run(args, rows)]))
    return 0


USER_HELP = "the user's name or id"
ORGANIZATION_HELP = "the organization's name or id"


def _organization_option(command: argparse.ArgumentParser, default: str) -> None:
    command.add_argument(
        "--organization", metavar="NAME|ID", help=f"{ORGANIZATION_HELP} (default: {default})"
    )


def add_people_commands(commands: Commands, user: Commands) -> None:
    """Add ``list``, ``disable``, ``enable``, ``token`` and ``tokens`` to ``quorum user`` (the group
    :func:`quorum.cli.main.add_user_commands` made) and the ``quorum team`` group."""
    listing = user.add_parser("list", help="list users: id, name, role, disabled")
    listing.add_argument(
        "--role", choices=[role.value for role in Role], help="only this role (default: all)"
    )
    _organization_option(listing, "every organization")
    listing.set_defaults(handler=cmd_user_list)
    for name, handler, text in (
        ("disable", cmd_user_disable, "disable a user: their tokens stop working"),
        ("enable", cmd_user_enable, "enable a disabled user again"),
    ):
        command = user.add_parser(name, help=text)
        command.add_argument("user", metavar="NAME|ID", help=USER_HELP)
        command.set_defaults(handler=handler)
    token = user.add_parser("token", help="issue a new API token for a user and print it alone")
    token.add_argument("user", metavar="NAME|ID", help=USER_HELP)
    token.add_argument("--name", help='what the token is for, e.g. "laptop" (default: none)')
    ends = token.add_mutually_exclusive_group()
    ends.add_argument(
        "--expires-in", metavar="DURATION", help="the token ends after 30m, 12h, 90d, 2w..."
    )
    ends.add_argument(
        "--expires-at", metavar="WHEN", help="the token ends then: ISO 8601, UTC unless it says"
    )
    token.set_defaults(handler=cmd_user_token)
    tokens = user.add_parser("tokens", help="list a user's tokens: id, name, last4, expiry")
    tokens.add_argument("user", metavar="NAME|ID", help=USER_HELP)
    tokens.set_defaults(handler=cmd_user_tokens)
    revoke = user.add_parser("revoke", help="revoke a token by its id (see user tokens)")
    revoke.add_argument("token", metavar="TOKEN_ID", help="the token's id")
    revoke.set_defaults(handler=cmd_user_revoke)

    team = add_group(commands, "team", "manage teams of workers", "team_command")
    create = team.add_parser("create", help="create a team and print its id")
    create.add_argument("name", metavar="NAME", help="the team's name, unique in its organization")
    create.add_argument(
        "--members", help="comma-separated user names or ids (default: an empty team)"
    )
    _organization_option(create, "the default organization")
    create.set_defaults(handler=cmd_team_create)
    for name, handler, text in (
        ("add", cmd_team_add, "add users to a team"),
        ("remove", cmd_team_remove, "take users out of a team (tasks in hand keep their lease)"),
    ):
        command = team.add_parser(name, help=text + "; prints its members")
        command.add_argument("team", metavar="TEAM", help="the team's name or id")
        command.add_argument("users", metavar="USER", nargs="*", help="user names or ids")
        command.set_defaults(handler=handler)
    team_list = team.add_parser("list", help="list teams: id, name, members")
    _organization_option(team_list, "every organization")
    team_list.set_defaults(handler=cmd_team_list)
