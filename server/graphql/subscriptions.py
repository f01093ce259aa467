"""The ``Subscription`` root: live job counters over graphql-transport-ws."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry
from sqlmodel import Session

from quorum import models
from quorum.graphql.context import Info
from quorum.graphql.types.job import JobCounters
from quorum.graphql.types.pagination import parse_id
from quorum.services.jobs import counters, get_managed_job

#: How often a subscription looks at the counters.
POLL_SECONDS = 0.5


@strawberry.type
class Subscription:
    """Streams."""

    @strawberry.subscription
    async def job_progress(
        self, info: Info, job_id: strawberry.ID
    ) -> AsyncGenerator[JobCounters, None]:
        """The job's counters now, then each time they change; ends when the job does."""
        wanted = parse_id(job_id, "jobId")

        def load(session: Session, user: models.User) -> tuple[JobCounters, bool]:
            job = get_managed_job(session, user, wanted)
            finished = job.status in models.FINAL_JOB_STATUSES
            return JobCounters.from_counters(counters(session, wanted)), finished

        last: JobCounters | None = None
        while True:
            current, finished = await info.context.read(load)
            if current != last:
                yield current
                last = current
            if finished:
                return
            await asyncio.sleep(POLL_SECONDS)
