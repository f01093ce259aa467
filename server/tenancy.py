"""Which organization holds which storage, and a :class:`~quorum.storage.Storage` that
refuses every URL outside the caller's.

Every storage URL a request or a job names (input and gold manifests, ``source-ref``s,
examples, a template's ``grant_read_access``, output paths, uploads) goes through
:class:`OrganizationStorage`, whose :meth:`~OrganizationStorage.backend` checks the URL
before any backend reads or writes it. The rules:

- An organization holds its **home**, where its uploads and default outputs go
  (:func:`home_url`: ``QUORUM_STORAGE_URL`` itself for the default organization,
  ``<QUORUM_STORAGE_URL>/orgs/<id>`` for any other), and its **storage roots**
  (``Organization.storage_roots``: storage URL prefixes granted by the server's
  administrators).
- A URL belongs to the organization whose root is the longest prefix of it, path segment
  by path segment, compared in the backend's canonical spelling (``file://`` URLs with
  ``..`` and links resolved): ``s3://acme`` holds ``s3://acme/a.jsonl`` but not
  ``s3://acme-2/a.jsonl``.
- An organization whose ``storage_roots`` is ``None`` (the default organization, until an
  administrator gives it roots) also holds every URL that no other organization holds:
  the single-organization installation needs no configuration.

A refusal names the URL and the caller's own roots, never who holds it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from quorum.errors import BadInput
from quorum.models import Job, Organization
from quorum.settings import Settings
from quorum.statuses import DEFAULT_ORGANIZATION_ID
from quorum.storage import Storage, StorageBackend, join_url

if TYPE_CHECKING:
    from quorum.db.engine import Database
    from quorum.plugins import PluginHost

Segments = tuple[str, ...]


def home_url(settings: Settings, organization_id: int) -> str:
    """Where the organization's uploads and default outputs go."""
    if organization_id == DEFAULT_ORGANIZATION_ID:
        return settings.storage_url
    return join_url(settings.storage_url, "orgs", str(organization_id))


def _segments(canonical: str) -> Segments:
    """A canonical URL as its scheme and path segments (a trailing slash dropped)."""
    scheme, _, rest = canonical.partition("://")
    return (scheme, *rest.rstrip("/").split("/"))


def _under(segments: Segments, root: Segments) -> bool:
    return segments[: len(root)] == root


@dataclass(frozen=True)
class StorageHolders:
    """Every organization's roots, as canonical segments, and the organization holding
    what nobody else does (``None``: nobody)."""

    roots: tuple[tuple[Segments, int], ...]
    rest: int | None
    #: The default organization's home, around every other home: no overlap to refuse.
    default_home: Segments
    #: Each organization's home and granted roots as stored, for messages.
    stated: dict[int, tuple[str, ...]]

    def holder(self, canonical: str) -> int | None:
        """The organization that holds the canonical URL (the longest root wins)."""
        segments = _segments(canonical)
        best: tuple[int, int] | None = None
        for root, organization_id in self.roots:
            if _under(segments, root) and (best is None or len(root) > best[0]):
                best = (len(root), organization_id)
        return self.rest if best is None else best[1]

    def overlap(self, canonical: str, organization_id: int | None) -> bool:
        """Whether the canonical root lies inside or around a root another organization
        holds than ``organization_id`` (a new one: ``None``)."""
        root = _segments(canonical)
        return any(
            other != organization_id
            and held != self.default_home
            and (_under(root, held) or _under(held, root))
            for held, other in self.roots
        )


def roots_of(settings: Settings, organization: Organization) -> list[str]:
    """The organization's home and granted roots, as stored (not canonical)."""
    assert organization.id is not None
    return [home_url(settings, organization.id), *(organization.storage_roots or [])]


#: Seconds a process keeps what it read of the organizations' roots: a change made by
#: another process applies within this time (at once in the process that made it).
HOLDERS_SECONDS = 5.0
_holders: dict[int, tuple[float, StorageHolders]] = {}


def forget_holders() -> None:
    """Drop what this process keeps of the roots (they just changed)."""
    _holders.clear()


