"""Dataloaders, one per file; :class:`DataLoaders` holds one set per request."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from quorum.db.engine import Database
from quorum.graphql.dataloaders.item_positions import ItemPositionsLoader
from quorum.graphql.dataloaders.job_counters import JobCountersLoader
from quorum.services.jobs import Counters


@dataclass
class DataLoaders:
    """The request's dataloaders."""

    job_counters: DataLoader[int, Counters]
    item_positions: DataLoader[int, int | None]

    @classmethod
    def build(cls, db: Database) -> DataLoaders:
        """Fresh loaders for one request."""
        return cls(job_counters=JobCountersLoader(db), item_positions=ItemPositionsLoader(db))
