"""Verification and adjustment jobs through the GraphQL API: ``auditLabelAttributeName`` at
createJob, the previous label in ``Task.input``, bad manifests, and the output lines
(the previous label passes through unchanged beside the new one)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlmodel import col, select

from quorum import hookimpl
from quorum.models import Item
from quorum.statuses import Role
from quorum.testing import (
    CREATE_JOB,
    SUBMIT,
    RunningJob,
    make_team,
    make_user,
    running_job,
    write_manifest,
)
from tests.factories import row_counts
from tests.plugins.task_types.test_structured import (
    GT_BOXES,
    PNG,
    box,
    boxes,
    finished_output,
    worker_responses,
)

VERDICTS = ["good", "bad"]
BIRD = box("Bird", 138.8, 164.60000000000002, 443.8, 859)
CAT = box("Cat", 10, 10, 20, 20)


def picture(settings, name: str) -> str:
    """A file:// URL of an image in the local object store."""
    path = settings.objects_dir / "images" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PNG)
    return f"file://{path}"


def detected(*annotations: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A previous bounding-box job's label and metadata under ``category``."""
    return {
        "category": {
            "image_size": [{"width": 680, "height": 1024, "depth": 3}],
            "annotations": list(annotations),
        },
        "category-metadata": {
            **GT_BOXES["category-metadata"],
            "objects": [{"confidence": 0.9} for _ in annotations],
            "class-map": names,
        },
    }


def cat_annotation() -> dict[str, Any]:
    return {"class_id": 1, "top": 10, "left": 10, "height": 20, "width": 20}


def answer_all(job: RunningJob, answer_for) -> list[dict[str, Any]]:
    """Every worker answers every task it gets with ``answer_for(worker, position)``;
    returns the tasks as claimed."""
    tasks = []
    for worker, (_, token) in enumerate(job.workers):
        while (task := job.claim(worker)) is not None:
            tasks.append(task)
            answer = answer_for(worker, task["item"]["position"])
            job.gql.ok(SUBMIT, {"taskId": task["id"], "answer": answer}, token)
    job.run_runner()
    return tasks


def without_creation_date(metadata: dict[str, Any]) -> dict[str, Any]:
    assert metadata["creation-date"]  # present; its value is the time of writing
    return {key: value for key, value in metadata.items() if key != "creation-date"}


# -- label verification ---------------------------------------------------------------------


def test_a_verification_job_over_boxes_end_to_end(quorum_app, quorum_settings, gql):
    lines = [
        {
            "source-ref": picture(quorum_settings, "0.png"),
            **detected(GT_BOXES["category"]["annotations"][0], names={"0": "Bird"}),
        },
        {"source-ref": picture(quorum_settings, "1.png"), **detected(names={})},
        # Verified already (a stopped job's output): passes through as it is.
        {
            "source-ref": picture(quorum_settings, "2.png"),
            **detected(names={}),
            "verified": 0,
            "verified-metadata": {"class-name": "good"},
        },
    ]
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=lines,
        workers=3,
        name="verify-bounding-boxes",
        taskType="label-verification",
        labels=VERDICTS,
        labelAttributeName="verified",
        auditLabelAttributeName="category",
        workersPerItem=3,
    )
    settings = gql.ok(
        "query($id: ID!) { job(id: $id) { auditLabelAttributeName labelAttributeName consensus } }",
        {"id": job.id},
        job.requester,
    )["job"]
    assert settings == {
        "auditLabelAttributeName": "category",
        "labelAttributeName": "verified",
        "consensus": "dawid-skene",
    }
    verdicts = {
        0: [
            {
                "label": "bad",
                "comment": "The bounding box on the bird is too wide on the right side.",
            },
            {"label": "good", "comment": ""},
            {"label": "bad", "comment": "The bird on the upper right is not labeled."},
        ],
        1: [{"label": "good"}, {"label": "good", "comment": "  "}, {"label": "good"}],
    }
    tasks = answer_all(job, lambda worker, position: verdicts[position][worker])
    first = next(task for task in tasks if task["item"]["position"] == 0)
    assert set(first["input"]) == {"taskObject", "manifestLine", "previousLabel"}
    assert first["input"]["taskObject"].startswith("/objects/")  # signed, not file://
    assert first["input"]["manifestLine"] == lines[0]
    assert first["input"]["previousLabel"] == {
        "attribute": "category",
        "kind": "boxes",
        "boundingBoxes": [BIRD],
    }
    second = next(task for task in tasks if task["item"]["position"] == 1)
    assert second["input"]["previousLabel"]["boundingBoxes"] == []
    assert len(tasks) == 6  # the verified line went to nobody

    bad, good, kept = finished_output(job, quorum_settings)
    assert kept == lines[2]
    for line, given in ((bad, lines[0]), (good, lines[1])):
        assert {k: v for k, v in line.items() if not k.startswith("verified")} == given
    confidence = bad["verified-metadata"]["confidence"]
    assert 0.5 < confidence <= 0.95
    assert bad["verified"] == 1
    assert without_creation_date(bad["verified-metadata"]) == {
        "class-name": "bad",
        "confidence": confidence,
        "type": "groundtruth/label-verification",
        "job-name": "labeling-job/verify-bounding-boxes",
        "human-annotated": "yes",
        "worker-feedback": [
            {"comment": "The bounding box on the bird is too wide on the right side."},
            {"comment": "The bird on the upper right is not labeled."},
        ],
    }
    assert good["verified"] == 0
    assert good["verified-metadata"]["class-name"] == "good"
    assert good["verified-metadata"]["worker-feedback"] == []
    assert {"crowd-image-classifier": verdicts[0][0]} in worker_responses(job)


