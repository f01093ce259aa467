"""Organizations: creation, storage roots, look-ups.

Only the server's administrators (admins of the default organization, and the CLI) create
organizations and grant storage roots: an organization's own admin who could name any
bucket could name another tenant's, so roots are granted, as an AWS account owner grants a
Ground Truth role its buckets. Two organizations' granted roots never overlap. The caller
owns the commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from quorum import audit
from quorum.errors import BadInput, Conflict, NotFound
from quorum.events import OrganizationCreated, StorageRootsSet
from quorum.ids import canonical_id
from quorum.limits import MAX_NAME_CHARS, check_text
from quorum.models import Organization, User
from quorum.settings import Settings
from quorum.statuses import DEFAULT_ORGANIZATION_ID, Role
from quorum.storage import Storage
from quorum.tenancy import forget_holders, storage_holders

#: Storage roots one organization may be granted.
MAX_STORAGE_ROOTS = 50
#: Characters of one storage root.
MAX_ROOT_CHARS = 1024


def is_server_admin(user: User) -> bool:
    """An admin of the default organization: may create organizations and grant roots."""
    return user.role == Role.ADMIN and user.organization_id == DEFAULT_ORGANIZATION_ID


def _check_roots(
    session: Session,
    storage: Storage,
    settings: Settings,
    roots: Sequence[str],
    organization_id: int | None,
) -> list[str]:
    """``roots`` without repeats, each a URL some backend serves, none overlapping a root
    another organization holds; :class:`BadInput` naming the root otherwise."""
    unique = list(dict.fromkeys(root.strip() for root in roots))
    if len(unique) > MAX_STORAGE_ROOTS:
        raise BadInput(f"storageRoots: at most {MAX_STORAGE_ROOTS} roots, got {len(unique)}")
    holders = storage_holders(session, storage, settings, fresh=True)
    for root in unique:
        if not root or len(root) > MAX_ROOT_CHARS:
            raise BadInput(f"storageRoots: each root is 1 to {MAX_ROOT_CHARS} characters")
        try:
            canonical = storage.canonical_url(root)
        except BadInput as exc:
            raise BadInput(f"storageRoots: {exc.message}") from None
        if holders.overlap(canonical, organization_id):
            raise BadInput(f"storageRoots: {root!r} overlaps a root another organization holds")
    return unique


def create_organization(
    session: Session,
    storage: Storage,
    settings: Settings,
    *,
    name: str,
    storage_roots: Sequence[str] = (),
    actor_id: int | None,
) -> Organization:
    """Create an organization holding its home and ``storage_roots``."""
    name = name.strip()
    if not name:
        raise BadInput("name: an organization needs a name")
    check_text(name, "name", MAX_NAME_CHARS)
    if session.exec(select(Organization.id).where(Organization.name == name)).first():
        raise Conflict(f"name: an organization called {name!r} already exists")
    roots = _check_roots(session, storage, settings, storage_roots, None)
    organization = Organization(name=name, storage_roots=roots)
    session.add(organization)
    session.flush()
    forget_holders()
    assert organization.id is not None
    audit.record(
        session,
        OrganizationCreated(
            actor_id=actor_id, entity_id=organization.id, name=name, storage_roots=roots
        ),
    )
    return organization


def set_storage_roots(
    session: Session,
    storage: Storage,
    settings: Settings,
    organization: Organization,
    storage_roots: Sequence[str],
    *,
    actor_id: int | None,
) -> Organization:
    """Replace the roots granted to ``organization`` (its home stays). Jobs already
    running keep reading what they read; each new read is checked against the new roots."""
    assert organization.id is not None
    roots = _check_roots(session, storage, settings, storage_roots, organization.id)
    organization.storage_roots = roots
    session.add(organization)
    forget_holders()
    audit.record(
        session, StorageRootsSet(actor_id=actor_id, entity_id=organization.id, storage_roots=roots)
    )
    return organization


def list_organizations(session: Session) -> list[Organization]:
    """Every organization, by id."""
    return list(session.exec(select(Organization).order_by(col(Organization.id))))


def get_organization(session: Session, organization_id: int, field: str = "id") -> Organization:
    """The organization ``organization_id``; :class:`NotFound` naming ``field``."""
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"{field}: no organization with id {organization_id}")
    return organization


def find_organization(session: Session, ref: str, field: str = "organization") -> Organization:
    """The organization named ``ref``, or whose id it is; :class:`NotFound` naming ``field``."""
    ref = ref.strip()
    found = session.exec(select(Organization).where(Organization.name == ref)).first()
    number = canonical_id(ref)
    if found is None and number is not None:
        found = session.get(Organization, number)
    if found is None:
        raise NotFound(f"{field}: no organization with name or id {ref!r}")
    return found
