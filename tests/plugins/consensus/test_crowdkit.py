"""The crowd-kit consensus plugin: registered only with crowd-kit, and labels like crowd-kit."""

from __future__ import annotations

import importlib.util
import logging
import sys

import pytest

import quorum_plugins.consensus.crowdkit as crowdkit_plugin
from quorum.consensus import WorkerAnswer
from quorum.errors import PluginError
from quorum.plugins import PluginHost
from quorum.settings import Settings
from quorum_plugins.consensus.crowdkit import ALGORITHMS, CrowdKitMajorityVote

NAMES = {algorithm.name for algorithm in ALGORITHMS}
LABELS = ["a", "b", "c"]


def crowdkit_names(settings: Settings) -> set[str]:
    host = PluginHost(settings)
    return {name for name in host.consensus_algorithms if name.startswith("crowdkit-")}


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path)})


@pytest.fixture
def without_crowdkit(monkeypatch):
    """crowd-kit made unimportable, as when the extra is not installed."""
    monkeypatch.setitem(sys.modules, "crowdkit", None)
    monkeypatch.setitem(sys.modules, "crowdkit.aggregation", None)


def batch() -> list[WorkerAnswer]:
    """30 items with ids of mixed types; two workers give the true label, a third slips on
    every fifth item, and a fourth always gives the label after the true one."""
    answers = []
    for number in range(30):
        item = number if number % 2 else f"item-{number}"
        truth, after, before = (LABELS[(number + shift) % 3] for shift in range(3))
        given = {"good-1": truth, "good-2": truth, "sloppy": before if number % 5 == 0 else truth}
        given[("bad", 4)] = after
        answers += [WorkerAnswer(item, worker, {"label": label}) for worker, label in given.items()]
    return answers


def test_the_plugin_registers_its_algorithms_exactly_when_crowdkit_is_installed(settings):
    installed = importlib.util.find_spec("crowdkit") is not None
    assert crowdkit_names(settings) == (NAMES if installed else set())


def test_without_crowdkit_it_registers_nothing_and_says_so(settings, without_crowdkit, caplog):
    with caplog.at_level(logging.INFO, logger="quorum.plugins.crowdkit"):
        assert crowdkit_names(settings) == set()
    assert "crowd-kit is not installed" in caplog.text
    assert "quorum-labeling[crowdkit]" in caplog.text


def test_a_broken_crowdkit_fails_its_consolidation_not_the_startup(settings, monkeypatch, tmp_path):
    (tmp_path / "broken_aggregation.py").write_text("raise ImportError('numpy is too new')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(crowdkit_plugin, "AGGREGATION", "broken_aggregation")
    assert crowdkit_names(settings) == NAMES  # found, not imported, at startup
    with pytest.raises(PluginError, match=r"does not import \(numpy is too new\)"):
        CrowdKitMajorityVote().consolidate(batch(), LABELS)


def test_no_answers_need_no_crowdkit(without_crowdkit):
    result = CrowdKitMajorityVote().consolidate([], LABELS)
    assert result.labels == {}
    assert result.workers == {}


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda algorithm: algorithm.name)
def test_every_aggregator_labels_every_item_and_estimates_every_worker(algorithm):
    # Wawa and ZeroBasedSkill only run on scikit-learn >= 1.6 thanks to the tags shim.
    pytest.importorskip("crowdkit")
    answers = batch()
    result = algorithm().consolidate(answers, LABELS)
    truth = {answer.item: answer.answer["label"] for answer in answers if answer.worker == "good-1"}
    assert {item: label.value for item, label in result.labels.items()} == truth
    assert all(0 <= label.confidence <= 1 for label in result.labels.values())
    assert set(result.workers) == {"good-1", "good-2", "sloppy", ("bad", 4)}
    assert result.workers["good-1"].answers == 30
    assert result.workers["sloppy"].agreement == pytest.approx(24 / 30)
    assert result.workers[("bad", 4)].agreement == 0
    assert result.state is None
    good, bad = result.workers["good-1"].accuracy, result.workers[("bad", 4)].accuracy
    if algorithm.name in {"crowdkit-glad", "crowdkit-mace"}:  # no accuracy among their estimates
        assert good is bad is None
    else:
        assert good is not None and bad is not None
        assert good > 0.9 > 0.1 > bad


def test_confidence_is_the_posterior_of_the_chosen_label():
    pytest.importorskip("crowdkit")
    answers = [
        WorkerAnswer("x", "w1", {"label": "a"}),
        WorkerAnswer("x", "w2", {"label": "a"}),
        WorkerAnswer("x", "w3", {"label": "b"}),
    ]
    (label,) = CrowdKitMajorityVote().consolidate(answers, LABELS).labels.values()
    assert label.value == "a"
    assert label.confidence == 0.67
    assert label.details == {"votes": {"a": 2, "b": 1}}
