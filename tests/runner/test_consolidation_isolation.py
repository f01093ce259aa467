"""A plugin that fails on one item's answers fails that item only (issue 12).

The rest of its consolidation batch is labeled as usual, and the failing item says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from quorum import hookimpl
from quorum.consensus import ConsensusResult, WorkerAnswer
from quorum.testing import running_job
from quorum_plugins.consensus.majority_vote import MajorityVote


class Fussy(MajorityVote):
    """Majority vote that cannot read an answer commented "garbled"."""

    name = "fussy-vote"
    description = "Majority vote that fails on garbled answers."
    #: The comment it cannot read.
    refuses = "garbled"

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        if any(answer.answer.get("workerComment") == self.refuses for answer in answers):
            raise ValueError("cannot read a garbled answer")
        return super().consolidate(answers, labels, state)


class FussyPlugin:
    @staticmethod
    @hookimpl
    def quorum_consensus_algorithms():
        return [Fussy]


@pytest.fixture
def quorum_plugins():
    return [FussyPlugin]


ITEMS = "query($id: ID!) { job(id: $id) { items { edges { node { status failureReason } } } } }"
SUBMIT = "mutation($t: ID!, $a: JSON!) { submitTask(taskId: $t, answer: $a) { status } }"


def test_one_bad_answer_fails_its_item_and_the_batch_is_labeled(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=None, consensus="fussy-vote")
    worker = job.workers[0][1]
    for position in range(3):
        task = job.claim()
        assert task is not None
        answer: dict[str, Any] = {"label": "positive"}
        if position == 1:
            answer["workerComment"] = "garbled"
        gql.ok(SUBMIT, {"t": task["id"], "a": answer}, worker)
    quorum_app.state.runner.run_until_idle()
    items = gql.ok(ITEMS, {"id": job.id}, job.requester)["job"]["items"]["edges"]
    nodes = [edge["node"] for edge in items]
    assert [node["status"] for node in nodes] == ["HUMAN_LABELED", "FAILED", "HUMAN_LABELED"]
    assert nodes[1]["failureReason"] == (
        "consensus fussy-vote failed on this item: cannot read a garbled answer"
    )


RETRY = "mutation($id: ID!) { retryItems(jobId: $id) { status } }"


def test_failed_items_can_be_retried(quorum_app, quorum_settings, gql):
    job = running_job(quorum_app, gql, quorum_settings, lines=None, consensus="fussy-vote")
    worker = job.workers[0][1]
    for position in range(3):
        task = job.claim()
        assert task is not None
        comment = "garbled" if position == 1 else "fine"
        gql.ok(
            SUBMIT, {"t": task["id"], "a": {"label": "positive", "workerComment": comment}}, worker
        )
    quorum_app.state.runner.run_until_idle()
    assert job.status()["status"] == "COMPLETED"
    Fussy.refuses = "never"  # the plugin is fixed
    try:
        assert gql.ok(RETRY, {"id": job.id}, job.requester)["retryItems"]["status"] == "IN_PROGRESS"
        quorum_app.state.runner.run_until_idle()
    finally:
        Fussy.refuses = "garbled"
    assert job.status()["status"] == "COMPLETED"
    items = gql.ok(ITEMS, {"id": job.id}, job.requester)["job"]["items"]["edges"]
    assert [edge["node"] for edge in items] == [
        {"status": "HUMAN_LABELED", "failureReason": None}
    ] * 3
