"""dawid-skene and dawid-skene-gt on small hand-checked cases."""

from __future__ import annotations

import json
import random
import tracemalloc

import pytest

from quorum.consensus import WorkerAnswer
from quorum_plugins.consensus.dawid_skene import DawidSkene, GroundTruthDawidSkene

LABELS = ["cat", "dog", "bird"]


def answer(item: object, worker: object, label: str) -> WorkerAnswer:
    return WorkerAnswer(item=item, worker=worker, answer={"label": label})


def simulated(
    items: int, accuracies: dict[str, float], seed: int = 7, labels: list[str] = LABELS
) -> tuple[list[WorkerAnswer], dict[int, str]]:
    """Every worker answers every item, right with their accuracy, else a random other label."""
    rng = random.Random(seed)
    truth = {item: rng.choice(labels) for item in range(items)}
    answers = []
    for item, true in truth.items():
        for worker, accuracy in accuracies.items():
            wrong = [label for label in labels if label != true]
            said = true if rng.random() < accuracy else rng.choice(wrong)
            answers.append(answer(item, worker, said))
    return answers, truth


def accuracy(result, truth) -> float:
    return sum(result.labels[item].value == label for item, label in truth.items()) / len(truth)


@pytest.mark.parametrize("algorithm", [DawidSkene(), GroundTruthDawidSkene()])
def test_unanimous_items_get_their_label_at_the_capped_confidence(algorithm):
    answers = [answer(item, w, LABELS[item % 3]) for item in range(12) for w in range(3)]
    result = algorithm.consolidate(answers, LABELS)
    assert [result.labels[item].value for item in range(12)] == LABELS * 4
    assert result.labels[0].confidence == algorithm.confidence_cap  # 0.99; Ground Truth 0.95
    assert set(result.labels[0].details["posterior"]) == set(LABELS)


@pytest.mark.parametrize("algorithm", [DawidSkene(), GroundTruthDawidSkene()])
def test_a_single_answer_has_confidence_zero(algorithm):
    result = algorithm.consolidate([answer("a", 1, "bird")], LABELS)
    assert result.labels["a"].value == "bird"
    assert result.labels["a"].confidence == 0.0


def test_a_tie_between_equal_workers_goes_to_the_earlier_label_at_lower_confidence():
    result = DawidSkene().consolidate([answer("a", 1, "dog"), answer("a", 2, "cat")], LABELS)
    assert result.labels["a"].value == "cat"  # first in the job's labels
    assert result.labels["a"].confidence <= 0.5


def test_spammers_are_flagged_and_outweighed():
    # Three good workers answer every item; five spammers answer at random. Majority vote
    # goes wrong wherever the spammers happen to agree; Dawid-Skene learns to ignore them.
    from quorum_plugins.consensus.majority_vote import MajorityVote

    rng = random.Random(3)
    truth = {item: rng.choice(LABELS) for item in range(150)}
    answers = []
    for item, true in truth.items():
        answers += [answer(item, f"good{w}", true) for w in range(3)]
        answers += [answer(item, f"spam{w}", rng.choice(LABELS)) for w in range(5)]
    result = DawidSkene().consolidate(answers, LABELS)
    assert accuracy(result, truth) == 1.0
    assert accuracy(MajorityVote().consolidate(answers, LABELS), truth) < 1.0
    assert all(result.workers[f"spam{w}"].spammer for w in range(5))
    assert not any(result.workers[f"good{w}"].spammer for w in range(3))
    assert result.workers["good0"].accuracy > 0.9
    assert result.workers["spam0"].accuracy < 0.5


def test_it_beats_majority_vote_when_worker_quality_differs():
    answers, truth = simulated(300, {"a": 0.9, "b": 0.85, "c": 0.4, "d": 0.4, "e": 0.4})
    from quorum_plugins.consensus.majority_vote import MajorityVote

    ours = accuracy(DawidSkene().consolidate(answers, LABELS), truth)
    votes = accuracy(MajorityVote().consolidate(answers, LABELS), truth)
    assert ours > votes + 0.05
    assert ours > 0.85