def test_a_verification_job_over_classes(quorum_app, quorum_settings, gql):
    line = {
        "source-ref": picture(quorum_settings, "canary.jpg"),
        "birds": 9,
        "birds-metadata": {"class-name": "Canary", "confidence": 0.95},
    }
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=[line],
        name="birds-verified",
        taskType="label-verification",
        labels=["correct", "wrong"],
        auditLabelAttributeName="birds",
    )
    task = job.claim()
    assert task["input"]["previousLabel"] == {
        "attribute": "birds",
        "kind": "class",
        "label": "Canary",
    }
    error = gql.error(
        SUBMIT, {"taskId": task["id"], "answer": {"label": "Canary"}}, job.workers[0][1]
    )
    assert (error.code, error.message) == (
        "BAD_INPUT",
        "answer.label: 'Canary' is not one of this job's labels (correct, wrong)",
    )
    job.gql.ok(
        SUBMIT,
        {"taskId": task["id"], "answer": {"label": "wrong", "comment": "a finch"}},
        job.workers[0][1],
    )
    job.run_runner()
    (output,) = finished_output(job, quorum_settings)
    assert {k: v for k, v in output.items() if not k.startswith("birds-verified")} == line
    assert output["birds-verified"] == 1
    assert without_creation_date(output["birds-verified-metadata"]) == {
        "class-name": "wrong",
        "confidence": 0.0,  # one worker: Ground Truth says 0
        "type": "groundtruth/label-verification",
        "job-name": "labeling-job/birds-verified",
        "human-annotated": "yes",
        "worker-feedback": [{"comment": "a finch"}],
    }


def test_gold_items_show_the_previous_label_too(quorum_app, quorum_settings, gql):
    lines = [
        {
            "source-ref": picture(quorum_settings, f"{n}.png"),
            "mood": n,
            "mood-metadata": {"class-map": {"0": "calm", "1": "angry"}},
        }
        for n in range(2)
    ]
    lines[1]["gold-label"] = "bad"
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=lines,
        name="gold-verify",
        taskType="label-verification",
        labels=VERDICTS,
        auditLabelAttributeName="mood",
        gold={"key": "gold-label"},
    )
    with quorum_app.state.db.read() as session:
        stored = session.exec(
            select(Item.task_input).where(Item.job_id == int(job.id)).order_by(col(Item.position))
        ).all()
    assert [shown["previousLabel"]["label"] for shown in stored] == ["calm", "angry"]


# -- bounding-box adjustment ----------------------------------------------------------------


