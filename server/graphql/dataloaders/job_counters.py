"""Loads the item counters of many jobs with one GROUP BY."""

from __future__ import annotations

from collections import defaultdict
from typing import TypeAlias

from sqlalchemy import func
from sqlmodel import col, select
from strawberry.dataloader import DataLoader

from quorum.blocking import run_blocking
from quorum.db.engine import Database
from quorum.models import Item, Job
from quorum.services.jobs import Counters, counters_from_statuses

Key: TypeAlias = int
Result: TypeAlias = Counters


class JobCountersLoader(DataLoader[Key, Result]):
    """Counters per job id, in key order."""

    def __init__(self, db: Database) -> None:
        super().__init__(load_fn=self._load)
        self.db = db

    async def _load(self, keys: list[Key]) -> list[Result]:
        return await run_blocking(self._load_sync, keys)

    def _load_sync(self, keys: list[Key]) -> list[Result]:
        statuses: dict[int, dict[str, int]] = defaultdict(dict)
        with self.db.read() as session:
            rows = session.exec(
                select(Item.job_id, Item.status, func.count())
                .where(col(Item.job_id).in_(keys))
                .group_by(col(Item.job_id), col(Item.status))
            ).all()
            waiting = dict(
                session.exec(
                    select(Job.id, Job.waiting_for_workers).where(col(Job.id).in_(keys))
                ).all()
            )
        for job_id, status, count in rows:
            statuses[job_id][status] = int(count)
        return [counters_from_statuses(statuses[key], waiting.get(key, 0)) for key in keys]
