"""The structured task types: multi-label classification, bounding boxes and named entities.

Answers are validated field by field, output lines have the shape of Ground Truth's example
lines (GROUNDTRUTH.md 2.3), whole jobs run through the GraphQL API, and ``quorum
consolidate`` takes them on the command line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from quorum.consensus import Consolidated, WorkerAnswer
from quorum.errors import BadInput
from quorum.output_manifest import labeled_output
from quorum.plugins import PluginHost
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.tasktypes import answer_content
from quorum.testing import (
    CREATE_JOB,
    SUBMIT,
    RunningJob,
    make_team,
    make_user,
    read_output,
    running_job,
    text_lines,
    write_manifest,
)
from quorum_plugins.task_types.bounding_box import BoundingBox
from quorum_plugins.task_types.multilabel_classification import (
    ImageClassificationMultiLabel,
    TextClassificationMultiLabel,
)
from quorum_plugins.task_types.named_entity import NamedEntityRecognition
from tests.cli.in_process import quorum_in_process

# -- Ground Truth's example lines (GROUNDTRUTH.md 2.3, verbatim) ---------------------------

GT_MULTILABEL = json.loads(
    '{"source-ref":"s3://bucket/example_image.jpg","image-label-attribute-name":[1,0,8],'
    '"image-label-attribute-name-metadata":{"job-name":"labeling-job/image-label-attribute-name",'
    '"class-map":{"1":"bicycle","0":"person","8":"clothing"},"human-annotated":"yes",'
    '"creation-date":"2020-02-27T21:36:25.000201","confidence-map":{"1":0.95,"0":0.77,"8":0.2},'
    '"type":"groundtruth/image-classification-multilabel"}}'
)
GT_BOXES = json.loads(
    '{"source-ref":"s3://rns-groundtruth-bucket/ground-truth-od-full-demo/images/'
    '000062a39995e348.jpg","category":{"image_size":[{"width":680,"height":1024,"depth":3}],'
    '"annotations":[{"class_id":0,"top":164.60000000000002,"left":138.8,"height":859,'
    '"width":443.8}]},"category-metadata":{"objects":[{"confidence":0.93}],"class-map":'
    '{"0":"Bird"},"type":"groundtruth/object-detection","human-annotated":"yes",'
    '"creation-date":"2022-09-12T09:51:00.148118",'
    '"job-name":"labeling-job/ground-truth-od-demo-1662974840"}}'
)
GT_NER = json.loads(
    '{"source":"Diego Ramirez is an engineer in the high tech industry.",'
    '"NamedEntityRecognitionDemo":{"annotations":{"entities":[{"endOffset":13,"startOffset":0,'
    '"label":"ENGINEER"}],"labels":[{"label":"ENGINEER"}]}},"NamedEntityRecognitionDemo-metadata":'
    '{"entities":[{"confidence":0.92}],"job-name":"labeling-job/namedentityrecognitiondemo",'
    '"type":"groundtruth/text-span","creation-date":"2020-05-14T21:45:27.175903",'
    '"human-annotated":"yes"}}'
)

MULTI_LABELS = ["person", "bicycle", "car", "dog", "cat", "tree", "road", "sky", "clothing"]
BOX_LABELS = ["Bird", "Cat"]
NER_LABELS = ["PERSON", "ORG"]
PNG = b"\x89PNG\r\n\x1a\n" + b"bytes standing in for an image"


def shape(value: Any) -> Any:
    """A JSON value's structure: keys and element shapes kept, numbers and strings typed
    (an int and a float are both ``number``: Ground Truth writes whole coordinates as
    ints)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def labeled_line(task_type, consolidated, labels, attribute, source):
    """One output line, as the runner writes it."""
    value, metadata = labeled_output(task_type, consolidated, labels, attribute)
    return {**source, attribute: value, f"{attribute}-metadata": metadata}


def consolidate(host: PluginHost, algorithm: str, labels, *answers) -> Consolidated:
    """Consolidate one item that worker ``w<i>`` answered with ``answers[i]``."""
    given = [WorkerAnswer(item="x", worker=f"w{n}", answer=a) for n, a in enumerate(answers)]
    consensus = host.consensus_algorithms.get(algorithm, "consensus")
    return consensus.consolidate(given, labels).labels["x"]


@pytest.fixture(scope="module")
def host(tmp_path_factory) -> PluginHost:
    return PluginHost(Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path_factory.mktemp("q"))}))


def box(label: str, left: float, top: float, width: float, height: float) -> dict:
    return {"label": label, "left": left, "top": top, "width": width, "height": height}