def test_an_adjustment_job_end_to_end(quorum_app, quorum_settings, gql):
    two_boxes = detected(
        GT_BOXES["category"]["annotations"][0], cat_annotation(), names={"0": "Bird", "1": "Cat"}
    )
    lines = [
        {"source-ref": picture(quorum_settings, "0.png"), "id": 0, **two_boxes},
        {"source-ref": picture(quorum_settings, "1.png"), "id": 1, **copy.deepcopy(two_boxes)},
    ]
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=lines,
        workers=2,
        name="adjusted-birds",
        taskType="bounding-box-adjustment",
        labels=["Bird", "Cat", "Dog"],  # Dog is new: labels may be added
        auditLabelAttributeName="category",
        workersPerItem=2,
    )
    moved = box("Cat", 12, 10, 20, 20)
    answers = {
        # Item 0: the second worker moves the cat, and says nothing about it.
        0: [{**boxes(BIRD, CAT), "initialValueModified": False}, boxes(BIRD, moved)],
        # Item 1: both keep the boxes; the second writes them back in whole pixels and
        # (wrongly) flags them modified: the boxes decide.
        1: [
            boxes(CAT, BIRD),
            {**boxes(box("Bird", 139, 165, 444, 859), CAT), "initialValueModified": True},
        ],
    }
    tasks = answer_all(job, lambda worker, position: answers[position][worker])
    assert all(task["input"]["initialValue"] == [BIRD, CAT] for task in tasks)
    assert set(tasks[0]["input"]) == {"taskObject", "manifestLine", "initialValue"}

    adjusted, unadjusted = finished_output(job, quorum_settings)
    for line, given in ((adjusted, lines[0]), (unadjusted, lines[1])):
        assert {k: v for k, v in line.items() if not k.startswith("adjusted-birds")} == given
    assert adjusted["adjusted-birds"] == {
        "image_size": [{"width": 680, "height": 1024, "depth": 3}],
        "annotations": [
            {
                "class_id": 0,
                "top": 164.60000000000002,
                "left": 138.8,
                "height": 859,
                "width": 443.8,
            },
            {"class_id": 1, "top": 10, "left": 11, "height": 20, "width": 20},
        ],
    }
    metadata = without_creation_date(adjusted["adjusted-birds-metadata"])
    assert metadata.pop("objects")[0]["confidence"] == 0.95
    assert metadata == {
        "class-map": {"0": "Bird", "1": "Cat"},
        "type": "groundtruth/object-detection",
        "job-name": "labeling-job/adjusted-birds",
        "human-annotated": "yes",
        "adjustment-status": "adjusted",
    }
    assert unadjusted["adjusted-birds-metadata"]["adjustment-status"] == "unadjusted"
    assert unadjusted["adjusted-birds-metadata"]["type"] == "groundtruth/object-detection"
    assert {"boundingBox": answers[0][1]} in worker_responses(job)


class StartEmpty:
    """A pre-annotation plugin that has workers start from no boxes, with a hint."""

    @hookimpl
    def quorum_pre_annotation(self, job, item):
        return {"initialValue": [], "hint": f"redraw image {item['id']}"}


class TestWithPreAnnotation:
    @pytest.fixture
    def quorum_plugins(self):
        return [StartEmpty()]

    def test_its_fields_go_on_top_and_adjustment_compares_with_them(
        self, quorum_app, quorum_settings, gql
    ):
        lines = [
            {
                "source-ref": picture(quorum_settings, f"{n}.png"),
                "id": n,
                **detected(cat_annotation(), names={"1": "Cat"}),
            }
            for n in range(2)
        ]
        job = running_job(
            quorum_app,
            gql,
            quorum_settings,
            lines=lines,
            name="redrawn",
            taskType="bounding-box-adjustment",
            labels=["Bird", "Cat"],
            auditLabelAttributeName="category",
        )
        # Item 0: the worker draws the previous box again, which is a change from nothing.
        tasks = answer_all(job, lambda _worker, position: [boxes(CAT), boxes()][position])
        assert [task["input"]["hint"] for task in tasks] == ["redraw image 0", "redraw image 1"]
        assert all(task["input"]["initialValue"] == [] for task in tasks)
        statuses = [
            line["redrawn-metadata"]["adjustment-status"]
            for line in finished_output(job, quorum_settings)
        ]
        assert statuses == ["adjusted", "unadjusted"]


