"""The ``label-verification`` task type: answers, the previous label shown to workers, and
Ground Truth's ``groundtruth/label-verification`` output line (GROUNDTRUTH.md 2.3)."""

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
from quorum_plugins.task_types.label_verification import LabelVerification
from tests.plugins.task_types.test_structured import GT_BOXES, GT_MULTILABEL, answer_lines

#: Ground Truth's label-verification example (GROUNDTRUTH.md 2.3), as a whole line.
GT_VERIFICATION = json.loads(
    '{"verify-bounding-box-attribute-name":"1",'
    '"verify-bounding-box-attribute-name-metadata":{"class-name":"bad","confidence":0.93,'
    '"type":"groundtruth/label-verification","job-name":"verify-bounding-boxes",'
    '"human-annotated":"yes","creation-date":"2018-11-20T22:18:13.527256",'
    '"worker-feedback":[{"comment":"The bounding box on the bird is too wide on the right '
    'side."},{"comment":"The bird on the upper right is not labeled."}]}}'
)
GT_CLASSIFICATION = json.loads(
    '{"source-ref":"s3://birdstop-ic-us-west-2/birds-open-images-subset/all_data/'
    '0273f487d52c16d2.jpg","birds-open-images-clone":9,"birds-open-images-clone-metadata":'
    '{"confidence":0.95,"job-name":"labeling-job/birds-open-images-clone","class-name":'
    '"Canary","human-annotated":"yes","creation-date":"2019-04-18T16:40:59.217995",'
    '"type":"groundtruth/image-classification"}}'
)
VERDICTS = ["good", "bad"]
VERIFY = LabelVerification()


@pytest.fixture(scope="module")
def host(tmp_path_factory) -> PluginHost:
    return PluginHost(Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path_factory.mktemp("q"))}))


def test_is_registered_through_its_entry_point(host):
    task_type = host.task_types.get("label-verification", "taskType")
    assert isinstance(task_type, LabelVerification)
    assert (task_type.element, task_type.answer_key, task_type.output_type) == (
        "quorum-label-verification",
        "crowd-image-classifier",
        "groundtruth/label-verification",
    )
    assert task_type.source_key == "source-ref"
    assert (task_type.label_kind, task_type.default_consensus) == ("single-label", "dawid-skene")
    assert task_type.audits_labels


# -- answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "cleaned"),
    [
        ({"label": "bad"}, {"label": "bad"}),
        ({"label": "bad", "comment": "too wide"}, {"label": "bad", "comment": "too wide"}),
        ({"label": "good", "comment": "  fine \n"}, {"label": "good", "comment": "fine"}),
        ({"label": "good", "comment": "   "}, {"label": "good"}),  # a blank comment is none
        ({"label": "good", "comment": None}, {"label": "good"}),
        ({"label": "bad", "comment": "x" * 1000}, {"label": "bad", "comment": "x" * 1000}),
    ],
)
def test_accepts_a_category_and_an_optional_comment(answer, cleaned):
    assert VERIFY.validate_answer(answer, VERDICTS) == cleaned


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("bad", 'answer: must be a JSON object like {"label": "<category>", "comment": "..."}'),
        ({"comment": "no label"}, "answer.label: missing; expected"),
        ({"label": "meh"}, "answer.label: 'meh' is not one of this job's labels (good, bad)"),
        ({"label": 1}, "answer.label: must be a string naming a category"),
        ({"label": "bad", "comment": 3}, "answer.comment: must be a string"),
        ({"label": "bad", "comment": "x" * 1001}, "answer.comment: at most 1,000 characters"),
        ({"label": "bad", "workerComment": "x"}, "answer.workerComment: unknown field"),
    ],
)
def test_refuses_naming_the_field(answer, message):
    with pytest.raises(BadInput) as error:
        VERIFY.validate_answer(answer, VERDICTS)
    assert error.value.message.startswith(message)


