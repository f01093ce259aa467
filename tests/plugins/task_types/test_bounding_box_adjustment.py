"""The ``bounding-box-adjustment`` task type: answers, the previous boxes as the element's
``initial-value``, and ``adjustment-status`` decided by comparing boxes (GROUNDTRUTH.md 2.1
and 2.3)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from quorum.cli.main import consolidate_lines
from quorum.consensus import WorkerAnswer
from quorum.errors import BadInput
from quorum.output_manifest import labeled_output
from quorum.plugins import PluginHost
from quorum.settings import Settings
from quorum.tasktypes import answer_content
from quorum_plugins.task_types.bounding_box import BoundingBox
from quorum_plugins.task_types.bounding_box_adjustment import BoundingBoxAdjustment, same_boxes
from tests.plugins.task_types.test_structured import GT_BOXES, answer_lines, box, boxes

ADJUST = BoundingBoxAdjustment()
LABELS = ["Bird", "Cat"]
#: GT_BOXES's box, as the element's initial value.
BIRD = box("Bird", 138.8, 164.60000000000002, 443.8, 859)


@pytest.fixture(scope="module")
def host(tmp_path_factory) -> PluginHost:
    return PluginHost(Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path_factory.mktemp("q"))}))


def test_is_registered_through_its_entry_point(host):
    task_type = host.task_types.get("bounding-box-adjustment", "taskType")
    assert isinstance(task_type, BoundingBoxAdjustment)
    # Ground Truth: adjustment jobs keep the original type (GROUNDTRUTH.md 2.1).
    assert (task_type.element, task_type.output_type, task_type.answer_key) == (
        "crowd-bounding-box",
        "groundtruth/object-detection",
        "boundingBox",
    )
    assert (task_type.label_kind, task_type.default_consensus) == ("boxes", "box-iou")
    assert task_type.audits_labels and not BoundingBox.audits_labels


# -- answers --------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", [True, False])
def test_accepts_the_elements_output_with_its_flag(flag):
    answer = {**boxes(BIRD), "initialValueModified": flag}
    assert ADJUST.validate_answer(answer, LABELS) == answer


def test_the_flag_is_optional():
    assert ADJUST.validate_answer(boxes(BIRD), LABELS) == boxes(BIRD)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ([], "answer: must be a JSON object like"),
        ({**boxes(), "initialValueModified": "yes"}, "answer.initialValueModified: must be true"),
        ({**boxes(), "initialValueModified": 1}, "answer.initialValueModified: must be true"),
        ({"initialValueModified": True, "boundingBoxes": []}, "answer.inputImageProperties: mi"),
        ({**boxes(), "initialValue": []}, "answer.initialValue: unknown field"),
        (boxes(box("Dog", 1, 1, 5, 5)), "answer.boundingBoxes[0].label: 'Dog' is not one of"),
        (boxes(box("Cat", 700, 1, 5, 5)), "answer.boundingBoxes[0].width: the box ends at x=705"),
    ],
)
def test_refuses_naming_the_field(answer, message):
    with pytest.raises(BadInput) as error:
        ADJUST.validate_answer(answer, LABELS)
    assert error.value.message.startswith(message), error.value.message


def test_worker_responses_use_ground_truths_boundingbox_key():
    answer = {**boxes(BIRD), "initialValueModified": True}
    assert answer_content(ADJUST, answer) == {"boundingBox": answer}


# -- the previous boxes, as the element's initial-value -------------------------------------


def test_previous_boxes_become_the_initial_value():
    assert ADJUST.audit_input(GT_BOXES, "category", LABELS) == {"initialValue": [BIRD]}


def test_labels_added_after_the_previous_ones_are_fine():
    # Ground Truth: the category file keeps the same labels; new ones may be added.
    assert ADJUST.audit_input(GT_BOXES, "category", ["Bird"]) == {"initialValue": [BIRD]}


def test_without_metadata_the_class_ids_name_the_jobs_labels():
    line = {
        "bb": {"annotations": [{"class_id": "1", "left": 0, "top": 0, "width": 2, "height": 3}]}
    }
    assert ADJUST.audit_input(line, "bb", LABELS) == {"initialValue": [box("Cat", 0, 0, 2, 3)]}


def box_line(class_id: Any = 0, class_map: dict[str, Any] | None = None, **box: Any) -> dict:
    annotation = {"class_id": class_id, "left": 1, "top": 2, "width": 3, "height": 4, **box}
    line: dict[str, Any] = {"source-ref": "s3://b/x.jpg", "bb": {"annotations": [annotation]}}
    if class_map is not None:
        line["bb-metadata"] = {"class-map": class_map}
    return line


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            box_line(2),
            "bb.annotations[0].class_id: class 2 is not one of this job's 2 labels; an "
            "adjustment job keeps the previous job's labels in order",
        ),
        (
            box_line(1, {"1": "Dog"}),
            "bb-metadata.class-map.1: the previous job's class 1 is 'Dog' but this job's label "
            "1 is 'Cat'; keep the previous job's labels in order",
        ),
        (box_line(-1), "bb.annotations[0].class_id: must be at least 0, got -1"),
        (box_line("Bird"), "bb.annotations[0].class_id: must be a whole number"),
        (box_line(top=-3), "bb.annotations[0].top: must be at least 0, got -3"),
        (box_line(height="4"), "bb.annotations[0].height: must be a number"),
        ({"bb": [1, 2]}, 'bb: must be a JSON object like {"image_size": [...], "annotations"'),
        ({"bb": 0}, "bb: must be a JSON object like"),
        ({"bb": {"annotations": [None]}}, "bb.annotations[0]: must be a JSON object like"),
        (box_line(class_map=["Bird"]), "bb-metadata.class-map: must be a JSON object"),
    ],
)
def test_unusable_previous_boxes_are_refused_naming_their_path(line, message):
    with pytest.raises(BadInput) as error:
        ADJUST.audit_input(line, "bb", LABELS)
    assert error.value.message.startswith(message), error.value.message


# -- adjusted or unadjusted -----------------------------------------------------------------


CAT = box("Cat", 10, 10, 20, 20)


@pytest.mark.parametrize(
    ("given", "same"),
    [
        ([BIRD, CAT], True),
        ([CAT, BIRD], True),  # order does not matter
        ([box("Bird", 139, 165, 444, 859), CAT], True),  # written back in whole pixels
        ([box("Bird", 139.4, 164.6, 443.8, 859), CAT], False),  # moved 0.6 px
        ([box("Cat", 138.8, 164.60000000000002, 443.8, 859), CAT], False),  # relabeled
        ([CAT], False),  # deleted
        ([BIRD, CAT, CAT], False),  # added
        ([BIRD, BIRD], False),  # one box twice, the other gone
        ([], False),
    ],
)
def test_boxes_are_compared_with_the_initial_ones(given, same):
    assert same_boxes(given, [BIRD, CAT]) is same


def test_odd_initial_values_count_as_changed():
    # A pre-annotation hook may write the initial value; one the element could not show
    # cannot have been kept.
    assert not same_boxes([BIRD], ["Bird"])
    assert not same_boxes([BIRD], [{"label": "Bird", "left": "x"}])


def status(answers: list[dict[str, Any]], task_input: dict[str, Any] | None) -> str:
    return ADJUST.answers_metadata(answers, task_input)["adjustment-status"]


def test_adjusted_when_one_worker_changed_the_boxes():
    initial = {"initialValue": [BIRD]}
    assert status([boxes(BIRD), boxes(BIRD)], initial) == "unadjusted"
    assert status([boxes(BIRD), boxes(BIRD, CAT)], initial) == "adjusted"


def test_the_boxes_decide_not_the_clients_flag():
    initial = {"initialValue": [BIRD]}
    claims_changed = {**boxes(BIRD), "initialValueModified": True}
    claims_kept = {**boxes(CAT), "initialValueModified": False}
    assert status([claims_changed], initial) == "unadjusted"
    assert status([claims_kept], initial) == "adjusted"


def test_without_the_initial_boxes_the_flag_decides():
    assert status([{**boxes(CAT), "initialValueModified": False}], None) == "unadjusted"
    assert status([boxes(CAT), {**boxes(CAT), "initialValueModified": True}], {}) == "adjusted"


def test_no_answers_is_unadjusted():
    assert status([], {"initialValue": [BIRD]}) == "unadjusted"


# -- the output line ------------------------------------------------------------------------


def test_the_output_line_is_bounding_boxs_with_the_adjustment_status(host):
    given = [boxes(BIRD, CAT), {**boxes(BIRD, box("Cat", 11, 10, 20, 20))}]
    answers = [WorkerAnswer(item="x", worker=f"w{n}", answer=a) for n, a in enumerate(given)]
    algorithm = host.consensus_algorithms.get(ADJUST.default_consensus, "consensus")
    consolidated = algorithm.consolidate(answers, LABELS).labels["x"]
    value, metadata = labeled_output(
        ADJUST,
        consolidated,
        LABELS,
        "adjusted-birds",
        answers=given,
        task_input={"initialValue": [BIRD]},
    )
    plain_value, plain = labeled_output(BoundingBox(), consolidated, LABELS, "adjusted-birds")
    assert value == plain_value
    assert value["annotations"][1] == {
        "class_id": 1,
        "top": 10,
        "left": 10.5,
        "height": 20,
        "width": 20,
    }
    assert metadata.pop("adjustment-status") == "adjusted"
    assert set(metadata) == set(GT_BOXES["category-metadata"])
    assert {key: metadata[key] for key in metadata if key != "creation-date"} == {
        key: plain[key] for key in plain if key != "creation-date"
    }


def test_quorum_consolidate_takes_the_workers_flag(tmp_path, monkeypatch):
    monkeypatch.setenv("QUORUM_DATA_DIR", str(tmp_path))
    answers = answer_lines(
        ("a", 1, {**boxes(BIRD), "initialValueModified": False}),
        ("a", 2, boxes(BIRD)),
        ("b", 1, {**boxes(CAT), "initialValueModified": True}),
    )
    out = io.StringIO()
    consolidate_lines(answers.splitlines(), "bounding-box-adjustment", LABELS, None, out)
    a, b = (json.loads(line) for line in out.getvalue().splitlines())
    assert a["metadata"]["adjustment-status"] == "unadjusted"
    assert b["metadata"]["adjustment-status"] == "adjusted"
    assert a["metadata"]["type"] == b["metadata"]["type"] == "groundtruth/object-detection"
    assert b["label"]["annotations"] == [
        {"class_id": 1, "top": 10, "left": 10, "height": 20, "width": 20}
    ]
