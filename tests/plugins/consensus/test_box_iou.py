"""``box-iou``: boxes matched across workers by IoU, averaged, and scored per box."""

from __future__ import annotations

import json

import pytest

from quorum.consensus import WorkerAnswer
from quorum.plugins import PluginHost
from quorum.settings import Settings
from quorum_plugins.consensus._geometry import box_iou, overlap_clusters
from quorum_plugins.consensus.box_iou import BoxIoU

LABELS = ["Bird", "Cat"]


def box(label: str, left: float, top: float, width: float, height: float) -> dict:
    return {"label": label, "left": left, "top": top, "width": width, "height": height}


def answer(*boxes: dict, width: int = 200, height: int = 100) -> dict:
    return {
        "boundingBoxes": list(boxes),
        "inputImageProperties": {"width": width, "height": height},
    }


def consolidate(*answers: dict, item: object = "img", labels=LABELS):
    """Consolidate one item on which worker ``w<i>`` gave ``answers[i]``."""
    given = [
        WorkerAnswer(item=item, worker=f"w{index}", answer=content)
        for index, content in enumerate(answers)
    ]
    return BoxIoU().consolidate(given, labels)


BIRD = box("Bird", 10, 10, 50, 40)
OTHER_BIRD = box("Bird", 120, 50, 30, 30)


def test_is_registered_through_its_entry_point(tmp_path):
    host = PluginHost(Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path)}))
    algorithm = host.consensus_algorithms.get("box-iou", "consensus")
    assert isinstance(algorithm, BoxIoU)
    assert algorithm.label_kinds == ("boxes",)
    assert "builtin_box_iou" in host.plugin_names


def test_iou_of_two_boxes():
    assert box_iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert box_iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert box_iou((0, 0, 10, 10), (10, 0, 10, 10)) == 0.0  # touching edges
    assert box_iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0


def test_clusters_hold_one_shape_per_owner_and_need_every_pair_to_overlap():
    shapes = [(0, 0, 10, 10), (0, 0, 10, 11), (0, 0, 10, 10), (1, 0, 10, 10), (50, 50, 5, 5)]
    owners = ["a", "a", "b", "c", "c"]
    assert overlap_clusters(owners, shapes, box_iou, 0.5) == [[0, 2, 3], [1], [4]]
    assert overlap_clusters([], [], box_iou, 0.5) == []


def test_the_output_matches_ground_truths_example_line():
    # GROUNDTRUTH.md 2.3, from yolov5_bbox_output.manifest.
    example = json.loads(
        '{"category":{"image_size":[{"width":680,"height":1024,"depth":3}],"annotations":'
        '[{"class_id":0,"top":164.60000000000002,"left":138.8,"height":859,"width":443.8}]},'
        '"category-metadata":{"objects":[{"confidence":0.93}],"class-map":{"0":"Bird"}}}'
    )
    tops, lefts, widths = [164, 165, 165, 165, 164], [138, 139, 139, 139, 139], [444] * 4 + [443]
    answers = [
        answer(box("Bird", left, top, width, 859), width=680, height=1024)
        for top, left, width in zip(tops, lefts, widths, strict=True)
    ]
    label = consolidate(*answers).labels["img"]
    (expected,) = example["category"]["annotations"]
    assert label.value["image_size"] == example["category"]["image_size"]
    assert label.value["annotations"] == [pytest.approx(expected)]
    assert list(label.value["annotations"][0]) == list(expected)
    assert set(label.details) == set(example["category-metadata"]) - {"type"}
    assert label.details["class-map"] == example["category-metadata"]["class-map"]
    assert label.details["objects"] == [{"confidence": 0.95}]  # 5/5 * IoU 0.99, capped
    assert isinstance(label.value["annotations"][0]["height"], int)  # 859, not 859.0


def test_coordinates_are_the_mean_and_may_be_fractional():
    label = consolidate(
        answer(box("Bird", 0, 0, 10, 10)), answer(box("Bird", 1, 0, 10, 10))
    ).labels["img"]
    assert label.value["annotations"] == [
        {"class_id": 0, "top": 0, "left": 0.5, "height": 10, "width": 10}
    ]
    # Each box has IoU 95/105 with the mean box; 2 of 2 workers.
    assert label.details["objects"] == [{"confidence": 0.9}]
    assert label.confidence == 0.9


def test_confidence_is_share_of_workers_times_mean_iou():
    # w0 and w1 agree exactly; w2 is shifted 5 px right, so the mean box is at left 11.67.
    result = consolidate(answer(BIRD), answer(BIRD), answer(box("Bird", 15, 10, 50, 40)))
    label = result.labels["img"]
    mean = label.value["annotations"][0]
    assert (mean["left"], mean["top"]) == (pytest.approx(11.6667, abs=1e-4), 10)
    # IoU with the mean box: 48.33*40 / (4000 - 48.33*40) = 0.9355 for w0 and w1,
    # 46.67*40 / (4000 - 46.67*40) = 0.875 for w2; mean 0.9153; 3 of 3 workers.
    assert label.details["objects"] == [{"confidence": 0.92}]


