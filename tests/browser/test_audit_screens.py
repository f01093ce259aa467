"""The screens of the jobs that audit a previous job's labels, in the browser: bounding-box
adjustment starts from the previous boxes (the output says whether the worker adjusted them)
and label verification shows the previous label (boxes drawn, or the class name) and takes a
category and a comment (the output carries the comment as worker-feedback)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.boxes import Box, BoxScreen, deepforest_trees, detection, sample_image
from tests.browser.portal import (
    Crew,
    Server,
    after_task,
    assert_submitted,
    digit_lines,
    no_more_work,
    screenshot,
    start_labeling,
    stored_tasks,
    task_id,
)

pytestmark = pytest.mark.browser

CLASSES = ["building", "tree"]
PHOTO = {"width": 640, "height": 427}
#: The previous job's boxes (Ground Truth's object-detection output, fractional as
#: consolidated coordinates are).
PREVIOUS: dict[str, list[dict[str, Any]]] = {
    "china": [
        {"class_id": 0, "left": 62.4, "top": 30.2, "width": 305.6, "height": 360.4},
        {"class_id": 1, "left": 545, "top": 140, "width": 91, "height": 280},
    ],
    "flower": [{"class_id": 1, "left": 100.5, "top": 50, "width": 200, "height": 180.8}],
}


def previous_line(settings: Any, picture: str, attribute: str) -> dict[str, Any]:
    """A manifest line as a previous bounding-box job wrote it, under ``attribute``."""
    annotations = PREVIOUS[picture]
    return {
        "source-ref": sample_image(settings, f"{picture}.jpg"),
        "picture": picture,
        attribute: {
            "image_size": [{**PHOTO, "depth": 3}],
            "annotations": annotations,
        },
        f"{attribute}-metadata": {
            "objects": [{"confidence": 0.9} for _ in annotations],
            "class-map": {str(a["class_id"]): CLASSES[a["class_id"]] for a in annotations},
            "type": "groundtruth/object-detection",
            "human-annotated": "yes",
            "creation-date": "2024-05-01T10:00:00.000000",
            "job-name": "labeling-job/first-boxes",
        },
    }


def as_boxes(picture: str) -> list[Box]:
    """The previous boxes as the element holds them."""
    return [
        {
            "label": CLASSES[a["class_id"]],
            "left": a["left"],
            "top": a["top"],
            "width": a["width"],
            "height": a["height"],
        }
        for a in PREVIOUS[picture]
    ]


def test_bounding_box_adjustment(server: Server, page: Page) -> None:
    crew = Crew.make(server, "adjust")
    settings = server.settings
    lines = [previous_line(settings, picture, "boxes") for picture in PREVIOUS]
    job_id = start_labeling(
        page,
        crew,
        "adjust-boxes",
        lines,
        taskType="bounding-box-adjustment",
        labels=CLASSES,
        labelAttributeName="adjusted-boxes",
        auditLabelAttributeName="boxes",
        instructions="Fix the boxes: move, resize, add or delete until each is tight.",
    )
    answers: dict[str, dict[str, Any]] = {}
    for _ in lines:
        task = task_id(page)
        screen = BoxScreen(page)
        geo = screen.settle()
        src = screen.element.get_attribute("src") or ""
        picture = "china" if "china" in src else "flower"
        initial = as_boxes(picture)
        assert screen.boxes() == initial
        assert screen.value()["initialValueModified"] is False
        if picture == "china":  # move the tree's box to the left, by its inside
            tree = initial[1]
            start = geo.center(tree)
            end = (start[0] - 12, start[1] + 5)
            screen.drag(start, end)
            boxes = [initial[0], geo.moved(tree, start, end)]
            assert screen.boxes() == boxes
            screenshot(page, "bounding-box-adjustment")
            answers[task] = {"boundingBoxes": boxes, "initialValueModified": True}
        else:  # looked at it, changed nothing
            answers[task] = {"boundingBoxes": initial, "initialValueModified": False}
        answers[task]["inputImageProperties"] = PHOTO
        assert screen.value() == answers[task]
        page.keyboard.press("Enter")
        after_task(page, task)
    no_more_work(page, "adjust-boxes")

    assert_submitted(settings, job_id, answers)
    by_picture = {
        ("china" if answer["initialValueModified"] else "flower"): answer
        for answer in answers.values()
    }
    output = crew.output(job_id)
    assert [line["picture"] for line in output] == ["china", "flower"]
    for line, given in zip(output, lines, strict=True):
        assert line["boxes"] == given["boxes"]  # the previous label passes through
        assert line["boxes-metadata"] == given["boxes-metadata"]
        assert line["adjusted-boxes"] == detection(by_picture[line["picture"]], CLASSES)
        metadata = line["adjusted-boxes-metadata"]
        assert metadata["type"] == "groundtruth/object-detection"
        status = "adjusted" if line["picture"] == "china" else "unadjusted"
        assert metadata["adjustment-status"] == status


VERDICTS = ["valid", "invalid"]
TIMES = "\N{MULTIPLICATION SIGN}"
COMMENT = "The building's box cuts off the top of the roof."


def test_label_verification(server: Server, page: Page) -> None:
    crew = Crew.make(server, "verify")
    settings = server.settings
    boxes_line = previous_line(settings, "china", "category")
    (digit_line,) = digit_lines(settings, [3])
    class_line = {
        **digit_line,
        "category": 3,
        "category-metadata": {
            "class-name": "three",
            "confidence": 0.87,
            "type": "groundtruth/image-classification",
            "human-annotated": "yes",
            "creation-date": "2024-05-01T10:00:00.000000",
            "job-name": "labeling-job/digits",
        },
    }
    lines = [boxes_line, class_line]
    job_id = start_labeling(
        page,
        crew,
        "verify-labels",
        lines,
        taskType="label-verification",
        labels=VERDICTS,
        labelAttributeName="verified",
        auditLabelAttributeName="category",
        instructions="Is the previous label right? Say what is wrong in a comment.",
    )
    verifier = page.locator("quorum-labeling quorum-label-verification")
    answers: dict[str, dict[str, Any]] = {}
    for _ in lines:
        task = task_id(page)
        viewer = BoxScreen(page, "quorum-labeling quorum-label-verification crowd-bounding-box")
        viewer.settle()
        src = viewer.element.get_attribute("src") or ""
        if "china" in src:  # the previous boxes, drawn read-only: invalid, with a comment
            expect(verifier).to_contain_text(f"Previous boxes: 1 {TIMES} building, 1 {TIMES} tree")
            assert viewer.boxes() == as_boxes("china")
            expect(
                viewer.element.get_by_role("button", name="Delete the selected box")
            ).to_be_hidden()
            page.keyboard.press("2")
            expect(page.get_by_role("radio", name="invalid")).to_have_attribute(
                "aria-checked", "true"
            )
            page.keyboard.press("c")  # to the comment box
            page.keyboard.type(COMMENT)
            expect(page.get_by_label("Comment (optional)")).to_have_value(COMMENT)
            screenshot(page, "label-verification")
            page.get_by_role("button", name="Submit", exact=True).click()
            answers[task] = {"label": "invalid", "comment": COMMENT}
        else:  # the previous class: valid, by the mouse, no comment
            expect(verifier).to_contain_text("Previous label: three")
            page.get_by_role("radio", name="valid", exact=True).click()
            page.keyboard.press("Enter")
            answers[task] = {"label": "valid"}  # a blank comment is left out
        after_task(page, task)
    no_more_work(page, "verify-labels")

    assert_submitted(settings, job_id, answers)
    output = crew.output(job_id)
    assert [line["category"] for line in output] == [boxes_line["category"], 3]
    boxes_out, class_out = output
    assert boxes_out["verified"] == VERDICTS.index("invalid")
    assert boxes_out["verified-metadata"]["class-name"] == "invalid"
    assert boxes_out["verified-metadata"]["worker-feedback"] == [{"comment": COMMENT}]
    assert boxes_out["verified-metadata"]["type"] == "groundtruth/label-verification"
    assert class_out["verified"] == VERDICTS.index("valid")
    assert class_out["verified-metadata"]["class-name"] == "valid"
    assert class_out["verified-metadata"]["worker-feedback"] == []
    assert class_out["category-metadata"] == class_line["category-metadata"]


def test_adjusting_deepforests_tree_crowns(server: Server, page: Page) -> None:
    """A real aerial image with its published tree boxes (DeepForest's OSBS_029): the
    worker deletes one crown box; the output keeps the rest exactly and says adjusted."""
    source, trees = deepforest_trees(server.settings)
    width = height = 400
    previous = {
        "image_size": [{"width": width, "height": height, "depth": 3}],
        "annotations": [
            {"class_id": 0, **{key: tree[key] for key in ("left", "top", "width", "height")}}
            for tree in trees
        ],
    }
    line = {
        "source-ref": source,
        "crowns": previous,
        "crowns-metadata": {
            "class-map": {"0": "Tree"},
            "objects": [{"confidence": 1.0} for _ in trees],
            "type": "groundtruth/object-detection",
            "human-annotated": "yes",
            "creation-date": "2020-01-01T00:00:00.000000",
            "job-name": "labeling-job/deepforest",
        },
    }
    crew = Crew.make(server, "trees")
    job_id = start_labeling(
        page,
        crew,
        "adjust-crowns",
        [line],
        taskType="bounding-box-adjustment",
        labels=["Tree"],
        labelAttributeName="checked-crowns",
        auditLabelAttributeName="crowns",
    )
    task = task_id(page)
    screen = BoxScreen(page)
    geo = screen.settle()
    assert screen.boxes() == trees
    gone = max(trees, key=lambda tree: tree["width"] * tree["height"])  # the largest crown
    screen.click(geo.center(gone))
    page.keyboard.press("Delete")
    kept = [tree for tree in trees if tree != gone]
    assert screen.boxes() == kept
    page.keyboard.press("Enter")
    after_task(page, task)
    stored = stored_tasks(server.settings, job_id)[task][1]
    assert stored["boundingBoxes"] == kept and stored["initialValueModified"] is True
    (output,) = crew.output(job_id)
    assert output["crowns"] == previous
    assert len(output["checked-crowns"]["annotations"]) == len(trees) - 1
    assert output["checked-crowns-metadata"]["adjustment-status"] == "adjusted"
