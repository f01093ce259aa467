"""A worker cannot tell a gold item from a data item, by its number, its id or when it
comes, and handing a gold task back counts as a wrong answer to it."""

from __future__ import annotations

from datetime import timedelta

from quorum import hookimpl
from quorum.app import create_app
from quorum.models import Task
from quorum.services.blinding import job_key, shown_position
from quorum.statuses import utcnow
from quorum.testing import AppClient, GraphQLClient, RunningJob, running_job, write_manifest

DATA, GOLD_ITEMS = 40, 10
VIEW = """
mutation($id: ID) {
  claimTask(jobId: $id) {
    id input item { id position answersCount }
    job { counters { total gold } }
  }
}
"""
STATS = "query($id: ID!) { job(id: $id) { workerStats { goldAnswers goldAccuracy blocked } } }"
RELEASE = "mutation($id: ID!) { releaseTask(taskId: $id) { status } }"
DECLINE = "mutation($id: ID!) { declineTask(taskId: $id) { status } }"


def gold_job(
    app, settings, gql, data: int, gold: int, lines_before: list | None = None, **fields
) -> RunningJob:
    """A job of ``data`` texts (after ``lines_before``) with a gold manifest of ``gold``
    known texts."""
    known = [{"source": f"known text {n}", "gold-label": "positive"} for n in range(gold)]
    url = write_manifest(settings, "gold.manifest", known)
    spec = {"share": 1.0, "minAnswers": 2, "minAccuracy": 0.75, "manifest": url}
    lines = (lines_before or []) + [{"source": f"text {n}"} for n in range(data)]
    return running_job(app, gql, settings, lines=lines, gold=spec, **fields)


def claim_all(job: RunningJob, worker: int = 0) -> list[dict]:
    """Every task the worker gets, answered as they come."""
    seen = []
    while task := job.gql.ok(VIEW, {"id": job.id}, job.workers[worker][1])["claimTask"]:
        seen.append(task)
        job.submit(task, "positive", worker)
    return seen


def is_gold(task: dict) -> bool:
    return task["input"]["taskObject"].startswith("known")


def test_gold_items_are_numbered_and_named_like_data_items(quorum_app, quorum_settings, gql):
    job = gold_job(quorum_app, quorum_settings, gql, DATA, GOLD_ITEMS)
    seen = claim_all(job)
    assert len(seen) == DATA + GOLD_ITEMS
    # "Item k of total + gold": every number once, gold and data alike ...
    assert seen[0]["job"]["counters"] == {"total": DATA, "gold": GOLD_ITEMS}
    positions = [task["item"]["position"] for task in seen]
    assert sorted(positions) == list(range(DATA + GOLD_ITEMS))
    # ... with no tail of numbers past the dataset's that only gold items get (the gold
    # manifest's items are stored at 40..49; by chance alike here: 1 in 10^10).
    gold_positions = {task["item"]["position"] for task in seen if is_gold(task)}
    assert gold_positions != set(range(DATA, DATA + GOLD_ITEMS))
    assert max(task["item"]["position"] for task in seen if not is_gold(task)) >= DATA
    # Ids are opaque names, not the stored ids in which gold comes after the data.
    ids = [task["item"]["id"] for task in seen]
    assert len(set(ids)) == len(ids)
    assert not any(item_id.isdigit() for item_id in ids)
    # Every worker answers each gold item: its count of answers would tell it.
    assert {task["item"]["answersCount"] for task in seen} == {0}


def test_the_shuffle_is_a_fixed_permutation_of_every_size():
    key = job_key(b"secret", 7)
    for count in (1, 2, 3, 5, 16, 17, 1000):
        shown = [shown_position(key, position, count) for position in range(count)]
        assert sorted(shown) == list(range(count))
        assert shown == [shown_position(key, position, count) for position in range(count)]
    assert [shown_position(job_key(b"secret", 8), n, 1000) for n in range(20)] != shown[:20]


def test_a_worker_sees_the_same_number_and_id_when_a_released_item_comes_back(
    quorum_app, quorum_settings, gql
):
    job = running_job(quorum_app, gql, quorum_settings, lines=[{"source": "only"}])
    worker = job.workers[0][1]
    first = gql.ok(VIEW, {"id": job.id}, worker)["claimTask"]
    gql.ok(RELEASE, {"id": first["id"]}, worker)
    again = gql.ok(VIEW, {"id": job.id}, worker)["claimTask"]
    assert again["item"] == first["item"]


