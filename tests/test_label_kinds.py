"""The label kinds' contracts: every built-in uses the enum, and a plugin's label of the
wrong shape is refused naming the plugin and the field."""

from __future__ import annotations

from typing import Any

import pytest

from quorum.consensus import Consolidated
from quorum.errors import PluginError
from quorum.label_kinds import DETAIL_KEYS, LabelKind, check_consolidated, consensus_source
from quorum.plugins import PluginHost

LABELS = ["Bird", "Cat"]
SOURCE = consensus_source("my-algo", "my-plugin")
PNG = b"\x89PNG\r\n\x1a\n" + b"the rest of a mask"

BOXES = {
    "image_size": [{"width": 680, "height": 1024, "depth": 3}],
    "annotations": [{"class_id": 1, "left": 0, "top": 2.5, "width": 10, "height": 20}],
}
SPANS = {
    "annotations": {
        "entities": [{"label": "Cat", "startOffset": 0, "endOffset": 3}],
        "labels": [{"label": "Bird"}, {"label": "Cat"}],
    }
}
COLOR_MAP = {
    "0": {"class-name": "BACKGROUND", "hex-color": "#ffffff", "confidence": 0.5},
    "1": {"class-name": "Bird", "hex-color": "#1f77b4", "confidence": 0.5},
}

#: Per kind, a label that fits it, with every documented detail.
GOOD = {
    LabelKind.SINGLE_LABEL: Consolidated("Cat", 0.9, {"posterior": {"Bird": 0.1, "Cat": 0.9}}),
    LabelKind.MULTI_LABEL: Consolidated(["Bird", "Cat"], 0.5, {"confidence-map": {"Cat": 0.5}}),
    LabelKind.BOXES: Consolidated(BOXES, 0.7, {"objects": [{"confidence": 0.7}]}),
    LabelKind.SPANS: Consolidated(SPANS, 0.7, {"entities": [{"confidence": 0.7}]}),
    LabelKind.MASK: Consolidated(PNG, 0.5, {"internal-color-map": COLOR_MAP}),
    LabelKind.CUSTOM: Consolidated({"anything": ["at", "all"]}, 1.0),
}


def refusal(kind: LabelKind, label: Consolidated) -> str:
    """The message the check gives for ``label``."""
    with pytest.raises(PluginError) as caught:
        check_consolidated(kind, label, LABELS, SOURCE)
    return caught.value.message


def test_every_kind_has_a_good_example_and_its_detail_keys():
    assert set(GOOD) == set(LabelKind) == set(DETAIL_KEYS)


@pytest.mark.parametrize("kind", list(LabelKind))
def test_a_label_of_the_right_shape_passes(kind):
    check_consolidated(kind, GOOD[kind], LABELS, SOURCE)


@pytest.mark.parametrize("kind", list(LabelKind))
def test_documented_details_may_be_left_out(kind):
    check_consolidated(kind, Consolidated(GOOD[kind].value, 0.0), LABELS, SOURCE)


def test_the_value_is_not_checked_for_a_kind_the_core_does_not_know():
    check_consolidated("point-cloud", Consolidated(object(), 0.5), LABELS, SOURCE)


def test_the_message_names_the_plugin_and_the_field():
    wide = {"annotations": [{**BOXES["annotations"][0], "width": "wide"}]}
    assert refusal(LabelKind.BOXES, Consolidated(wide, 0.5)) == (
        "consensus algorithm 'my-algo' (plugin 'my-plugin'): "
        "value.annotations[0].width: expected a number, got 'wide'"
    )


def box(**changes: Any) -> dict[str, Any]:
    """The good boxes value with its annotation changed (``None`` removes a key)."""
    annotation = {**BOXES["annotations"][0], **changes}
    return {"annotations": [{k: v for k, v in annotation.items() if v is not None}]}


def spans(**changes: Any) -> dict[str, Any]:
    """The good spans value with its entity changed."""
    entity = {**SPANS["annotations"]["entities"][0], **changes}
    return {"annotations": {"entities": [entity]}}