def test_worker_responses_wrap_the_answer_in_the_element_name():
    answer = {"label": "bad", "comment": "too wide"}
    assert answer_content(VERIFY, answer) == {"crowd-image-classifier": answer}


# -- the previous label, as workers see it --------------------------------------------------


def shown(line: dict[str, Any], attribute: str) -> dict[str, Any]:
    return VERIFY.audit_input(line, attribute, VERDICTS)


def test_previous_boxes_are_shown_with_the_previous_jobs_class_names():
    assert shown(GT_BOXES, "category") == {
        "previousLabel": {
            "attribute": "category",
            "kind": "boxes",
            "boundingBoxes": [
                {
                    "label": "Bird",
                    "left": 138.8,
                    "top": 164.60000000000002,
                    "width": 443.8,
                    "height": 859,
                }
            ],
        }
    }


def test_a_previous_class_is_shown_by_its_name():
    assert shown(GT_CLASSIFICATION, "birds-open-images-clone") == {
        "previousLabel": {
            "attribute": "birds-open-images-clone",
            "kind": "class",
            "label": "Canary",
        }
    }


@pytest.mark.parametrize("value", ["1", 1, 1.0])
def test_a_class_index_may_be_written_as_a_string(value):
    # The DG's examples write "1"; real outputs write 1.
    line = {"source-ref": "s3://b/x.jpg", "mood": value, "mood-metadata": {"class-name": "sad"}}
    assert shown(line, "mood")["previousLabel"]["label"] == "sad"


def test_a_class_without_class_name_is_named_from_the_class_map():
    line = {"mood": 2, "mood-metadata": {"class-map": {"2": "calm"}}}
    assert shown(line, "mood")["previousLabel"]["label"] == "calm"


def test_previous_classes_are_shown_by_their_names():
    label = shown(GT_MULTILABEL, "image-label-attribute-name")["previousLabel"]
    assert label == {
        "attribute": "image-label-attribute-name",
        "kind": "classes",
        "labels": ["bicycle", "person", "clothing"],
    }


def test_no_boxes_is_a_label_too():
    line = {"category": {"annotations": []}, "category-metadata": {"class-map": {}}}
    assert shown(line, "category")["previousLabel"]["boundingBoxes"] == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            {"mask-ref": "s3://bucket/mask.png"},
            "mask-ref: a previous label must be a class index, a list of class indices, or "
            'bounding boxes {"image_size": [...], "annotations": [{"class_id", "left", "top", '
            '"width", "height"}]}; got "s3://bucket/mask.png"',
        ),
        ({"mood": None}, "mood: a previous label must be a class index"),
        ({"mood": True}, "mood: a previous label must be a class index"),
        ({"mood": 1.5}, "mood: a previous label must be a class index"),
        ({"mood": -1, "mood-metadata": {"class-name": "x"}}, "mood: must be at least 0, got -1"),
        ({"mood": 1}, "mood-metadata.class-name: missing; the previous class's name"),
        ({"mood": 1, "mood-metadata": []}, "mood-metadata: must be a JSON object"),
        ({"mood": 1, "mood-metadata": {"class-name": ""}}, "mood-metadata.class-name: must be a"),
        ({"mood": [0, "x"], "mood-metadata": {"class-map": {"0": "a"}}}, "mood[1]: must be a wh"),
        ({"mood": [0, 3], "mood-metadata": {"class-map": {"0": "a"}}}, "mood[1]: class 3 has no"),
        ({"mood": [0], "mood-metadata": {"class-map": {"0": 7}}}, "mood-metadata.class-map.0: "),
        ({"bb": {"image_size": []}}, "bb.annotations: missing; expected"),
        ({"bb": {"annotations": {}}}, "bb.annotations: must be a JSON array"),
        ({"bb": {"annotations": [5]}}, "bb.annotations[0]: must be a JSON object like"),
        (
            {"bb": {"annotations": [{"class_id": 0, "left": 1, "top": 1, "width": 5}]}},
            "bb.annotations[0].height: missing",
        ),
        (
            {
                "bb": {
                    "annotations": [{"class_id": 0, "left": 1, "top": 1, "width": 0, "height": 1}]
                },
                "bb-metadata": {"class-map": {"0": "Bird"}},
            },
            "bb.annotations[0].width: must be above 0",
        ),
        (
            {
                "bb": {
                    "annotations": [{"class_id": 4, "left": 1, "top": 1, "width": 1, "height": 1}]
                },
                "bb-metadata": {"class-map": {"0": "Bird"}},
            },
            "bb.annotations[0].class_id: class 4 has no name in bb-metadata.class-map",
        ),
    ],
)
def test_an_unusable_previous_label_is_refused_naming_its_path(line, message):
    attribute = next(key for key in line if not key.endswith("-metadata"))
    with pytest.raises(BadInput) as error:
        shown(line, attribute)
    assert error.value.message.startswith(message), error.value.message


