"""The scenario helpers as a plugin author uses them: a job with their own algorithm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from quorum import hookimpl
from quorum.consensus import ConsensusAlgorithm, ConsensusResult, Consolidated, WorkerAnswer
from quorum.label_kinds import LabelKind
from quorum.testing import read_output, running_job, text_lines


class FirstAnswer(ConsensusAlgorithm):
    """Takes each item's first answer, sure of it."""

    name = "first-answer"
    description = "The first answer of each item."
    label_kinds = (LabelKind.SINGLE_LABEL,)

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        first: dict[Any, Consolidated] = {}
        for answer in answers:
            first.setdefault(answer.item, Consolidated(value=answer.answer["label"], confidence=1))
        return ConsensusResult(labels=first)


class FirstAnswerPlugin:
    @staticmethod
    @hookimpl
    def quorum_consensus_algorithms():
        return [FirstAnswer]


@pytest.fixture
def quorum_plugins():
    return [FirstAnswerPlugin]


def test_a_running_job_with_the_authors_algorithm(quorum_app, gql, quorum_settings):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=text_lines(2),
        workers=3,
        consensus="first-answer",
        workersPerItem=3,
    )
    assert job.label_everything("negative") == 6  # 2 items x 3 workers
    job.run_runner()
    status = job.status()
    assert status["status"] == "COMPLETED"
    lines = read_output(status["outputManifest"])
    assert [line["id"] for line in lines] == [0, 1]
    assert {line["job-1-metadata"]["class-name"] for line in lines} == {"negative"}