@pytest.mark.parametrize(
    ("kind", "value", "details", "field"),
    [
        (LabelKind.SINGLE_LABEL, "Dog", {}, "value: expected one of the job's labels, got 'Dog'"),
        (LabelKind.SINGLE_LABEL, 1, {}, "value: expected one of the job's labels, got 1"),
        (
            LabelKind.SINGLE_LABEL,
            "Cat",
            {"posterior": {"Cat": "high"}},
            "details.posterior.Cat: expected a number, got 'high'",
        ),
        (LabelKind.SINGLE_LABEL, "Cat", {"posterior": [0.9]}, "details.posterior: "),
        (LabelKind.MULTI_LABEL, "Cat", {}, "value: expected a list, got 'Cat'"),
        (LabelKind.MULTI_LABEL, ["Cat", "Dog"], {}, "value[1]: expected one of the job's labels"),
        (LabelKind.MULTI_LABEL, ["Cat", "Cat"], {}, "value[1]: expected a label not listed before"),
        (
            LabelKind.MULTI_LABEL,
            ["Cat"],
            {"confidence-map": {"Cat": None}},
            "details.confidence-map.Cat: expected a number, got None",
        ),
        (LabelKind.BOXES, [], {}, "value: expected a JSON object, got list"),
        (LabelKind.BOXES, {"boxes": []}, {}, "value.annotations: missing"),
        (LabelKind.BOXES, box(class_id=2), {}, "value.annotations[0].class_id: expected an index"),
        (LabelKind.BOXES, box(class_id="1"), {}, "value.annotations[0].class_id: expected a whole"),
        (LabelKind.BOXES, box(top=None), {}, "value.annotations[0].top: missing"),
        (LabelKind.BOXES, box(left=-1), {}, "value.annotations[0].left: expected at least 0"),
        (
            LabelKind.BOXES,
            {**box(), "image_size": {"width": 3}},
            {},
            "value.image_size: expected a list, got dict",
        ),
        (
            LabelKind.BOXES,
            box(),
            {"objects": []},
            "details.objects: expected 1 entries (one per part of the value), got 0",
        ),
        (
            LabelKind.BOXES,
            box(),
            {"objects": [{"score": 1}]},
            "details.objects[0].confidence: missing",
        ),
        (LabelKind.SPANS, {"annotations": []}, {}, "value.annotations: expected a JSON object"),
        (LabelKind.SPANS, {"annotations": {}}, {}, "value.annotations.entities: missing"),
        (LabelKind.SPANS, spans(label="Dog"), {}, "value.annotations.entities[0].label: expected"),
        (
            LabelKind.SPANS,
            spans(endOffset=0),
            {},
            "value.annotations.entities[0].endOffset: expected an offset after startOffset (0)",
        ),
        (
            LabelKind.SPANS,
            spans(),
            {"entities": [{"confidence": 2}]},
            "details.entities[0].confidence: expected a number from 0 to 1, got 2",
        ),
        (LabelKind.MASK, "s3://bucket/mask.png", {}, "value: expected the bytes of a PNG"),
        (LabelKind.MASK, b"GIF89a", {}, "value: expected the bytes of a PNG, got bytes"),
        (
            LabelKind.MASK,
            PNG,
            {"internal-color-map": {"0": {"class-name": "BACKGROUND", "confidence": 1}}},
            "details.internal-color-map.0.hex-color: missing",
        ),
    ],
)
def test_a_wrong_field_is_named(kind, value, details, field):
    message = refusal(kind, Consolidated(value, 0.5, details))
    assert message.startswith(f"{SOURCE}: {field}")


def test_details_of_other_kinds_are_not_read():
    check_consolidated(LabelKind.CUSTOM, Consolidated({}, 0.5, {"posterior": "?"}), [], SOURCE)


@pytest.mark.parametrize("confidence", [1.5, -0.1, float("nan"), "high", True])
def test_the_confidence_is_a_number_from_0_to_1(confidence):
    message = refusal(LabelKind.SINGLE_LABEL, Consolidated("Cat", confidence))
    assert message.startswith(f"{SOURCE}: confidence: expected a number")


def test_every_built_in_names_its_kinds_with_the_enum(quorum_settings):
    host = PluginHost(quorum_settings)
    kinds = [(name, [task_type.label_kind]) for name, task_type in host.task_types.items()] + [
        (name, list(algorithm.label_kinds)) for name, algorithm in host.consensus_algorithms.items()
    ]
    built_in = {
        name
        for name, plugin in [*host.task_types.items(), *host.consensus_algorithms.items()]
        if type(plugin).__module__.startswith("quorum_plugins.")
    }
    assert len(built_in) > 10
    for name, given in kinds:
        if name in built_in:
            assert given and all(type(kind) is LabelKind for kind in given), name
