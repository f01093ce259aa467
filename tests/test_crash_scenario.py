"""The probe's load-and-crash scenario, test-sized: 32 concurrent workers, 3 workers per
item, ``kill -9`` of ``quorum serve`` mid-job, a restart, and the job finishes with no
duplicate assignment and no lost answer (on SQLite, and on PostgreSQL through
``QUORUM_TEST_DATABASE_URL``)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import select

from quorum.db.engine import Database
from quorum.models import Item, Task
from quorum.statuses import TaskStatus
from tests.live import LiveServer, setup_job, wait_for
from tests.test_live_server import CLAIM, SUBMIT

ITEMS = 100
WORKERS = 32
PER_ITEM = 3
#: Kill the server once this share of the answers is in.
KILL_AT = 1 / 3


class Worker:
    """A worker that rides out a dead server: a request that gets no answer is sent again
    once the server is back (claiming gives back the task it holds, and submitting the
    same answer again is harmless). ``accepted`` is what the server said yes to."""

    def __init__(self, url: str, token: str, job_id: str) -> None:
        self.url = url
        self.token = token
        self.job_id = job_id
        self.accepted: list[tuple[str, int]] = []  # (task id, item position)
        self.errors: list[Any] = []
        self.retries = 0

    def _call(self, client: httpx.Client, query: str, variables: dict[str, Any]) -> Any:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            try:
                response = client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {self.token}"},
                )
            except httpx.TransportError:  # the server is down: try again when it is back
                self.retries += 1
                time.sleep(0.1)
                continue
            body = response.json()
            if body.get("errors"):
                self.errors.extend(body["errors"])
                return None
            return body["data"]
        self.errors.append("the server did not come back")
        return None

    def run(self) -> None:
        """Claim and answer until there is nothing left for this worker."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            while True:
                data = self._call(client, CLAIM, {"jobId": self.job_id})
                if data is None or data["claimTask"] is None:
                    return
                task = data["claimTask"]
                answer = {"label": "positive"}
                if self._call(client, SUBMIT, {"id": task["id"], "answer": answer}) is None:
                    return
                self.accepted.append((task["id"], task["item"]["position"]))


def _responses(objects: Path) -> dict[int, list[list[dict[str, Any]]]]:
    """The worker-response files the output holds, by item position."""
    found: dict[int, list[list[dict[str, Any]]]] = {}
    for path in objects.rglob("worker-response/iteration-1/*/*.json"):
        found.setdefault(int(path.parent.name), []).append(json.loads(path.read_text())["answers"])
    return found


def test_a_killed_server_mid_job_loses_and_duplicates_nothing(quorum_settings):
    started = time.monotonic()
    server = LiveServer(quorum_settings)
    server.start()
    try:
        job_id, requester, tokens = setup_job(
            quorum_settings, items=ITEMS, workers=WORKERS, per_item=PER_ITEM
        )
        with httpx.Client(base_url=server.url) as client:
            wait_for(client, requester, job_id, "IN_PROGRESS")
        workers = [Worker(server.url, token, job_id) for token in tokens]
        threads = [threading.Thread(target=worker.run) for worker in workers]
        for thread in threads:
            thread.start()
        while sum(len(w.accepted) for w in workers) < ITEMS * PER_ITEM * KILL_AT:
            time.sleep(0.01)
        server.kill()  # kill -9, mid-job, with requests in flight
        accepted_before = sum(len(w.accepted) for w in workers)
        server.start()
        for thread in threads:
            thread.join(60)
        with httpx.Client(base_url=server.url) as client:
            done = wait_for(client, requester, job_id, "COMPLETED")
    finally:
        server.stop()
    seconds = time.monotonic() - started
    assert [w.errors for w in workers if w.errors] == []
    assert done["counters"] == {"humanLabeled": ITEMS, "total": ITEMS}

    # No duplicate assignment: no worker answered an item twice, no item has more answers
    # than it asks for.
    for worker in workers:
        positions = [position for _, position in worker.accepted]
        assert len(positions) == len(set(positions))
    accepted = [entry for worker in workers for entry in worker.accepted]
    assert Counter(position for _, position in accepted) == dict.fromkeys(range(ITEMS), PER_ITEM)

    # No lost answer: every answer a worker got a yes for is in the output.
    responses = _responses(quorum_settings.objects_dir)
    assert sorted(responses) == list(range(ITEMS))
    assert all(len(files) == 1 for files in responses.values())
    db = Database(quorum_settings.database_url)
    try:
        with db.read() as session:
            tasks = {str(task.id): task for task in session.exec(select(Task))}
            items = list(session.exec(select(Item)))
            for task_id, position in accepted:
                task = tasks[task_id]
                assert task.status == TaskStatus.SUBMITTED
                assert f"private.quorum.{task.worker_id}" in {
                    answer["workerId"] for answer in responses[position][0]
                }
    finally:
        db.dispose()
    assert all(item.answers_count == PER_ITEM for item in items)
    for files in responses.values():
        answers = files[0]
        assert len(answers) == PER_ITEM
        assert len({answer["workerId"] for answer in answers}) == PER_ITEM
    print(
        f"\n{quorum_settings.database_url.split(':')[0]}: {len(accepted)} answers "
        f"({accepted_before} before the kill, {sum(w.retries for w in workers)} retried "
        f"requests), 0 duplicates, 0 lost, {seconds:.1f} s"
    )
    assert seconds < 60
