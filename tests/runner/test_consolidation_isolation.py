"""A plugin that fails on one item's answers fails that item only (issue 12).

The rest of its consolidation batch is labeled as usual, and the failing item says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from quorum import hookimpl
from quorum.consensus import ConsensusResult, WorkerAnswer
from quorum_plugins.builtin_majority_vote import MajorityVote
from tests.scenarios import running_job


class Fussy(MajorityVote):
    """Majority vote that cannot read an answer commented "garbled"."""

    name = "fussy-vote"
    description = "Majority vote that fails on garbled answers."

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        if any(answer.answer.get("workerComment") == "garbled" for answer in answers):
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
