"""``quorum organization create|list|roots``: tenants and the storage they may use.

Like ``quorum user``, they work on the database directly (the server's operator needs no
token) and record the same audit events as the GraphQL mutations, with no actor. An
organization is named by name or id. Its users are made with ``quorum user create NAME
--role R --organization ORG``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from quorum.cli.main import Commands, add_group, settings_for
from quorum.cli.people import _run, columns, say
from quorum.storage import Storage

if TYPE_CHECKING:
    from sqlmodel import Session


def _storage(args: argparse.Namespace) -> Storage:
    """The server's storage, as its settings and plugins make it."""
    from quorum.plugins import PluginHost

    return PluginHost(settings_for(args)).storage


def cmd_organization_create(args: argparse.Namespace) -> int:
    """Create an organization holding ``--storage-root``s and print its id."""
    from quorum.services import organizations as organization_service

    settings, storage = settings_for(args), _storage(args)

    def run(session: Session) -> int:
        organization = organization_service.create_organization(
            session,
            storage,
            settings,
            name=args.name,
            storage_roots=args.storage_root or [],
            actor_id=None,
        )
        assert organization.id is not None
        return organization.id

    say(_run(args, run))
    return 0


def cmd_organization_roots(args: argparse.Namespace) -> int:
    """Replace an organization's granted roots; prints all it holds now."""
    from quorum.services import organizations as organization_service
    from quorum.tenancy import roots_of

    settings, storage = settings_for(args), _storage(args)

    def run(session: Session) -> str:
        organization = organization_service.find_organization(session, args.organization)
        organization_service.set_storage_roots(
            session, storage, settings, organization, args.roots, actor_id=None
        )
        return "\n".join(roots_of(settings, organization))

    say(_run(args, run))
    return 0


def cmd_organization_list(args: argparse.Namespace) -> int:
    """Print every organization: id, name, storage roots (its home first)."""
    from quorum.services import organizations as organization_service
    from quorum.tenancy import roots_of

    settings = settings_for(args)

    def rows(session: Session) -> list[list[str]]:
        return [
            [
                str(organization.id),
                organization.name,
                "(every URL no other organization holds)"
                if organization.storage_roots is None
                else " ".join(roots_of(settings, organization)),
            ]
            for organization in organization_service.list_organizations(session)
        ]

    say(columns([["ID", "NAME", "STORAGE ROOTS"], *_run(args, rows)]))
    return 0


def add_organization_commands(commands: Commands) -> None:
    """The ``quorum organization`` group."""
    group = add_group(commands, "organization", "manage organizations (tenants)", "org_command")
    create = group.add_parser("create", help="create an organization and print its id")
    create.add_argument("name", metavar="NAME", help="the organization's name, unique")
    create.add_argument(
        "--storage-root",
        action="append",
        metavar="URL",
        help="a storage URL prefix its jobs may use (file:///srv/acme/, s3://acme-data/); "
        "repeat for more (its home under QUORUM_STORAGE_URL is always one)",
    )
    create.set_defaults(handler=cmd_organization_create)
    roots = group.add_parser("roots", help="replace the storage roots granted to an organization")
    roots.add_argument("organization", metavar="NAME|ID", help="the organization's name or id")
    roots.add_argument(
        "roots", metavar="URL", nargs="*", help="storage URL prefixes (none: only its home)"
    )
    roots.set_defaults(handler=cmd_organization_roots)
    group.add_parser("list", help="list organizations: id, name, storage roots").set_defaults(
        handler=cmd_organization_list
    )
