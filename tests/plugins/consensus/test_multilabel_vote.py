"""``multi-label-vote``: the union of the workers' categories, scored per category."""

from __future__ import annotations

import json

import pytest

from quorum.consensus import WorkerAnswer
from quorum.plugins import PluginHost
from quorum.settings import Settings
from quorum_plugins.consensus.multilabel_vote import MultiLabelVote

LABELS = ["person", "bicycle", "car", "dog"]


def vote(*choices: list[str], item: object = "img", labels=LABELS):
    """Consolidate one item on which worker ``w<i>`` chose ``choices[i]``."""
    answers = [
        WorkerAnswer(item=item, worker=f"w{index}", answer={"labels": chosen})
        for index, chosen in enumerate(choices)
    ]
    return MultiLabelVote().consolidate(answers, labels)


def test_is_registered_through_its_entry_point(tmp_path):
    host = PluginHost(Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path)}))
    algorithm = host.consensus_algorithms.get("multi-label-vote", "consensus")
    assert isinstance(algorithm, MultiLabelVote)
    assert algorithm.label_kinds == ("multi-label",)
    assert "builtin_multilabel_vote" in host.plugin_names


def test_every_category_chosen_once_is_kept_in_label_order():
    result = vote(["bicycle", "person"], ["person"], ["person", "car"])
    label = result.labels["img"]
    assert label.value == ["person", "bicycle", "car"]
    assert label.details == {"confidence-map": {"person": 1.0, "bicycle": 0.33, "car": 0.33}}
    assert label.confidence == 0.55  # (1 + 0.33 + 0.33) / 3


def test_the_shape_matches_ground_truths_example_line():
    # GROUNDTRUTH.md 2.3: "image-label-attribute-name":[1,0,8] with a confidence per class.
    example = json.loads(
        '{"image-label-attribute-name":[1,0,8],"image-label-attribute-name-metadata":'
        '{"class-map":{"1":"bicycle","0":"person","8":"clothing"},'
        '"confidence-map":{"1":0.95,"0":0.77,"8":0.2}}}'
    )
    labels = ["person", "bicycle", "a", "b", "c", "d", "e", "f", "clothing"]
    result = vote(["bicycle", "person"], ["person", "clothing"], ["bicycle"], labels=labels)
    label = result.labels["img"]
    class_ids = [labels.index(name) for name in label.value]
    assert sorted(class_ids) == sorted(example["image-label-attribute-name"])
    metadata = example["image-label-attribute-name-metadata"]
    assert {str(labels.index(name)) for name in label.details["confidence-map"]} == set(
        metadata["confidence-map"]
    )
    assert {labels[int(key)] for key in metadata["class-map"]} == set(label.value)


def test_an_even_split_keeps_both_at_half_confidence():
    label = vote(["person"], ["dog"]).labels["img"]
    assert label.value == ["person", "dog"]
    assert label.details["confidence-map"] == {"person": 0.5, "dog": 0.5}
    assert label.confidence == 0.5


def test_a_single_worker_gives_zero_for_every_category():
    result = vote(["dog", "car"])
    label = result.labels["img"]
    assert label.value == ["car", "dog"]
    assert label.details["confidence-map"] == {"car": 0.0, "dog": 0.0}
    assert label.confidence == 0.0
    assert result.workers["w0"].agreement == 1.0


def test_a_spammer_scores_low_agreement():
    result = vote(["dog"], ["dog"], ["dog"], ["person", "bicycle", "car"])
    label = result.labels["img"]
    assert label.value == LABELS  # the union keeps the spammer's categories...
    assert label.details["confidence-map"] == {
        "person": 0.25,
        "bicycle": 0.25,
        "car": 0.25,
        "dog": 0.75,
    }  # ...at low confidence
    # Honest workers share each decision with 3 of 4 workers; the spammer with 1 of 4.
    assert [result.workers[f"w{i}"].agreement for i in range(4)] == [0.75, 0.75, 0.75, 0.25]


def test_a_sparse_worker_lowers_confidence_and_agreement():
    result = vote(["dog", "car"], ["dog", "car"], [])
    label = result.labels["img"]
    assert label.value == ["car", "dog"]
    assert label.details["confidence-map"] == {"car": 0.67, "dog": 0.67}
    assert result.workers["w2"].agreement == pytest.approx(1 / 3)
    assert result.workers["w0"].agreement == pytest.approx(2 / 3)


def test_nothing_chosen_by_anyone_is_an_empty_label_with_zero_confidence():
    result = vote([], [], [])
    label = result.labels["img"]
    assert (label.value, label.details, label.confidence) == ([], {"confidence-map": {}}, 0.0)
    assert {quality.agreement for quality in result.workers.values()} == {1.0}


def test_several_items_in_one_call():
    answers = [
        WorkerAnswer(item=1, worker="ann", answer={"labels": ["dog"]}),
        WorkerAnswer(item=2, worker="ann", answer={"labels": ["car"]}),
        WorkerAnswer(item=1, worker="bob", answer={"labels": ["dog"]}),
        WorkerAnswer(item=2, worker="bob", answer={"labels": ["person"]}),
    ]
    result = MultiLabelVote().consolidate(answers, LABELS)
    assert result.labels[1].value == ["dog"]
    assert result.labels[1].confidence == 1.0
    assert result.labels[2].value == ["person", "car"]
    assert result.labels[2].details["confidence-map"] == {"person": 0.5, "car": 0.5}
    assert result.workers["ann"].answers == 2
    assert result.workers["ann"].agreement == 0.75  # (1 + 0.5) / 2
