"""Loads the manifest positions of many items with one query."""

from __future__ import annotations

from typing import TypeAlias

from sqlmodel import col, select
from strawberry.dataloader import DataLoader

from quorum.blocking import run_blocking
from quorum.db.engine import Database
from quorum.models import Item

Key: TypeAlias = int
Result: TypeAlias = int | None


class ItemPositionsLoader(DataLoader[Key, Result]):
    """Each item's 0-based manifest position (``None`` for an item that is gone), in key
    order."""

    def __init__(self, db: Database) -> None:
        super().__init__(load_fn=self._load)
        self.db = db

    async def _load(self, keys: list[Key]) -> list[Result]:
        return await run_blocking(self._load_sync, keys)

    def _load_sync(self, keys: list[Key]) -> list[Result]:
        with self.db.read() as session:
            rows = session.exec(select(Item.id, Item.position).where(col(Item.id).in_(keys))).all()
        positions = dict(rows)
        return [positions.get(key) for key in keys]