def boxes(*given: dict, width: int = 680, height: int = 1024) -> dict:
    return {
        "boundingBoxes": list(given),
        "inputImageProperties": {"width": width, "height": height},
    }


def entity(label: str, start: int, end: int) -> dict:
    return {"label": label, "startOffset": start, "endOffset": end}


# -- registration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "cls", "element", "output_type", "source_key", "kind", "consensus"),
    [
        (
            "image-classification-multilabel",
            ImageClassificationMultiLabel,
            "crowd-image-classifier-multi-select",
            "groundtruth/image-classification-multilabel",
            "source-ref",
            "multi-label",
            "multi-label-vote",
        ),
        (
            "text-classification-multilabel",
            TextClassificationMultiLabel,
            "crowd-classifier-multi-select",
            "groundtruth/text-classification-multilabel",
            "source",
            "multi-label",
            "multi-label-vote",
        ),
        (
            "bounding-box",
            BoundingBox,
            "crowd-bounding-box",
            "groundtruth/object-detection",
            "source-ref",
            "boxes",
            "box-iou",
        ),
        (
            "named-entity-recognition",
            NamedEntityRecognition,
            "crowd-entity-annotation",
            "groundtruth/text-span",
            "source",
            "spans",
            "span-cluster",
        ),
    ],
)
def test_is_registered_through_its_entry_point(
    host, name, cls, element, output_type, source_key, kind, consensus
):
    task_type = host.task_types.get(name, "taskType")
    assert isinstance(task_type, cls)
    assert (task_type.element, task_type.output_type, task_type.source_key) == (
        element,
        output_type,
        source_key,
    )
    assert task_type.label_kind == kind
    assert kind in host.consensus_algorithms.get(consensus, "consensus").label_kinds
    assert task_type.default_consensus == consensus


@pytest.mark.parametrize(
    ("task_type", "fewest", "most"),
    [(ImageClassificationMultiLabel(), 2, 50), (BoundingBox(), 1, 50)],
)
def test_label_count_limits(task_type, fewest, most):
    task_type.validate_labels([f"l{n}" for n in range(fewest)])
    task_type.validate_labels([f"l{n}" for n in range(most)])
    with pytest.raises(BadInput, match=f"at least {fewest} label categories"):
        task_type.validate_labels([f"l{n}" for n in range(fewest - 1)])
    with pytest.raises(BadInput, match=f"at most {most} categories"):
        task_type.validate_labels([f"l{n}" for n in range(most + 1)])


def test_named_entities_need_one_label_and_allow_many():
    NamedEntityRecognition().validate_labels(["PERSON"])
    NamedEntityRecognition().validate_labels([f"l{n}" for n in range(200)])
    with pytest.raises(BadInput, match="at least 1 label categories"):
        NamedEntityRecognition().validate_labels([])


# -- multi-label answers --------------------------------------------------------------------


@pytest.mark.parametrize("chosen", [["cat", "dog"], ["dog"], []])
def test_multilabel_accepts_any_set_of_the_jobs_labels(chosen):
    answer = {"labels": chosen}
    assert TextClassificationMultiLabel().validate_answer(answer, MULTI_LABELS) == answer


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (["cat"], 'answer: must be a JSON object like {"labels"'),
        ({}, 'answer.labels: missing; expected {"labels"'),
        ({"labels": "cat"}, "answer.labels: must be a JSON array"),
        ({"labels": ["cat", 3]}, "answer.labels[1]: must be a string naming a category"),
        ({"labels": ["cat", "cow"]}, "answer.labels[1]: 'cow' is not one of this job's labels"),
        ({"labels": ["cat", "dog", "cat"]}, "answer.labels[2]: 'cat' is chosen twice"),
        ({"labels": [], "label": "cat"}, "answer.label: unknown field"),
    ],
)
def test_multilabel_refuses_naming_the_field(answer, message):
    with pytest.raises(BadInput) as error:
        ImageClassificationMultiLabel().validate_answer(answer, MULTI_LABELS)
    assert error.value.message.startswith(message)


# -- bounding-box answers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        boxes(box("Bird", 138.8, 164.6, 443.8, 859)),
        boxes(),  # an image with none of the classes
        boxes(box("Bird", 0, 0, 680, 1024), box("Cat", 10, 10, 5, 5)),  # edge to edge
        boxes(box("Cat", 600, 1000, 80.9, 24.9)),  # within the 1 px tolerance
    ],
)
def test_boxes_accept_the_elements_output(answer):
    assert BoundingBox().validate_answer(answer, BOX_LABELS) == answer