def test_a_sparse_worker_is_not_a_veto():
    # Worker "new" gave one answer, against two good workers; a second item has "new"
    # agreeing with the good ones. Their answer must not flip either item.
    answers, truth = simulated(60, {"a": 0.95, "b": 0.95, "c": 0.95})
    answers += [answer(0, "new", next(label for label in LABELS if label != truth[0]))]
    result = DawidSkene().consolidate(answers, LABELS)
    assert result.labels[0].value == truth[0]
    assert result.labels[0].confidence >= 0.9
    assert not result.workers["new"].spammer  # one answer says nothing


def test_no_label_switching_with_mediocre_workers():
    # Two labels, workers right 70% of the time: EM must not swap the classes (majority
    # vote of five such workers is right about 84% of the time; so must this be).
    answers, truth = simulated(200, {f"w{i}": 0.7 for i in range(5)}, labels=["no", "yes"])
    result = DawidSkene().consolidate(answers, ["no", "yes"])
    assert accuracy(result, truth) > 0.78
    for quality in result.workers.values():
        assert quality.confusion[0][0] > 0.5 and quality.confusion[1][1] > 0.5


def test_the_state_carries_workers_into_the_next_batch():
    answers, _truth = simulated(200, {"a": 0.95, "b": 0.95, "c": 0.3})
    first = DawidSkene().consolidate(answers, LABELS)
    state = json.loads(json.dumps(first.state))  # the core stores it as JSON
    assert set(state["workers"]) == {"a", "b", "c"}
    # Next batch: one item, "c" disagrees with "a". What the first batch learned says "a"
    # is right; without it, the two answers would tie.
    later = [answer("x", "a", "dog"), answer("x", "c", "cat")]
    informed = DawidSkene().consolidate(later, LABELS, state)
    blind = DawidSkene().consolidate(later, LABELS)
    assert informed.labels["x"].value == "dog"
    assert informed.labels["x"].confidence > blind.labels["x"].confidence
    assert set(informed.state["workers"]) == {"a", "b", "c"}


def test_a_state_made_with_other_labels_is_ignored():
    state = {"version": 1, "labels": ["x", "y"], "workers": {"a": [[5, 0], [0, 5]]}}
    result = DawidSkene().consolidate([answer("i", "a", "dog")], LABELS, state)
    assert result.state["labels"] == LABELS
    assert set(result.state["workers"]) == {"a"}


def test_ground_truths_variant_smooths_toward_a_one_coin_model():
    answers, _ = simulated(100, {"a": 0.9, "b": 0.6, "c": 0.6})
    plain = DawidSkene().consolidate(answers, LABELS).workers["b"].confusion
    smoothed = GroundTruthDawidSkene().consolidate(answers, LABELS).workers["b"].confusion
    # Off-diagonal cells are pulled together: their spread shrinks.
    spread = lambda matrix: max(matrix[0][1:]) - min(matrix[0][1:])  # noqa: E731
    assert spread(smoothed) <= spread(plain) + 1e-9


def test_nothing_in_gives_nothing_out():
    result = DawidSkene().consolidate([], LABELS)
    assert result.labels == {}


def test_a_tiny_first_batch_is_not_overconfident():
    answers = [
        answer("a", 1, "cat"),
        answer("a", 2, "cat"),
        answer("a", 3, "dog"),
        answer("b", 1, "dog"),
        answer("b", 2, "cat"),
    ]
    result = DawidSkene().consolidate(answers, ["cat", "dog"])
    assert result.labels["a"].value == "cat"
    assert 0.55 <= result.labels["a"].confidence <= 0.8
    assert result.labels["b"].value == "cat"  # a 1:1 tie goes to the first label ...
    assert result.labels["b"].confidence <= 0.55  # ... and says so


