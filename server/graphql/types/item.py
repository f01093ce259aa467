"""Items: one manifest line each, with its consolidated label."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from quorum import models, statuses
from quorum.graphql.browser_urls import browser_url
from quorum.graphql.context import Info
from quorum.graphql.types.enums import ItemStatus
from quorum.services import blinding
from quorum.services.tasks import worker_line


@strawberry.type
class Item:
    """One manifest line and what became of it."""

    id: strawberry.ID = strawberry.field(
        description="The item's id; in a worker's view of a task of a job with gold items, "
        "an opaque name of the item instead, the same each time."
    )
    position: int = strawberry.field(
        description="0-based line index: Ground Truth's datasetObjectId (a gold manifest's "
        "items come after the input manifest's). In a worker's view of a task of a job with "
        "gold items, the item's place in a fixed shuffle of all the job's items, gold ones "
        "included (0 to counters.total + counters.gold - 1), so that it never tells one."
    )
    status: ItemStatus
    manifest_line: JSON
    output: JSON | None = strawberry.field(
        description="The label attribute and its -metadata, as written to the output manifest."
    )
    confidence: float | None
    answers_count: int = strawberry.field(
        description="Answers submitted for the item; 0 in a worker's view of a task of a job "
        "with gold items (every worker answers a gold item)."
    )
    labeled_at: datetime | None
    failure_reason: str | None
    _organization_id: strawberry.Private[int]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="A URL the browser can fetch the item's source-ref object from, for a "
        "while (signed or presigned); null for inline text."
    )
    def source_url(self, info: Info) -> str | None:
        """The manifest line's ``source-ref``, made fetchable."""
        line = self.manifest_line
        ref = line.get("source-ref") if isinstance(line, dict) else None
        return browser_url(info, ref, self._organization_id) if isinstance(ref, str) else None

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="For a label stored as an object of its own (a segmentation mask, under "
        "a label attribute ending in -ref): a URL the browser can fetch it from, for a while; "
        "otherwise null."
    )
    def label_url(self, info: Info) -> str | None:
        """The ``-ref`` label's object, made fetchable."""
        output: dict[str, object] = self.output if isinstance(self.output, dict) else {}
        for key, value in output.items():
            if key.endswith("-ref") and isinstance(value, str):
                return browser_url(info, value, self._organization_id)
        return None

    @classmethod
    def worker_view(cls, item: models.Item, job: models.Job, key: bytes, count: int) -> Item:
        """The item as the worker holding a task of it sees it: the manifest line without
        the job's gold key, a gold item (labeled with its known answer from the start)
        shown as in progress like any item being answered, and no consolidated label
        (others' answers, or a gold item's known answer). In a job with gold items,
        nothing that tells them from data items either: no count of answers (every worker
        answers a gold item), and the id and position blinded
        (:mod:`quorum.services.blinding`, ``key`` the job's and ``count`` its items, gold
        included). Without gold there is nothing to tell apart, and the worker's numbers
        are the console's."""
        full = cls.from_model(item, job.organization_id)
        gold = item.gold_answer is not None or item.status == statuses.ItemStatus.GOLD
        view = dataclasses.replace(
            full,
            status=statuses.ItemStatus.IN_PROGRESS if gold else statuses.ItemStatus(item.status),
            manifest_line=JSON(worker_line(job, item)),
            output=None,
            confidence=None,
        )
        if job.gold is None:
            return view
        assert item.id is not None
        return dataclasses.replace(
            view,
            id=strawberry.ID(blinding.shown_id(key, item.id)),
            position=blinding.shown_position(key, item.position, count),
            answers_count=0,
        )

    @classmethod
    def from_model(cls, item: models.Item, organization_id: int) -> Item:
        """The public view of an item row of a job of ``organization_id``."""
        return cls(
            id=strawberry.ID(str(item.id)),
            position=item.position,
            status=statuses.ItemStatus(item.status),
            manifest_line=json.loads(item.data),
            output=json.loads("{" + item.output + "}") if item.output else None,
            confidence=item.confidence,
            answers_count=item.answers_count,
            labeled_at=item.labeled_at,
            failure_reason=item.failure_reason,
            _organization_id=organization_id,
        )