def test_a_whole_float_image_size_becomes_an_int():
    cleaned = BoundingBox().validate_answer(boxes(width=680.0, height=1024.0), BOX_LABELS)
    assert cleaned["inputImageProperties"] == {"width": 680, "height": 1024}
    assert isinstance(cleaned["inputImageProperties"]["width"], int)


GOOD_BOX = box("Bird", 10, 10, 50, 40)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("boxes", "answer: must be a JSON object like"),
        ({"inputImageProperties": {"width": 1, "height": 1}}, "answer.boundingBoxes: missing"),
        ({"boundingBoxes": []}, "answer.inputImageProperties: missing"),
        ({**boxes(), "initialValueModified": True}, "answer.initialValueModified: unknown field"),
        ({**boxes(), "boundingBoxes": {}}, "answer.boundingBoxes: must be a JSON array"),
        (boxes(GOOD_BOX, 3), "answer.boundingBoxes[1]: must be a JSON object like"),
        (boxes({"label": "Bird", "left": 1, "top": 1, "height": 1}), "[0].width: missing"),
        (boxes({**GOOD_BOX, "score": 1}), "answer.boundingBoxes[0].score: unknown field"),
        (boxes(GOOD_BOX, {**GOOD_BOX, "label": 1}), "answer.boundingBoxes[1].label: must be a"),
        (boxes({**GOOD_BOX, "label": "Dog"}), "answer.boundingBoxes[0].label: 'Dog' is not one"),
        (boxes(GOOD_BOX, {**GOOD_BOX, "left": -1}), "answer.boundingBoxes[1].left: must be at "),
        (boxes({**GOOD_BOX, "top": "3"}), "answer.boundingBoxes[0].top: must be a number"),
        (boxes({**GOOD_BOX, "left": True}), "answer.boundingBoxes[0].left: must be a number"),
        (boxes({**GOOD_BOX, "left": float("nan")}), "answer.boundingBoxes[0].left: must be a "),
        (boxes({**GOOD_BOX, "width": 0}), "answer.boundingBoxes[0].width: must be above 0"),
        (boxes({**GOOD_BOX, "height": -2}), "answer.boundingBoxes[0].height: must be above 0"),
        (
            boxes(box("Bird", 600, 0, 82, 10)),
            "answer.boundingBoxes[0].width: the box ends at x=682, past the image's width of 680",
        ),
        (
            boxes(box("Bird", 0, 1000, 10, 30)),
            "answer.boundingBoxes[0].height: the box ends at y=1030, past the image's height",
        ),
        ({**boxes(), "inputImageProperties": [1, 2]}, "answer.inputImageProperties: must be a JSO"),
        ({**boxes(), "inputImageProperties": {"width": 5}}, "answer.inputImageProperties.height: "),
        (boxes(width=0), "answer.inputImageProperties.width: must be at least 1"),
        (boxes(height=10.5), "answer.inputImageProperties.height: must be a whole number"),
        (boxes(*[GOOD_BOX] * 1001), "answer.boundingBoxes: at most 1,000 entries, got 1,001"),
    ],
)
def test_boxes_refuse_naming_the_field(answer, message):
    with pytest.raises(BadInput) as error:
        BoundingBox().validate_answer(answer, BOX_LABELS)
    assert message in error.value.message
    assert error.value.message.startswith("answer")


# -- named-entity answers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {"entities": [entity("PERSON", 0, 13)]},
        {"entities": []},
        # adjacent spans do not overlap (endOffset is exclusive), in any order
        {"entities": [entity("ORG", 13, 20), entity("PERSON", 0, 13)]},
    ],
)
def test_entities_accept_the_elements_output(answer):
    assert NamedEntityRecognition().validate_answer(answer, NER_LABELS) == answer


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (None, "answer: must be a JSON object like"),
        ({}, "answer.entities: missing"),
        ({"entities": [], "text": "x"}, "answer.text: unknown field"),
        ({"entities": "PERSON"}, "answer.entities: must be a JSON array"),
        ({"entities": [[0, 1]]}, "answer.entities[0]: must be a JSON object like"),
        ({"entities": [{"label": "ORG", "startOffset": 0}]}, "answer.entities[0].endOffset: miss"),
        ({"entities": [{**entity("ORG", 0, 1), "id": 1}]}, "answer.entities[0].id: unknown"),
        ({"entities": [entity("LOC", 0, 1)]}, "answer.entities[0].label: 'LOC' is not one of"),
        ({"entities": [entity("ORG", -1, 1)]}, "answer.entities[0].startOffset: must be at least"),
        ({"entities": [entity("ORG", 1.5, 3)]}, "answer.entities[0].startOffset: must be a whole"),
        ({"entities": [entity("ORG", 0, True)]}, "answer.entities[0].endOffset: must be a whole"),
        ({"entities": [entity("ORG", 4, 4)]}, "answer.entities[0].endOffset: must be after start"),
        ({"entities": [entity("ORG", 5, 2)]}, "answer.entities[0].endOffset: must be after start"),
        (
            {"entities": [entity("ORG", 0, 5), entity("ORG", 10, 15), entity("PERSON", 3, 8)]},
            "answer.entities[2] overlaps answer.entities[0]",
        ),
        (
            {"entities": [entity("ORG", 5, 8), entity("ORG", 0, 20)]},
            "answer.entities[1] overlaps answer.entities[0]",
        ),
        (
            {"entities": [entity("ORG", 0, 5), entity("ORG", 0, 5)]},
            "answer.entities[1] overlaps answer.entities[0]",
        ),
    ],
)
def test_entities_refuse_naming_the_field(answer, message):
    with pytest.raises(BadInput) as error:
        NamedEntityRecognition().validate_answer(answer, NER_LABELS)
    assert error.value.message.startswith(message)