def _read_holders(session: Session, storage: Storage, settings: Settings) -> StorageHolders:
    roots: list[tuple[Segments, int]] = []
    stated: dict[int, tuple[str, ...]] = {}
    rest = None
    for organization in session.exec(select(Organization).order_by(col(Organization.id))):
        assert organization.id is not None
        if organization.storage_roots is None and rest is None:
            rest = organization.id
        stated[organization.id] = tuple(roots_of(settings, organization))
        for url in stated[organization.id]:
            try:
                roots.append((_segments(storage.canonical_url(url)), organization.id))
            except BadInput:
                continue
    default_home = _segments(storage.canonical_url(home_url(settings, DEFAULT_ORGANIZATION_ID)))
    return StorageHolders(tuple(roots), rest, default_home, stated)


def storage_holders(
    session: Session, storage: Storage, settings: Settings, *, fresh: bool = False
) -> StorageHolders:
    """Who holds what, from the ``organizations`` table (as read within the last
    :data:`HOLDERS_SECONDS` unless ``fresh``). A root the backends refuse today (a folder
    dropped from ``QUORUM_LOCAL_ROOTS``) holds nothing."""
    now = time.monotonic()
    kept = _holders.get(id(storage))
    if not fresh and kept is not None and now - kept[0] < HOLDERS_SECONDS:
        return kept[1]
    holders = _read_holders(session, storage, settings)
    _holders[id(storage)] = (now, holders)
    return holders


class OrganizationStorage(Storage):
    """The server's storage as one organization may use it: every URL it is asked to read,
    write, sign or check is refused with :class:`BadInput` unless the organization holds
    it."""

    def __init__(
        self, storage: Storage, holders: StorageHolders, organization_id: int, roots: list[str]
    ) -> None:
        super().__init__(storage.backends)
        self.organization_id = organization_id
        self._holders = holders
        self._roots = roots

    def backend(self, url: str) -> StorageBackend:
        """The backend for ``url``, once the organization is found to hold it."""
        backend = super().backend(url)
        if self._holders.holder(backend.canonical_url(url)) != self.organization_id:
            raise BadInput(
                f"{url!r} is outside your organization's storage (its roots: "
                f"{', '.join(self._roots) or 'none'}); ask an administrator to grant its "
                "bucket or folder"
            )
        return backend


def organization_storage(
    session: Session, storage: Storage, settings: Settings, organization_id: int
) -> OrganizationStorage:
    """``storage`` confined to what ``organization_id`` holds."""
    holders = storage_holders(session, storage, settings)
    if organization_id not in holders.stated:  # made by another process just now
        holders = storage_holders(session, storage, settings, fresh=True)
    stated = holders.stated.get(organization_id)
    if stated is None:
        raise BadInput(f"no organization with id {organization_id}")
    return OrganizationStorage(storage, holders, organization_id, list(stated))


def read_organization_storage(
    db: Database, storage: Storage, settings: Settings, organization_id: int
) -> OrganizationStorage:
    """:func:`organization_storage`, reading the database only when what this process
    keeps of the roots is older than :data:`HOLDERS_SECONDS`."""
    kept = _holders.get(id(storage))
    if kept is not None and time.monotonic() - kept[0] < HOLDERS_SECONDS:
        stated = kept[1].stated.get(organization_id)
        if stated is not None:
            return OrganizationStorage(storage, kept[1], organization_id, list(stated))
    with db.read() as session:
        return organization_storage(session, storage, settings, organization_id)


def job_storage(session: Session, plugins: PluginHost, job: Job) -> OrganizationStorage:
    """The storage ``job`` may use: its organization's."""
    return organization_storage(session, plugins.storage, plugins.settings, job.organization_id)


def read_job_storage(db: Database, plugins: PluginHost, job: Job) -> OrganizationStorage:
    """:func:`job_storage`, for the runner (:func:`read_organization_storage`)."""
    return read_organization_storage(db, plugins.storage, plugins.settings, job.organization_id)
