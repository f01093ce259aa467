"""``span-cluster``: entities clustered across workers, mode boundaries, voted labels."""

from __future__ import annotations

import json

import pytest

from quorum.consensus import WorkerAnswer
from quorum.plugins import PluginHost
from quorum.settings import Settings
from quorum_plugins.consensus._geometry import interval_jaccard
from quorum_plugins.consensus.span_cluster import SpanCluster

LABELS = ["PERSON", "ORG", "LOC"]


def span(label: str, start: int, end: int) -> dict:
    return {"label": label, "startOffset": start, "endOffset": end}


def consolidate(*answers: list[dict], item: object = "doc", labels=LABELS):
    """Consolidate one item on which worker ``w<i>`` marked the entities ``answers[i]``."""
    given = [
        WorkerAnswer(item=item, worker=f"w{index}", answer={"entities": entities})
        for index, entities in enumerate(answers)
    ]
    return SpanCluster().consolidate(given, labels)


def entities(result, item: object = "doc") -> list[tuple[str, int, int, float]]:
    """``(label, start, end, confidence)`` of each consolidated entity."""
    label = result.labels[item]
    return [
        (entity["label"], entity["startOffset"], entity["endOffset"], meta["confidence"])
        for entity, meta in zip(
            label.value["annotations"]["entities"], label.details["entities"], strict=True
        )
    ]


def test_is_registered_through_its_entry_point(tmp_path):
    host = PluginHost(Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path)}))
    algorithm = host.consensus_algorithms.get("span-cluster", "consensus")
    assert isinstance(algorithm, SpanCluster)
    assert algorithm.label_kinds == ("spans",)
    assert "builtin_span_cluster" in host.plugin_names


def test_jaccard_of_two_ranges():
    assert interval_jaccard((0, 10), (0, 10)) == 1.0
    assert interval_jaccard((0, 10), (5, 20)) == 0.25
    assert interval_jaccard((0, 5), (5, 10)) == 0.0  # end is exclusive
    assert interval_jaccard((3, 3), (3, 3)) == 0.0


def test_the_output_matches_ground_truths_example_line():
    # GROUNDTRUTH.md 2.3, from ner_text_span_output.manifest
    # ("Diego Ramirez is an engineer in the high tech industry.").
    example = json.loads(
        '{"NamedEntityRecognitionDemo":{"annotations":{"entities":[{"endOffset":13,'
        '"startOffset":0,"label":"ENGINEER"}],"labels":[{"label":"ENGINEER"}]}},'
        '"NamedEntityRecognitionDemo-metadata":{"entities":[{"confidence":0.92}]}}'
    )
    diego = span("ENGINEER", 0, 13)
    result = consolidate([diego], [diego], [span("ENGINEER", 0, 5)], labels=["ENGINEER"])
    label = result.labels["doc"]
    assert label.value == example["NamedEntityRecognitionDemo"]
    assert label.details == {"entities": [{"confidence": 0.67}]}  # 2 of 3 agree on 0..13
    assert set(label.details) == set(example["NamedEntityRecognitionDemo-metadata"])


def test_boundaries_are_the_mode():
    result = consolidate([span("PERSON", 0, 13)], [span("PERSON", 0, 13)], [span("PERSON", 1, 12)])
    assert entities(result) == [("PERSON", 0, 13, 1.0)]


def test_boundaries_are_the_lower_median_without_a_single_mode():
    no_mode = consolidate([span("ORG", 0, 10)], [span("ORG", 1, 11)], [span("ORG", 2, 12)])
    assert entities(no_mode) == [("ORG", 1, 11, 1.0)]
    two_modes = consolidate(
        [span("ORG", 0, 10)], [span("ORG", 0, 10)], [span("ORG", 2, 12)], [span("ORG", 2, 12)]
    )
    assert entities(two_modes) == [("ORG", 0, 10, 1.0)]


def test_the_label_is_the_most_given_one():
    result = consolidate([span("LOC", 5, 11)], [span("ORG", 5, 11)], [span("LOC", 5, 11)])
    assert entities(result) == [("LOC", 5, 11, 0.67)]  # 3/3 in the cluster * 2/3 on LOC
    assert result.workers["w1"].agreement == 0.0  # its span carries the wrong label
    assert result.workers["w0"].agreement == 1.0