def test_whole_float_offsets_become_ints():
    cleaned = NamedEntityRecognition().validate_answer(
        {"entities": [entity("ORG", 0.0, 3.0)]}, NER_LABELS
    )
    assert cleaned == {"entities": [entity("ORG", 0, 3)]}
    assert isinstance(cleaned["entities"][0]["endOffset"], int)


# -- output lines against Ground Truth's examples -------------------------------------------


def assert_like(line: dict, example: dict, attribute: str) -> None:
    """Same keys and value shapes as Ground Truth's line, metadata included."""
    assert shape(line) == shape(example)
    assert set(line[f"{attribute}-metadata"]) == set(example[f"{attribute}-metadata"])
    assert line[f"{attribute}-metadata"]["type"] == example[f"{attribute}-metadata"]["type"]


def test_the_multilabel_line_is_ground_truths(host):
    consolidated = consolidate(
        host,
        "multi-label-vote",
        MULTI_LABELS,
        {"labels": ["bicycle", "person"]},
        {"labels": ["person", "clothing"]},
        {"labels": ["bicycle"]},
    )
    line = labeled_line(
        ImageClassificationMultiLabel(),
        consolidated,
        MULTI_LABELS,
        "image-label-attribute-name",
        {"source-ref": "s3://bucket/example_image.jpg"},
    )
    assert_like(line, GT_MULTILABEL, "image-label-attribute-name")
    assert line["image-label-attribute-name"] == [0, 1, 8]
    metadata = line["image-label-attribute-name-metadata"]
    assert metadata["class-map"] == {"0": "person", "1": "bicycle", "8": "clothing"}
    assert metadata["confidence-map"] == {"0": 0.67, "1": 0.67, "8": 0.33}
    assert metadata["job-name"] == GT_MULTILABEL["image-label-attribute-name-metadata"]["job-name"]


def test_text_multilabel_differs_only_in_type(host):
    consolidated = consolidate(host, "multi-label-vote", MULTI_LABELS, {"labels": ["dog"]})
    line = labeled_line(
        TextClassificationMultiLabel(), consolidated, MULTI_LABELS, "mood", {"source": "a dog"}
    )
    assert line["mood"] == [3]
    assert line["mood-metadata"]["type"] == "groundtruth/text-classification-multilabel"
    assert line["mood-metadata"]["confidence-map"] == {"3": 0.0}  # one worker: 0


def test_the_bounding_box_line_is_ground_truths(host):
    consolidated = consolidate(
        host,
        "box-iou",
        ["Bird"],
        boxes(box("Bird", 138.6, 164.4, 443.6, 859)),
        boxes(box("Bird", 139, 164.8, 444, 859)),
    )
    line = labeled_line(
        BoundingBox(),
        consolidated,
        ["Bird"],
        "category",
        {"source-ref": GT_BOXES["source-ref"]},
    )
    assert_like(line, GT_BOXES, "category")
    assert line["category"]["image_size"] == GT_BOXES["category"]["image_size"]
    (annotation,) = line["category"]["annotations"]
    for key, expected in GT_BOXES["category"]["annotations"][0].items():
        assert annotation[key] == pytest.approx(expected), key
    assert line["category-metadata"]["class-map"] == {"0": "Bird"}
    assert 0 < line["category-metadata"]["objects"][0]["confidence"] <= 0.95