def test_without_gold_a_worker_sees_the_consoles_numbers(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app, gql, quorum_settings, lines=[{"source": f"t{n}"} for n in range(3)]
    )
    seen = claim_all(job)
    assert [task["item"]["position"] for task in seen] == [0, 1, 2]  # the manifest's order
    assert all(task["item"]["id"].isdigit() for task in seen)


def test_no_gold_comes_once_the_data_has_run_out(quorum_app, quorum_settings, gql):
    job = gold_job(quorum_app, quorum_settings, gql, 2, 2, workers=2, workersPerItem=1)
    seen = claim_all(job, 0)
    assert [is_gold(task) for task in seen] == [True, True, False, False]
    # The dataset is done: a gold item for the second worker now would be a tell.
    assert job.claim(1) is None
    assert gql.ok("{ availableJobs { id } }", token=job.workers[1][1]) == {"availableJobs": []}


def stats(job: RunningJob) -> dict:
    rows = job.gql.ok(STATS, {"id": job.id}, job.requester)["job"]["workerStats"]
    return rows[0] if rows else {}


def test_releasing_or_declining_a_gold_item_counts_as_a_wrong_answer(
    quorum_app, quorum_settings, gql
):
    job = gold_job(quorum_app, quorum_settings, gql, 4, 3)
    worker = job.workers[0][1]
    first = job.claim()  # share 1.0: the gold items come first
    assert first["input"]["taskObject"].startswith("known")
    assert gql.ok(RELEASE, {"id": first["id"]}, worker)["releaseTask"]["status"] == "RELEASED"
    assert stats(job) == {"goldAnswers": 1, "goldAccuracy": 0.0, "blocked": False}
    # Declining it as well counts no more: the task was already handed back.
    gql.ok(DECLINE, {"id": first["id"]}, worker)
    assert stats(job)["goldAnswers"] == 1
    second = job.claim()
    assert second["input"]["taskObject"].startswith("known")
    gql.ok(DECLINE, {"id": second["id"]}, worker)
    assert stats(job) == {"goldAnswers": 2, "goldAccuracy": 0.0, "blocked": True}
    error = gql.error("mutation($id: ID) { claimTask(jobId: $id) { id } }", {"id": job.id}, worker)
    assert error.extensions == {"code": "FORBIDDEN", "reason": "BLOCKED_BY_GOLD"}


def test_letting_a_gold_task_expire_counts_as_a_wrong_answer(quorum_app, quorum_settings, gql):
    job = gold_job(quorum_app, quorum_settings, gql, 2, 1, workers=1)
    gold_task = job.claim()
    with quorum_app.state.db.write() as session:
        row = session.get(Task, int(gold_task["id"]))
        row.lease_expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    job.run_runner()
    assert stats(job) == {"goldAnswers": 1, "goldAccuracy": 0.0, "blocked": False}


def test_handing_back_a_data_item_costs_nothing(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=[{"source": "text"}],
        gold={"share": 1.0, "minAnswers": 1, "minAccuracy": 0.75},
    )
    worker = job.workers[0][1]
    task = job.claim()
    gql.ok(RELEASE, {"id": task["id"]}, worker)
    assert stats(job) == {}
    assert job.claim() is not None


class Hint:
    """A pre-annotation hook that shows each task a hint, and records what it was given."""

    def __init__(self) -> None:
        self.given: list[dict] = []

    @hookimpl
    def quorum_pre_annotation(self, job, item):
        self.given.append(dict(item))
        return {"hint": f"look at {item['source']}"}


def test_a_gold_task_shows_what_pre_annotation_adds_like_any_other(quorum_settings):
    hint = Hint()
    app = create_app(quorum_settings, plugins=[hint])
    client = AppClient(app)
    try:
        gql = GraphQLClient(client)
        inline = [{"source": "marked", "gold-label": "positive"}, {"source": "plain"}]
        job = gold_job(app, quorum_settings, gql, 0, 1, lines_before=inline)
        tasks = []
        for _ in range(2):  # share 1.0: the two gold items, one of each kind, come first
            tasks.append(job.claim())
            job.submit(tasks[-1], "positive")
    finally:
        client.close()
    assert {task["input"]["hint"] for task in tasks} == {"look at marked", "look at known text 0"}
    assert all("gold-label" not in given for given in hint.given)  # the answer stays hidden
