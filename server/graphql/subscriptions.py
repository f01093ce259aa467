"""The ``Subscription`` root: live job counters over graphql-transport-ws.

Every subscriber of a job shares one count of its items (:mod:`quorum.progress`). A
connection holds at most ``QUORUM_MAX_SUBSCRIPTIONS_PER_CONNECTION`` operations at once:
strawberry refuses one more before parsing it (:class:`quorum.app.QuorumGraphQL`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator

import strawberry
from sqlmodel import Session

from quorum import models
from quorum.graphql.context import RECHECK_SECONDS, Info
from quorum.graphql.types.job import JobCounters
from quorum.graphql.types.pagination import parse_id
from quorum.services.jobs import get_managed_job


@strawberry.type
class Subscription:
    """Streams."""

    @strawberry.subscription
    async def job_progress(
        self, info: Info, job_id: strawberry.ID
    ) -> AsyncGenerator[JobCounters, None]:
        """The job's counters now, then each time they change; ends when the job does."""
        wanted = parse_id(job_id, "jobId")
        context = info.context

        def check(session: Session, user: models.User) -> None:
            get_managed_job(session, user, wanted)

        await context.read(check)
        checked = time.monotonic()
        async for progress in context.progress.feed(wanted).watch(RECHECK_SECONDS):
            if time.monotonic() - checked > RECHECK_SECONDS:
                await context.read(check)  # the caller may have lost the job since
                checked = time.monotonic()
            if progress is not None:
                yield JobCounters.from_counters(progress.counters)