def test_an_empty_image_is_ground_truths_empty_line(host):
    # GROUNDTRUTH.md 2.3, from cat_bbox_output.manifest.
    consolidated = consolidate(host, "box-iou", BOX_LABELS, boxes(), boxes())
    value, metadata = labeled_output(BoundingBox(), consolidated, BOX_LABELS, "cats")
    assert value == {"image_size": [{"width": 680, "height": 1024, "depth": 3}], "annotations": []}
    assert (metadata["objects"], metadata["class-map"]) == ([], {})


def test_class_map_lists_the_classes_present_only(host):
    consolidated = consolidate(host, "box-iou", BOX_LABELS, boxes(box("Cat", 1, 1, 9, 9)))
    _value, metadata = labeled_output(BoundingBox(), consolidated, BOX_LABELS, "cats")
    assert metadata["class-map"] == {"1": "Cat"}
    assert metadata["objects"] == [{"confidence": 0.0}]


def test_the_named_entity_line_is_ground_truths(host):
    diego = {"entities": [entity("ENGINEER", 0, 13)]}
    consolidated = consolidate(host, "span-cluster", ["ENGINEER"], diego, diego, diego)
    line = labeled_line(
        NamedEntityRecognition(),
        consolidated,
        ["ENGINEER"],
        "NamedEntityRecognitionDemo",
        {"source": GT_NER["source"]},
    )
    assert_like(line, GT_NER, "NamedEntityRecognitionDemo")
    assert line["NamedEntityRecognitionDemo"] == GT_NER["NamedEntityRecognitionDemo"]
    assert line["NamedEntityRecognitionDemo-metadata"]["entities"] == [{"confidence": 1.0}]
    assert (
        line["NamedEntityRecognitionDemo-metadata"]["job-name"]
        == (GT_NER["NamedEntityRecognitionDemo-metadata"]["job-name"])
    )


@pytest.mark.parametrize(
    ("task_type", "value", "metadata"),
    [
        (
            ImageClassificationMultiLabel(),
            ["cat"],
            {"class-map": {"4": "cat"}, "confidence-map": {"4": 0.8}},
        ),
        (
            BoundingBox(),
            {"image_size": [], "annotations": [{"class_id": 1, "top": 0, "left": 0}]},
            {"objects": [{"confidence": 0.8}], "class-map": {"1": "Cat"}},
        ),
        (
            NamedEntityRecognition(),
            {"annotations": {"entities": [entity("ORG", 0, 3)]}},
            {"entities": [{"confidence": 0.8}]},
        ),
    ],
)
def test_a_label_without_details_gets_the_items_confidence(task_type, value, metadata):
    # A custom consolidation (quorum_post_annotation) may give the value alone.
    labels = MULTI_LABELS if task_type.label_kind == "multi-label" else ["PERSON", "Cat", "ORG"]
    _value, written = task_type.output_label(Consolidated(value=value, confidence=0.8), labels)
    assert written == metadata


@pytest.mark.parametrize(
    ("task_type", "answer", "content"),
    [
        (
            ImageClassificationMultiLabel(),
            {"labels": ["cat"]},
            {"crowd-image-classifier-multi-select": {"labels": ["cat"]}},
        ),
        (
            TextClassificationMultiLabel(),
            {"labels": []},
            {"crowd-classifier-multi-select": {"labels": []}},
        ),
        (
            NamedEntityRecognition(),
            {"entities": [entity("ORG", 0, 3)]},
            {"crowd-entity-annotation": {"entities": [entity("ORG", 0, 3)]}},
        ),
    ],
)
def test_worker_responses_wrap_the_answer_in_the_element_name(task_type, answer, content):
    assert answer_content(task_type, answer) == content


def test_bounding_box_worker_responses_use_ground_truths_boundingbox_key():
    assert answer_content(BoundingBox(), boxes()) == {"boundingBox": boxes()}


# -- whole jobs through the GraphQL API -----------------------------------------------------


def image_lines(settings: Settings, count: int) -> list[dict[str, Any]]:
    """``count`` manifest lines naming images in the local object store."""
    folder = settings.objects_dir / "images"
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for index in range(count):
        (folder / f"{index}.png").write_bytes(PNG)
        lines.append({"source-ref": f"file://{folder / f'{index}.png'}", "id": index})
    return lines


def answer_everything(job: RunningJob, answer_for) -> None:
    """Each worker answers every task it gets with ``answer_for(worker, position)``."""
    for worker, (_, token) in enumerate(job.workers):
        while (task := job.claim(worker)) is not None:
            answer = answer_for(worker, task["item"]["position"])
            job.gql.ok(SUBMIT, {"taskId": task["id"], "answer": answer}, token)
    job.run_runner()