# -- the output line ------------------------------------------------------------------------


def answers_of(*given: dict[str, Any]) -> list[WorkerAnswer]:
    return [WorkerAnswer(item="x", worker=f"w{n}", answer=a) for n, a in enumerate(given)]


def test_the_output_line_is_ground_truths(host):
    given = [
        {"label": "bad", "comment": "The bounding box on the bird is too wide on the right side."},
        {"label": "good"},
        {"label": "bad", "comment": "The bird on the upper right is not labeled."},
    ]
    cleaned = [VERIFY.validate_answer(answer, VERDICTS) for answer in given]
    algorithm = host.consensus_algorithms.get(VERIFY.default_consensus, "consensus")
    consolidated = algorithm.consolidate(answers_of(*cleaned), VERDICTS).labels["x"]
    value, metadata = labeled_output(
        VERIFY, consolidated, VERDICTS, "verify-bounding-boxes", answers=cleaned
    )
    example = GT_VERIFICATION["verify-bounding-box-attribute-name-metadata"]
    assert value == 1  # the category's index, an int like every classification here
    assert list(metadata) == list(example)  # the same fields, in Ground Truth's order
    assert metadata["class-name"] == "bad"
    assert 0 < metadata["confidence"] <= 0.95
    assert metadata["type"] == "groundtruth/label-verification"
    assert metadata["job-name"] == "labeling-job/verify-bounding-boxes"
    assert metadata["human-annotated"] == "yes"
    assert metadata["worker-feedback"] == example["worker-feedback"]


def test_empty_comments_are_dropped_and_none_gives_an_empty_list():
    feedback = VERIFY.answers_metadata(
        [{"label": "bad", "comment": "a"}, {"label": "bad"}, {"label": "good", "comment": " "}],
        None,
    )
    assert feedback == {"worker-feedback": [{"comment": "a"}]}
    assert VERIFY.answers_metadata([], None) == {"worker-feedback": []}


def test_quorum_consolidate_gathers_every_items_comments(tmp_path, monkeypatch):
    monkeypatch.setenv("QUORUM_DATA_DIR", str(tmp_path))
    answers = answer_lines(
        ("a", 1, {"label": "bad", "comment": "too wide"}),
        ("a", 2, {"label": "bad", "comment": "a bird is missing"}),
        ("b", 1, {"label": "good"}),
    )
    out = io.StringIO()
    consolidate_lines(answers.splitlines(), "label-verification", VERDICTS, None, out)
    a, b = (json.loads(line) for line in out.getvalue().splitlines())
    assert (a["item"], a["label"], a["metadata"]["class-name"]) == ("a", 1, "bad")
    assert a["metadata"]["worker-feedback"] == [
        {"comment": "too wide"},
        {"comment": "a bird is missing"},
    ]
    assert (b["label"], b["metadata"]["worker-feedback"]) == (0, [])
    assert b["metadata"]["type"] == "groundtruth/label-verification"
