"""``quorum consolidate`` refuses a plugin's label of the wrong shape with one error line
naming the item, the plugin and the field."""

from __future__ import annotations

import json

from quorum.cli.main import main

#: A plugin file (``--plugins-dir``) whose algorithm labels every item with a category
#: the job does not have.
PLUGIN = """
from quorum import hookimpl
from quorum.consensus import ConsensusAlgorithm, ConsensusResult, Consolidated
from quorum.label_kinds import LabelKind


class Elsewhere(ConsensusAlgorithm):
    name = "elsewhere"
    label_kinds = (LabelKind.SINGLE_LABEL,)

    def consolidate(self, answers, labels, state=None):
        return ConsensusResult(
            labels={answer.item: Consolidated("bird", 0.5) for answer in answers}
        )


@hookimpl
def quorum_consensus_algorithms():
    return [Elsewhere]
"""


def test_a_wrong_shaped_label_is_one_error_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "elsewhere.py").write_text(PLUGIN)
    answers = tmp_path / "answers.jsonl"
    answers.write_text(json.dumps({"item": "a", "worker": 1, "answer": {"label": "cat"}}))
    monkeypatch.setenv("QUORUM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QUORUM_PLUGINS_DIR", str(tmp_path / "plugins"))
    argv = ["consolidate", "--task-type", "text-classification", "--labels", "cat,dog"]
    status = main([*argv, "--algorithm", "elsewhere", str(answers)])
    captured = capsys.readouterr()
    assert (status, captured.out) == (2, "")
    assert captured.err == (
        "quorum: error: item 'a': consensus algorithm 'elsewhere' (plugin 'elsewhere'): "
        "value: expected one of the job's labels, got 'bird'\n"
    )