def finished_output(job: RunningJob, settings: Settings) -> list[dict[str, Any]]:
    """The completed job's output manifest lines."""
    status = job.status()
    assert status["status"] == "COMPLETED", status
    return read_output(status["outputManifest"])


def worker_responses(job: RunningJob) -> list[dict[str, Any]]:
    """Every ``answerContent`` in the job's worker-response files."""
    manifest = Path(job.status()["outputManifest"].removeprefix("file://"))
    folder = manifest.parents[2] / "annotations" / "worker-response" / "iteration-1"
    return [
        answer["answerContent"]
        for path in sorted(folder.rglob("*.json"))
        for answer in json.loads(path.read_text())["answers"]
    ]


def test_an_image_multilabel_job_end_to_end(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=image_lines(quorum_settings, 2),
        workers=2,
        name="scenes",
        taskType="image-classification-multilabel",
        labels=["person", "bicycle", "car"],
        workersPerItem=2,
    )
    picks = {0: [["car"], ["car", "person"]], 1: [[], []]}
    task = job.claim()
    assert task["input"]["taskObject"].startswith("/objects/")  # a signed URL, not file://
    first_pick = {"labels": picks[task["item"]["position"]][0]}
    job.gql.ok(SUBMIT, {"taskId": task["id"], "answer": first_pick}, job.workers[0][1])
    answer_everything(job, lambda worker, position: {"labels": picks[position][worker]})
    first, second = finished_output(job, quorum_settings)
    assert first["scenes"] == [0, 2]
    metadata = first["scenes-metadata"]
    assert metadata["class-map"] == {"0": "person", "2": "car"}
    assert metadata["confidence-map"] == {"0": 0.5, "2": 1.0}
    assert metadata["type"] == "groundtruth/image-classification-multilabel"
    assert metadata["job-name"] == "labeling-job/scenes"
    assert set(metadata) == set(GT_MULTILABEL["image-label-attribute-name-metadata"])
    assert second["scenes"] == [] and second["scenes-metadata"]["class-map"] == {}
    assert {"crowd-image-classifier-multi-select": {"labels": ["car"]}} in worker_responses(job)


def test_a_text_multilabel_job_end_to_end(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        name="topics",
        taskType="text-classification-multilabel",
        labels=["sports", "politics", "science"],
    )
    created = gql.ok(
        "query($id: ID!) { job(id: $id) { consensus } }", {"id": job.id}, job.requester
    )
    assert created["job"]["consensus"] == "multi-label-vote"
    answer_everything(job, lambda _worker, position: {"labels": ["science", "sports"][:position]})
    lines = finished_output(job, quorum_settings)
    assert [line["topics"] for line in lines] == [[], [2], [0, 2]]
    assert lines[2]["topics-metadata"]["type"] == "groundtruth/text-classification-multilabel"
    assert lines[2]["topics-metadata"]["confidence-map"] == {"0": 0.0, "2": 0.0}


def test_a_bounding_box_job_end_to_end(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=image_lines(quorum_settings, 2),
        workers=3,
        name="birds",
        taskType="bounding-box",
        labels=["Bird", "Cat"],
        workersPerItem=3,
    )
    drawn = {
        0: [
            boxes(box("Bird", 138, 164, 443, 859)),
            boxes(box("Bird", 139, 165, 444, 859)),
            boxes(box("Bird", 139.4, 164.8, 444.4, 859), box("Cat", 0, 0, 10, 10)),
        ],
        1: [boxes(), boxes(), boxes()],
    }
    answer_everything(job, lambda worker, position: drawn[position][worker])
    first, empty = finished_output(job, quorum_settings)
    assert shape(first["birds"]) == shape(GT_BOXES["category"])
    assert set(first["birds-metadata"]) == set(GT_BOXES["category-metadata"])
    (annotation,) = first["birds"]["annotations"]  # the lone Cat box is dropped
    assert annotation == pytest.approx(
        {"class_id": 0, "top": 164.6, "left": 138.8, "height": 859, "width": 443.8}
    )
    assert first["birds"]["image_size"] == [{"width": 680, "height": 1024, "depth": 3}]
    assert first["birds-metadata"]["class-map"] == {"0": "Bird"}
    assert first["birds-metadata"]["type"] == "groundtruth/object-detection"
    assert 0.9 < first["birds-metadata"]["objects"][0]["confidence"] <= 0.95
    assert empty["birds"]["annotations"] == []
    assert (empty["birds-metadata"]["objects"], empty["birds-metadata"]["class-map"]) == ([], {})
    assert all(set(content) == {"boundingBox"} for content in worker_responses(job))


