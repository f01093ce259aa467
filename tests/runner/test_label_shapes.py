"""A plugin's label of the wrong shape fails its item, naming the plugin and the field
(issue 13), instead of failing in the task type that writes it; the other items go on."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from quorum import hookimpl
from quorum.consensus import ConsensusResult, Consolidated, WorkerAnswer
from quorum.label_kinds import LabelKind
from quorum.testing import running_job
from quorum_plugins.consensus.box_iou import BoxIoU
from tests.plugins.task_types.test_structured import box, boxes, image_lines

ITEMS = "query($id: ID!) { job(id: $id) { items { edges { node { status failureReason } } } } }"
SUBMIT = "mutation($t: ID!, $a: JSON!) { submitTask(taskId: $t, answer: $a) { status } }"


class WideBoxes(BoxIoU):
    """``box-iou``, but it writes the width of a Cat's box as a word."""

    name = "wide-boxes"
    description = "Writes a Cat box's width as 'wide'."
    label_kinds = (LabelKind.BOXES,)

    def consolidate(
        self,
        answers: Sequence[WorkerAnswer],
        labels: Sequence[str],
        state: Mapping[str, Any] | None = None,
    ) -> ConsensusResult:
        result = super().consolidate(answers, labels, state)
        return dataclasses.replace(
            result, labels={item: _widened(label) for item, label in result.labels.items()}
        )


def _widened(label: Consolidated) -> Consolidated:
    annotations = [
        {**annotation, "width": "wide"} if annotation["class_id"] == 1 else annotation
        for annotation in label.value["annotations"]
    ]
    return dataclasses.replace(label, value={**label.value, "annotations": annotations})


class WideBoxesPlugin:
    @staticmethod
    @hookimpl
    def quorum_consensus_algorithms():
        return [WideBoxes]


class Undecided:
    """A post-annotation plugin that labels a text "maybe" when a worker commented so."""

    @staticmethod
    @hookimpl
    def quorum_post_annotation(job, item, answers):
        if any(answer.answer.get("workerComment") == "maybe" for answer in answers):
            return Consolidated(value="maybe", confidence=0.5)
        return None


@pytest.fixture
def quorum_plugins():
    return [WideBoxesPlugin, Undecided]


def statuses(job) -> list[dict[str, Any]]:
    items = job.gql.ok(ITEMS, {"id": job.id}, job.requester)["job"]["items"]["edges"]
    return [edge["node"] for edge in items]


def test_a_wrong_shaped_box_fails_its_item_naming_the_plugin_and_the_field(
    quorum_app, quorum_settings, gql
):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=image_lines(quorum_settings, 3),
        name="birds",
        taskType="bounding-box",
        labels=["Bird", "Cat"],
        consensus="wide-boxes",
    )
    worker = job.workers[0][1]
    while (task := job.claim()) is not None:
        label = "Cat" if task["item"]["position"] == 1 else "Bird"
        gql.ok(SUBMIT, {"t": task["id"], "a": boxes(box(label, 1, 2, 30, 40))}, worker)
    job.run_runner()
    assert statuses(job) == [
        {"status": "HUMAN_LABELED", "failureReason": None},
        {
            "status": "FAILED",
            "failureReason": "consensus algorithm 'wide-boxes' (plugin 'WideBoxesPlugin'): "
            "value.annotations[0].width: expected a number, got 'wide'",
        },
        {"status": "HUMAN_LABELED", "failureReason": None},
    ]
    assert job.status()["status"] == "COMPLETED"


def test_a_post_annotation_label_of_the_wrong_shape_fails_its_item(
    quorum_app, quorum_settings, gql
):
    job = running_job(quorum_app, gql, quorum_settings, name="reviews")
    worker = job.workers[0][1]
    while (task := job.claim()) is not None:
        answer: dict[str, Any] = {"label": "positive"}
        if task["item"]["position"] == 2:
            answer["workerComment"] = "maybe"
        gql.ok(SUBMIT, {"t": task["id"], "a": answer}, worker)
    job.run_runner()
    assert statuses(job)[2] == {
        "status": "FAILED",
        "failureReason": "post-annotation plugin 'Undecided': "
        "value: expected one of the job's labels, got 'maybe'",
    }
    assert [node["status"] for node in statuses(job)[:2]] == ["HUMAN_LABELED"] * 2