# -- createJob ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"taskType": "label-verification"},
            "auditLabelAttributeName: label-verification shows workers a previous job's label; "
            "name the manifest attribute holding it (that job's labelAttributeName)",
        ),
        (
            {"taskType": "bounding-box-adjustment", "labels": ["Bird"]},
            "auditLabelAttributeName: bounding-box-adjustment shows workers a previous job's "
            "label; name the manifest attribute holding it (that job's labelAttributeName)",
        ),
        (
            {"taskType": "label-verification", "auditLabelAttributeName": ""},
            "auditLabelAttributeName: label-verification shows workers a previous job's label",
        ),
        (
            {
                "taskType": "label-verification",
                "auditLabelAttributeName": "category",
                "labelAttributeName": "category",
            },
            "labelAttributeName: 'category' is also the auditLabelAttributeName; "
            "label-verification keeps the previous label there and writes its own under "
            "another attribute",
        ),
        (
            # The label attribute defaults to the job's name.
            {"taskType": "bounding-box-adjustment", "auditLabelAttributeName": "audit"},
            "labelAttributeName: 'audit' is also the auditLabelAttributeName; "
            "bounding-box-adjustment keeps the previous label there",
        ),
        (
            {"taskType": "image-classification", "auditLabelAttributeName": "category"},
            "auditLabelAttributeName: only for task types that verify or adjust a previous "
            "job's labels (bounding-box-adjustment, label-verification), not "
            "image-classification",
        ),
        (
            {"taskType": "label-verification", "auditLabelAttributeName": "category-metadata"},
            "auditLabelAttributeName: 'category-metadata' is reserved for Ground Truth's "
            "manifest keys",
        ),
        (
            {"taskType": "label-verification", "auditLabelAttributeName": "my category"},
            "auditLabelAttributeName: 'my category' must be 1-127 letters, digits and hyphens",
        ),
        (
            {
                "taskType": "bounding-box-adjustment",
                "auditLabelAttributeName": "category",
                "consensus": "dawid-skene",
            },
            "consensus: dawid-skene cannot consolidate boxes answers of bounding-box-adjustment",
        ),
        (
            {"taskType": "label-verification", "auditLabelAttributeName": "c", "labels": ["ok"]},
            "labels: label-verification needs at least 2 label categories, got 1",
        ),
    ],
)
def test_create_job_refuses_naming_the_field(quorum_app, quorum_settings, gql, fields, message):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    spec = {
        "name": "audit",
        "inputManifest": write_manifest(quorum_settings, "m.manifest", []),
        "labels": VERDICTS,
        "teamId": str(make_team(quorum_app, "crew", [])),
        **fields,
    }
    before = row_counts(quorum_app)
    error = gql.error(CREATE_JOB, {"input": spec}, requester)
    assert error.code == "BAD_INPUT"
    assert error.message.startswith(message), error.message
    assert row_counts(quorum_app) == before


def test_task_types_say_which_audit_labels(quorum_app, gql):
    _, token = make_user(quorum_app, "ada", Role.REQUESTER)
    found = gql.ok("{ taskTypes { name auditsLabels } }", token=token)["taskTypes"]
    assert {t["name"] for t in found if t["auditsLabels"]} == {
        "bounding-box-adjustment",
        "label-verification",
    }


# -- bad manifests --------------------------------------------------------------------------

JOB_STATUS = """
query($id: ID!) { job(id: $id) { status failureReason counters { total } } }
"""


def bird_line(settings, **extra: Any) -> dict[str, Any]:
    annotation = GT_BOXES["category"]["annotations"][0]
    return {
        "source-ref": picture(settings, "bird.png"),
        **detected(annotation, names={"0": "Bird"}),
        **extra,
    }


def bad_annotation(**changes: Any) -> dict[str, Any]:
    return {**GT_BOXES["category"]["annotations"][0], **changes}