def test_a_named_entity_job_end_to_end(quorum_app, quorum_settings, gql):
    text = "Diego Ramirez is an engineer at Acme."
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=[{"source": text}],
        workers=3,
        name="NamedEntityRecognitionDemo",
        taskType="named-entity-recognition",
        labels=["PERSON", "ORG"],
        workersPerItem=3,
    )
    marked = [
        [entity("PERSON", 0, 13), entity("ORG", 32, 36)],
        [entity("PERSON", 0, 13), entity("ORG", 32, 36)],
        [entity("PERSON", 0, 5)],
    ]
    task = job.claim()
    overlapping = {"entities": [entity("PERSON", 0, 13), entity("ORG", 6, 20)]}
    error = gql.error(SUBMIT, {"taskId": task["id"], "answer": overlapping}, job.workers[0][1])
    assert (error.code, error.message) == (
        "BAD_INPUT",
        "answer.entities[1] overlaps answer.entities[0]",
    )
    gql.ok(SUBMIT, {"taskId": task["id"], "answer": {"entities": marked[0]}}, job.workers[0][1])
    answer_everything(job, lambda worker, _position: {"entities": marked[worker]})
    (line,) = finished_output(job, quorum_settings)
    attribute = "NamedEntityRecognitionDemo"
    assert line[attribute] == {
        "annotations": {
            "entities": [entity("PERSON", 0, 13), entity("ORG", 32, 36)],
            "labels": [{"label": "PERSON"}, {"label": "ORG"}],
        }
    }
    assert line[f"{attribute}-metadata"]["entities"] == [
        {"confidence": 0.67},
        {"confidence": 0.67},
    ]
    assert set(line[f"{attribute}-metadata"]) == set(GT_NER[f"{attribute}-metadata"])
    assert line[f"{attribute}-metadata"]["job-name"] == "labeling-job/namedentityrecognitiondemo"
    assert {"crowd-entity-annotation": {"entities": marked[2]}} in worker_responses(job)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"taskType": "bounding-box", "consensus": "majority-vote"},
            "consensus: majority-vote cannot consolidate boxes answers of bounding-box",
        ),
        (
            {"taskType": "named-entity-recognition", "consensus": "box-iou"},
            "consensus: box-iou cannot consolidate spans answers of named-entity-recognition",
        ),
        (
            {"taskType": "text-classification-multilabel", "labels": ["only"]},
            "labels: text-classification-multilabel needs at least 2 label categories, got 1",
        ),
    ],
)
def test_create_job_refuses_a_mismatch(quorum_app, quorum_settings, gql, fields, message):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    spec = {
        "name": "mismatch",
        "inputManifest": write_manifest(quorum_settings, "m.manifest", text_lines(1)),
        "labels": ["a", "b"],
        "teamId": str(make_team(quorum_app, "crew", [])),
        **fields,
    }
    error = gql.error(CREATE_JOB, {"input": spec}, requester)
    assert (error.code, error.message) == ("BAD_INPUT", message)


# -- quorum consolidate ---------------------------------------------------------------------


def answer_lines(*records: tuple[str, int, dict]) -> str:
    return "\n".join(
        json.dumps({"item": item, "worker": worker, "answer": answer})
        for item, worker, answer in records
    )


CLI_CASES = {
    "bounding-box": (
        "Bird,Cat",
        answer_lines(
            ("a", 1, boxes(box("Bird", 10, 10, 100, 50))),
            ("a", 2, boxes(box("Bird", 12, 10, 100, 50))),
            ("b", 1, boxes()),
        ),
    ),
    "image-classification-multilabel": (
        "person,bicycle,car",
        answer_lines(("a", 1, {"labels": ["car"]}), ("a", 2, {"labels": ["car", "person"]})),
    ),
    "named-entity-recognition": (
        "PERSON,ORG",
        answer_lines(
            ("a", 1, {"entities": [entity("ORG", 3, 7)]}),
            ("a", 2, {"entities": [entity("ORG", 3, 7)]}),
        ),
    ),
}


def consolidate_cli(tmp_path, task_type: str, *extra: str, stdin: str | None = None):
    labels, answers = CLI_CASES[task_type]
    return quorum_in_process(
        "consolidate",
        "--task-type",
        task_type,
        "--labels",
        labels,
        *extra,
        env={"QUORUM_DATA_DIR": str(tmp_path)},
        stdin=answers if stdin is None else stdin,
    )