def test_boxes_are_matched_within_a_label_only():
    label = consolidate(answer(BIRD), answer({**BIRD, "label": "Cat"})).labels["img"]
    assert [a["class_id"] for a in label.value["annotations"]] == [0, 1]
    assert label.details["class-map"] == {"0": "Bird", "1": "Cat"}
    assert label.details["objects"] == [{"confidence": 0.5}, {"confidence": 0.5}]


def test_a_lone_box_stays_with_two_workers_and_goes_with_three():
    two = consolidate(answer(BIRD, OTHER_BIRD), answer(BIRD)).labels["img"]
    assert len(two.value["annotations"]) == 2
    assert two.details["objects"] == [{"confidence": 0.95}, {"confidence": 0.5}]
    three = consolidate(answer(BIRD, OTHER_BIRD), answer(BIRD), answer(BIRD)).labels["img"]
    assert len(three.value["annotations"]) == 1
    assert BoxIoU.min_share == 0.5


def test_a_worker_contributes_one_box_per_cluster():
    duplicate = box("Bird", 10, 10, 50, 41)
    label = consolidate(answer(BIRD, duplicate), answer(BIRD), answer(BIRD)).labels["img"]
    assert label.value["annotations"] == [
        {"class_id": 0, "top": 10, "left": 10, "height": 40, "width": 50}
    ]


def test_a_spammer_is_outvoted_and_scores_zero():
    spam = answer(box("Cat", 150, 60, 20, 20), box("Bird", 100, 0, 10, 90))
    result = consolidate(answer(BIRD), answer(BIRD), answer(BIRD), spam)
    label = result.labels["img"]
    assert label.value["annotations"] == [
        {"class_id": 0, "top": 10, "left": 10, "height": 40, "width": 50}
    ]
    assert label.details == {"objects": [{"confidence": 0.75}], "class-map": {"0": "Bird"}}
    assert [result.workers[f"w{i}"].agreement for i in range(4)] == [1.0, 1.0, 1.0, 0.0]


def test_a_sparse_worker_lowers_confidence_of_what_it_missed():
    result = consolidate(answer(BIRD, OTHER_BIRD), answer(BIRD, OTHER_BIRD), answer(BIRD))
    label = result.labels["img"]
    assert len(label.value["annotations"]) == 2
    assert label.details["objects"] == [{"confidence": 0.95}, {"confidence": 0.67}]
    assert label.confidence == 0.81
    assert result.workers["w2"].agreement == pytest.approx(2 / 3)  # F1: 1 of its 1, 1 of 2


def test_an_empty_image_gives_no_boxes():
    result = consolidate(answer(), answer(), answer())
    label = result.labels["img"]
    assert label.value == {
        "image_size": [{"width": 200, "height": 100, "depth": 3}],
        "annotations": [],
    }
    assert label.details == {"objects": [], "class-map": {}}
    assert label.confidence == 0.0
    assert {quality.agreement for quality in result.workers.values()} == {1.0}


def test_a_single_worker_keeps_its_boxes_at_zero_confidence():
    label = consolidate(answer(BIRD, OTHER_BIRD)).labels["img"]
    assert len(label.value["annotations"]) == 2
    assert label.details["objects"] == [{"confidence": 0.0}, {"confidence": 0.0}]
    assert label.confidence == 0.0


def test_annotations_are_sorted_by_class_then_position():
    cat = box("Cat", 0, 0, 20, 20)
    label = consolidate(answer(OTHER_BIRD, cat, BIRD)).labels["img"]
    assert [(a["class_id"], a["top"]) for a in label.value["annotations"]] == [
        (0, 10),
        (0, 50),
        (1, 0),
    ]


def test_several_items_in_one_call():
    given = [
        WorkerAnswer(item=1, worker="ann", answer=answer(BIRD)),
        WorkerAnswer(item=2, worker="ann", answer=answer()),
        WorkerAnswer(item=1, worker="bob", answer=answer(BIRD)),
        WorkerAnswer(item=2, worker="bob", answer=answer(OTHER_BIRD)),
    ]
    result = BoxIoU().consolidate(given, LABELS)
    assert len(result.labels[1].value["annotations"]) == 1
    assert result.labels[1].details["objects"] == [{"confidence": 0.95}]
    assert result.labels[2].details["objects"] == [{"confidence": 0.5}]  # 1 of 2 workers
    assert result.workers["ann"].answers == 2
    assert result.workers["ann"].agreement == 0.5  # 1 on item 1, 0 on item 2
    assert result.workers["bob"].agreement == 1.0