def test_a_label_tie_goes_to_the_first_label_of_the_job():
    result = consolidate([span("ORG", 0, 5)], [span("PERSON", 0, 5)])
    assert entities(result) == [("PERSON", 0, 5, 0.5)]
    reversed_answers = consolidate([span("PERSON", 0, 5)], [span("ORG", 0, 5)])
    assert entities(reversed_answers) == [("PERSON", 0, 5, 0.5)]


def test_a_cluster_needs_half_of_the_workers():
    half = consolidate([span("LOC", 0, 5)], [span("LOC", 0, 5)], [], [])
    assert entities(half) == [("LOC", 0, 5, 0.5)]
    third = consolidate([span("LOC", 0, 5)], [], [])
    assert entities(third) == []


def test_overlapping_entities_keep_the_more_confident():
    person, org = span("PERSON", 0, 10), span("ORG", 5, 20)  # Jaccard 0.25: two clusters
    result = consolidate([person, org], [person, org], [org])
    assert entities(result) == [("ORG", 5, 20, 1.0)]  # PERSON (0.67) overlaps it
    result = consolidate([person, org], [person, org], [person])
    assert entities(result) == [("PERSON", 0, 10, 1.0)]


def test_adjacent_entities_do_not_overlap():
    both = [span("PERSON", 0, 5), span("ORG", 5, 10)]
    result = consolidate(both, both)
    assert entities(result) == [("PERSON", 0, 5, 1.0), ("ORG", 5, 10, 1.0)]


def test_a_worker_contributes_one_span_per_cluster():
    result = consolidate([span("PERSON", 0, 10), span("PERSON", 0, 9)], [span("PERSON", 0, 10)], [])
    assert entities(result) == [("PERSON", 0, 10, 0.67)]


def test_a_spammer_is_outvoted_and_scores_zero():
    diego = span("PERSON", 0, 13)
    spam = [span("LOC", 20, 30), span("ORG", 40, 45)]
    result = consolidate([diego], [diego], [diego], spam)
    assert entities(result) == [("PERSON", 0, 13, 0.75)]
    assert [result.workers[f"w{i}"].agreement for i in range(4)] == [1.0, 1.0, 1.0, 0.0]


def test_a_sparse_worker_lowers_confidence_and_agreement():
    both = [span("PERSON", 0, 5), span("LOC", 10, 15)]
    result = consolidate(both, both, [span("LOC", 10, 15)])
    assert entities(result) == [("PERSON", 0, 5, 0.67), ("LOC", 10, 15, 1.0)]
    assert result.labels["doc"].confidence == 0.83  # (0.67 + 1.0) / 2, rounded
    assert result.workers["w2"].agreement == pytest.approx(2 / 3)  # F1: 1 of its 1, 1 of 2


def test_no_entities_give_an_empty_label():
    result = consolidate([], [], [])
    label = result.labels["doc"]
    assert label.value == {
        "annotations": {"entities": [], "labels": [{"label": name} for name in LABELS]}
    }
    assert (label.details, label.confidence) == ({"entities": []}, 0.0)
    assert {quality.agreement for quality in result.workers.values()} == {1.0}


def test_a_single_worker_keeps_its_entities_at_zero_confidence():
    result = consolidate([span("PERSON", 0, 5), span("LOC", 10, 15)])
    assert entities(result) == [("PERSON", 0, 5, 0.0), ("LOC", 10, 15, 0.0)]
    assert result.labels["doc"].confidence == 0.0


def test_several_items_in_one_call():
    given = [
        WorkerAnswer(item=1, worker="ann", answer={"entities": [span("ORG", 0, 4)]}),
        WorkerAnswer(item=2, worker="ann", answer={"entities": []}),
        WorkerAnswer(item=1, worker="bob", answer={"entities": [span("ORG", 0, 4)]}),
        WorkerAnswer(item=2, worker="bob", answer={"entities": [span("LOC", 3, 9)]}),
    ]
    result = SpanCluster().consolidate(given, LABELS)
    assert entities(result, 1) == [("ORG", 0, 4, 1.0)]
    assert entities(result, 2) == [("LOC", 3, 9, 0.5)]  # 1 of 2 workers is half
    assert result.workers["ann"].answers == 2
    assert result.workers["ann"].agreement == 0.5
    assert result.workers["bob"].agreement == 1.0
