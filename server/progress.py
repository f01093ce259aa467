"""Live job counters shared by every subscriber: one computation per job, not per watcher.

:class:`ProgressFeeds` keeps one :class:`Feed` per job that someone watches. A feed counts
the job's items (:func:`quorum.services.jobs.counters`, a GROUP BY over the whole job) and
hands the result to all of its subscribers. It counts again when this process commits a
change to the job (:meth:`ProgressFeeds.notify`, called after each commit with its audit
events), and, for changes made by other processes (a separate ``quorum runner``, another
server), at least every ``refresh`` seconds. Whatever the number of subscribers, a job is
counted at most once per ``interval`` seconds, and never more than a fifth of the time
(a job whose count takes 200 ms is counted at most once a second).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from quorum.blocking import run_blocking
from quorum.db.engine import Database
from quorum.events import Event
from quorum.models import Job
from quorum.services.jobs import Counters, counters
from quorum.statuses import FINAL_JOB_STATUSES

log = logging.getLogger(__name__)

#: A feed waits at least this many times as long as its last count took, before counting again.
LOAD_FACTOR = 4.0
#: The least time between two counts of one job (seconds).
INTERVAL_SECONDS = 0.5
#: The most time between two counts of a watched job when this process saw no write to it.
REFRESH_SECONDS = 2.0


@dataclass(frozen=True)
class Progress:
    """A job's counters, and whether the job has ended (no more changes will come)."""

    counters: Counters
    finished: bool


class Feed:
    """One job's shared counters: a task counts them, subscribers wait for new values."""

    def __init__(self, feeds: ProgressFeeds, job_id: int) -> None:
        self.job_id = job_id
        self.latest: Progress | None = None
        self.error: Exception | None = None
        self.done = False
        self._feeds = feeds
        self._changed = asyncio.Event()  # a write to the job committed: count again
        self._listeners: set[asyncio.Event] = set()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Count again soon (a commit changed the job)."""
        self._changed.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._listeners:
                self._changed.clear()
                started = loop.time()
                progress = await run_blocking(self._feeds.count, self.job_id)
                took = loop.time() - started
                if progress != self.latest:
                    self.latest = progress
                    self._publish()
                if progress.finished:
                    return
                try:
                    await asyncio.wait_for(self._changed.wait(), self._feeds.refresh)
                except TimeoutError:
                    pass
                gap = max(self._feeds.interval, LOAD_FACTOR * took)
                await asyncio.sleep(max(0.0, started + gap - loop.time()))
        except Exception as exc:  # the subscribers report it; the next subscriber retries
            log.warning("counting job %s for its subscribers failed: %s", self.job_id, exc)
            self.error = exc
        finally:
            self.done = True
            self._feeds.forget(self)
            self._publish()

    def _publish(self) -> None:
        for listener in self._listeners:
            listener.set()

    async def watch(self, recheck: float) -> AsyncIterator[Progress | None]:
        """The feed's values as they change, the current one first; ``None`` when
        ``recheck`` seconds pass without one (so the caller can check its access).

        :raises Exception: the error that stopped the feed.
        """
        listener = asyncio.Event()
        self._listeners.add(listener)
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        if self.latest is not None or self.done:
            listener.set()
        seen: Progress | None = None
        try:
            while True:
                try:
                    await asyncio.wait_for(listener.wait(), recheck)
                except TimeoutError:
                    yield None
                    continue
                listener.clear()
                if self.error is not None:
                    raise self.error
                if self.latest is not None and self.latest != seen:
                    seen = self.latest
                    yield seen
                if self.done:
                    return
        finally:
            self._listeners.discard(listener)


class ProgressFeeds:
    """The feeds of one server process: at most one per job, while it has subscribers."""

    def __init__(
        self, db: Database, interval: float = INTERVAL_SECONDS, refresh: float = REFRESH_SECONDS
    ) -> None:
        self.db = db
        #: The least time between two counts of one job.
        self.interval = interval
        #: The most time between two counts of a watched job, when this process saw no write.
        self.refresh = refresh
        #: How many times a job was counted (for tests and benchmarks).
        self.computations = 0
        self._feeds: dict[int, Feed] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def feed(self, job_id: int) -> Feed:
        """The job's feed, started if nobody watched it yet (call on the event loop)."""
        self._loop = asyncio.get_running_loop()
        found = self._feeds.get(job_id)
        if found is None or found.done:
            found = self._feeds[job_id] = Feed(self, job_id)
        return found

    def forget(self, feed: Feed) -> None:
        """Drop a feed that stopped."""
        if self._feeds.get(feed.job_id) is feed:
            del self._feeds[feed.job_id]

    def count(self, job_id: int) -> Progress:
        """Count the job's items now (on a worker thread)."""
        self.computations += 1
        with self.db.read() as session:
            job = session.get(Job, job_id)
            found = counters(session, job_id)
        return Progress(found, job is None or job.status in FINAL_JOB_STATUSES)

    def notify(self, event: Event) -> None:
        """After a commit, from any thread: count the event's job again if it is watched."""
        loop = self._loop
        if event.job_id is None or loop is None or event.job_id not in self._feeds:
            return
        try:
            loop.call_soon_threadsafe(self._wake, event.job_id)
        except RuntimeError:  # the loop is closed: the server is shutting down
            pass

    def _wake(self, job_id: int) -> None:
        found = self._feeds.get(job_id)
        if found is not None:
            found.wake()