BAD_MANIFESTS = [
    pytest.param(
        "label-verification",
        {"category": None},
        "line 2: has no 'category' (auditLabelAttributeName), the previous label that "
        "label-verification shows workers",
        id="verification-without-the-previous-label",
    ),
    pytest.param(
        "bounding-box-adjustment",
        {"category": None},
        "line 2: has no 'category' (auditLabelAttributeName), the previous label that "
        "bounding-box-adjustment shows workers",
        id="adjustment-without-the-previous-boxes",
    ),
    pytest.param(
        "label-verification",
        {"category": "s3://bucket/mask.png"},
        "line 2: category: a previous label must be a class index, a list of class indices, "
        "or bounding boxes",
        id="verification-of-a-mask",
    ),
    pytest.param(
        "label-verification",
        {"category": {"annotations": [bad_annotation(class_id=3)]}},
        "line 2: category.annotations[0].class_id: class 3 has no name in "
        "category-metadata.class-map",
        id="verification-of-an-unnamed-class",
    ),
    pytest.param(
        "bounding-box-adjustment",
        {"category": {"annotations": [bad_annotation(class_id=5)]}},
        "line 2: category.annotations[0].class_id: class 5 is not one of this job's 2 labels",
        id="adjustment-of-a-class-the-job-lacks",
    ),
    pytest.param(
        "bounding-box-adjustment",
        {"category": {"annotations": [bad_annotation(width=0)]}},
        "line 2: category.annotations[0].width: must be above 0, got 0",
        id="adjustment-of-an-empty-box",
    ),
    pytest.param(
        "bounding-box-adjustment",
        {"category-metadata": {"class-map": {"0": "Parrot"}}},
        "line 2: category-metadata.class-map.0: the previous job's class 0 is 'Parrot' but "
        "this job's label 0 is 'Bird'",
        id="adjustment-with-other-labels",
    ),
]


@pytest.mark.parametrize(("task_type", "changes", "message"), BAD_MANIFESTS)
def test_a_bad_line_fails_the_job_and_leaves_no_items(
    quorum_app, quorum_settings, gql, task_type, changes, message
):
    bad = bird_line(quorum_settings, **changes)
    bad = {key: value for key, value in bad.items() if value is not None}
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=[bird_line(quorum_settings), bad, bird_line(quorum_settings)],
        name="audit-bad",
        taskType=task_type,
        labels=["Bird", "Cat"],
        auditLabelAttributeName="category",
    )
    status = gql.ok(JOB_STATUS, {"id": job.id}, job.requester)["job"]
    assert status["status"] == "FAILED"
    assert status["failureReason"].startswith(f"inputManifest: {message}"), status
    assert status["counters"]["total"] == 0
    assert row_counts(quorum_app, job.id)["items"] == 0


def test_a_gold_manifest_line_without_the_previous_label_fails_the_job(
    quorum_app, quorum_settings, gql
):
    gold = write_manifest(
        quorum_settings,
        "gold.manifest",
        [
            {**bird_line(quorum_settings), "gold-label": "good"},
            {"source-ref": picture(quorum_settings, "x.png"), "gold-label": "bad"},
        ],
    )
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=[bird_line(quorum_settings)],
        name="audit-gold",
        taskType="label-verification",
        labels=VERDICTS,
        auditLabelAttributeName="category",
        gold={"manifest": gold},
    )
    status = gql.ok(JOB_STATUS, {"id": job.id}, job.requester)["job"]
    assert status["status"] == "FAILED"
    assert status["failureReason"] == (
        "gold.manifest: line 2: has no 'category' (auditLabelAttributeName), the previous "
        "label that label-verification shows workers"
    )
    assert row_counts(quorum_app, job.id)["items"] == 0


def test_the_line_numbers_count_the_manifests_lines(quorum_app, quorum_settings, gql):
    # Blank lines are skipped but counted, as for every manifest.
    manifest = write_manifest(
        quorum_settings,
        "gaps.manifest",
        [
            json.dumps(bird_line(quorum_settings)),
            "",
            json.dumps({"source-ref": picture(quorum_settings, "y.png")}),
        ],
    )
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    created = gql.ok(
        CREATE_JOB,
        {
            "input": {
                "name": "gaps",
                "taskType": "bounding-box-adjustment",
                "inputManifest": manifest,
                "labels": ["Bird"],
                "auditLabelAttributeName": "category",
                "teamId": str(make_team(quorum_app, "crew", [])),
            }
        },
        requester,
    )["createJob"]
    quorum_app.state.runner.run_until_idle()
    status = gql.ok(JOB_STATUS, {"id": created["id"]}, requester)["job"]
    assert status["failureReason"].startswith("inputManifest: line 3: has no 'category'")