def test_consolidate_bounding_boxes(tmp_path):
    result = consolidate_cli(tmp_path, "bounding-box", "--algorithm", "box-iou")
    assert result.returncode == 0, result.stderr
    a, b = (json.loads(line) for line in result.stdout.splitlines())
    assert a["item"] == "a"
    assert a["label"]["annotations"] == [
        {"class_id": 0, "top": 10, "left": 11, "height": 50, "width": 100}
    ]
    assert a["metadata"]["class-map"] == {"0": "Bird"}
    assert a["metadata"]["type"] == "groundtruth/object-detection"
    assert "job-name" not in a["metadata"]
    assert (b["label"]["annotations"], b["metadata"]["objects"]) == ([], [])


def test_consolidate_multilabel_with_the_default_algorithm(tmp_path):
    result = consolidate_cli(tmp_path, "image-classification-multilabel")
    assert result.returncode == 0, result.stderr
    (line,) = (json.loads(line) for line in result.stdout.splitlines())
    assert line["label"] == [0, 2]
    assert line["metadata"]["class-map"] == {"0": "person", "2": "car"}
    assert line["metadata"]["confidence-map"] == {"0": 0.5, "2": 1.0}


def test_consolidate_named_entities(tmp_path):
    result = consolidate_cli(tmp_path, "named-entity-recognition", "--algorithm", "span-cluster")
    assert result.returncode == 0, result.stderr
    (line,) = (json.loads(line) for line in result.stdout.splitlines())
    assert line["label"]["annotations"]["entities"] == [entity("ORG", 3, 7)]
    assert line["label"]["annotations"]["labels"] == [{"label": "PERSON"}, {"label": "ORG"}]
    assert line["metadata"]["entities"] == [{"confidence": 1.0}]
    assert line["metadata"]["type"] == "groundtruth/text-span"


@pytest.mark.parametrize(
    ("task_type", "algorithm", "kind"),
    [
        ("bounding-box", "majority-vote", "boxes"),
        ("image-classification-multilabel", "box-iou", "multi-label"),
        ("named-entity-recognition", "multi-label-vote", "spans"),
    ],
)
def test_consolidate_refuses_an_algorithm_of_another_kind(tmp_path, task_type, algorithm, kind):
    result = consolidate_cli(tmp_path, task_type, "--algorithm", algorithm)
    assert result.returncode == 2
    assert (
        f"--algorithm: {algorithm} cannot consolidate {kind} answers of {task_type}"
        in result.stderr
    )
    assert result.stdout == ""


def test_consolidate_names_the_bad_line_and_field(tmp_path):
    bad = answer_lines(
        ("a", 1, boxes(box("Bird", 10, 10, 100, 50))),
        ("a", 2, boxes(box("Bird", 10, 10, 0, 50))),
    )
    result = consolidate_cli(tmp_path, "bounding-box", stdin=bad)
    assert result.returncode == 2
    assert "line 2: answer.boundingBoxes[0].width: must be above 0" in result.stderr


def test_an_entity_past_the_end_of_the_text_is_refused(quorum_app, quorum_settings, gql):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=[{"source": "Acme"}],
        name="short-text",
        taskType="named-entity-recognition",
        labels=["ORG"],
    )
    task = job.claim()
    answer = {"entities": [entity("ORG", 0, 4_000_000)]}
    error = gql.error(SUBMIT, {"taskId": task["id"], "answer": answer}, job.workers[0][1])
    assert (error.code, error.message) == (
        "BAD_INPUT",
        "answer.entities[0].endOffset: 4000000 is past the end of the text (4 characters)",
    )
    gql.ok(
        SUBMIT,
        {"taskId": task["id"], "answer": {"entities": [entity("ORG", 0, 4)]}},
        job.workers[0][1],
    )


def test_boxes_are_checked_against_the_real_image(quorum_app, quorum_settings, gql):
    image = quorum_settings.objects_dir / "small.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48)).save(image, format="PNG")
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=[{"source-ref": f"file://{image}"}],
        name="small-image",
        taskType="bounding-box",
        labels=["Bird"],
    )
    task = job.claim()
    box = {"label": "Bird", "left": 600, "top": 400, "width": 100, "height": 100}
    claimed = {"boundingBoxes": [box], "inputImageProperties": {"width": 1000, "height": 800}}
    error = gql.error(SUBMIT, {"taskId": task["id"], "answer": claimed}, job.workers[0][1])
    assert (error.code, error.message) == (
        "BAD_INPUT",
        "answer.inputImageProperties: 1000x800, but the item's image is 64x48",
    )
