"""Live job counters: one count per job shared by every subscriber, pushed by the writes."""

from __future__ import annotations

import asyncio

from quorum.events import Event
from quorum.progress import ProgressFeeds
from quorum.testing import RunningJob, running_job, text_lines

WATCHERS = 200


async def watch_until_labeled(feeds: ProgressFeeds, job_id: int, items: int) -> list[int]:
    """The ``humanLabeled`` values one subscriber sees, until all ``items`` are labeled."""
    seen: list[int] = []
    async for progress in feeds.feed(job_id).watch(recheck=60):
        assert progress is not None, "no value within the recheck interval"
        seen.append(progress.counters.human_labeled)
        if progress.counters.human_labeled == items:
            return seen
    return seen


def label_and_consolidate(job: RunningJob) -> None:
    job.label_everything()
    job.run_runner()


def test_two_hundred_subscribers_share_one_count_pushed_by_the_writes(
    quorum_app, quorum_settings, gql
):
    job = running_job(quorum_app, gql, quorum_settings, lines=text_lines(4), workersPerItem=1)
    # Never counted again on a timer (refresh of an hour): every new value must come from a
    # commit's event.
    feeds = ProgressFeeds(quorum_app.state.db, interval=0.05, refresh=3600)
    db = quorum_app.state.db
    served = db.after_commit

    def committed(event: Event) -> None:
        served(event)
        feeds.notify(event)

    db.after_commit = committed

    async def main() -> list[list[int]]:
        watchers = [
            asyncio.create_task(watch_until_labeled(feeds, int(job.id), 4)) for _ in range(WATCHERS)
        ]
        await asyncio.sleep(0.2)  # everyone has the first value
        before = feeds.computations
        await asyncio.to_thread(label_and_consolidate, job)
        seen = await asyncio.wait_for(asyncio.gather(*watchers), 30)
        assert feeds.computations - before < 40, feeds.computations  # not one per subscriber
        return seen

    try:
        seen = asyncio.run(main())
    finally:
        db.after_commit = served
    assert all(values[0] == 0 and values[-1] == 4 for values in seen)
    assert all(values == sorted(values) for values in seen)
