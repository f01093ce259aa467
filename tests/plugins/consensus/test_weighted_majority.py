"""weighted-majority on small hand-checked cases."""

from __future__ import annotations

import json
import random

from quorum.consensus import WorkerAnswer
from quorum_plugins.consensus.majority_vote import MajorityVote
from quorum_plugins.consensus.weighted_majority import WeightedMajority

LABELS = ["cat", "dog", "bird"]


def answer(item: object, worker: object, label: str) -> WorkerAnswer:
    return WorkerAnswer(item=item, worker=worker, answer={"label": label})


def test_good_workers_outweigh_more_numerous_random_ones():
    rng = random.Random(5)
    truth = {item: rng.choice(LABELS) for item in range(200)}
    answers = []
    for item, true in truth.items():
        answers += [answer(item, f"good{w}", true) for w in range(2)]
        answers += [answer(item, f"spam{w}", rng.choice(LABELS)) for w in range(3)]
    result = WeightedMajority().consolidate(answers, LABELS)
    ours = sum(result.labels[i].value == t for i, t in truth.items()) / len(truth)
    votes = MajorityVote().consolidate(answers, LABELS)
    theirs = sum(votes.labels[i].value == t for i, t in truth.items()) / len(truth)
    assert ours == 1.0 and theirs < 0.95
    assert result.workers["good0"].accuracy > 0.9
    assert result.workers["spam0"].accuracy < 0.5


def test_a_lone_answer_has_confidence_zero_and_a_tie_goes_to_the_first_label():
    result = WeightedMajority().consolidate(
        [answer("a", 1, "dog"), answer("b", 3, "bird"), answer("b", 2, "cat")], LABELS
    )
    assert (result.labels["a"].value, result.labels["a"].confidence) == ("dog", 0.0)
    assert result.labels["b"].value == "cat"  # a tie: the first label, and no surer than
    posterior = result.labels["b"].details["posterior"]
    assert posterior["cat"] == posterior["bird"] > posterior["dog"]


def test_agreement_carries_over_in_the_state():
    first = WeightedMajority().consolidate(
        [answer(i, w, "cat") for i in range(20) for w in ("a", "b")]
        + [answer(i, "c", "dog") for i in range(20)],
        LABELS,
    )
    state = json.loads(json.dumps(first.state))
    assert state["workers"]["a"] == [20.0, 20.0] and state["workers"]["c"] == [0.0, 20.0]
    # "a" against "c" on a new item: what was learned decides it.
    later = WeightedMajority().consolidate(
        [answer("x", "c", "dog"), answer("x", "a", "bird")], LABELS, state
    )
    assert later.labels["x"].value == "bird"
    assert later.labels["x"].confidence > 0.8