@pytest.mark.parametrize("algorithm", [DawidSkene(), GroundTruthDawidSkene()])
def test_one_worker_per_item_keeps_their_answers_over_many_batches(algorithm):
    # Batches of single answers whose classes are lopsided (as auto-labeling's uncertain
    # batches are): the label is the answer, and the worker's carried estimate does not
    # drift (it once went flat and turned rare answers into the commonest class).
    rng = random.Random(1)
    state = None
    for batch in range(6):
        weights = [rng.random() ** 4 for _ in LABELS]
        given = {f"{batch}-{n}": rng.choices(LABELS, weights)[0] for n in range(40)}
        result = algorithm.consolidate(
            [answer(item, "solo", label) for item, label in given.items()], LABELS, state
        )
        state = result.state
        assert {item: result.labels[item].value for item in given} == given
        assert {result.labels[item].confidence for item in given} == {0.0}


def test_a_small_digits_job_two_agreeing_workers_is_confident_and_rates_them_well():
    # The first hour's defect: 6 items, labels "0".."9", two workers who agree and are
    # right read 15-25 % confidence and 14.7 % accuracy. Two agreeing answers out of ten
    # labels are almost never a coincidence; a worker starts at 0.7 (Ground Truth).
    digits = [str(digit) for digit in range(10)]
    answers = [answer(item, worker, digits[item]) for item in range(6) for worker in "ab"]
    result = DawidSkene().consolidate(answers, digits)
    assert [result.labels[item].value for item in range(6)] == digits[:6]
    assert all(result.labels[item].confidence >= 0.9 for item in range(6))
    for quality in result.workers.values():
        assert quality.accuracy is not None and 0.7 <= quality.accuracy <= 0.95


def test_the_small_job_model_gives_the_same_result_for_the_same_answers():
    answers, _ = simulated(8, {"a": 0.8, "b": 0.6, "c": 0.9})
    first = DawidSkene().consolidate(answers, LABELS)
    second = DawidSkene().consolidate(answers, LABELS)
    assert {item: (label.value, label.confidence) for item, label in first.labels.items()} == {
        item: (label.value, label.confidence) for item, label in second.labels.items()
    }


def test_many_labels_cost_memory_in_the_answers_not_the_cube_of_the_labels():
    # 600 labels and one answer took 3.4 GB and 11 s (a K x K x K array per worker).
    labels = [f"label-{n}" for n in range(1_000)]
    answers = [WorkerAnswer(item=1, worker=1, answer={"label": labels[3]})]
    tracemalloc.start()
    try:
        result = DawidSkene().consolidate(answers, labels, None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.labels[1].value == labels[3]
    assert peak < 200 * 2**20, f"{peak / 2**20:.0f} MiB"


@pytest.mark.parametrize("algorithm", [DawidSkene(), GroundTruthDawidSkene()])
def test_a_thousand_label_job_keeps_two_numbers_per_worker_not_a_matrix(algorithm):
    # 1,000 labels, 30 workers, 3 per item: a 1,000 x 1,000 matrix per worker was 150 MB
    # of state, 8 MB of confusion per worker and 6.9 GB of memory for 2,000 items.
    labels = [f"label-{n}" for n in range(1_000)]
    rng = random.Random(5)
    truth = {item: rng.choice(labels) for item in range(150)}
    answers = []
    for item, true in truth.items():
        for worker in rng.sample(range(30), 3):
            said = true if rng.random() < 0.9 else rng.choice(labels)
            answers.append(answer(item, worker, said))
        answers.append(answer(item, "spam", rng.choice(labels)))
    first = algorithm.consolidate(answers[:300], labels)
    state = json.loads(json.dumps(first.state))  # the core stores it as JSON
    result = algorithm.consolidate(answers[300:], labels, state)
    assert len(json.dumps(first.state)) < 30_000  # the label list and 2 numbers a worker
    assert len(json.dumps(result.state)) < 30_000
    assert all(quality.confusion is None for quality in result.workers.values())
    later = {item: label for item, label in truth.items() if item >= 75}
    assert accuracy(result, later) > 0.9
    assert result.workers["spam"].spammer
    assert not any(result.workers[worker].spammer for worker in range(30))
    assert result.workers[0].accuracy > 0.8
