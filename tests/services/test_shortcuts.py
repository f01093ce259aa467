"""The key map of a job's labels (quorum.services.shortcuts): a label that is a key gets
that key, the others the keys 1-9 left over; a job's own keys win; clashes are refused."""

from __future__ import annotations

import pytest

from quorum.errors import BadInput
from quorum.services.shortcuts import (
    DEFAULT_SHORTCUTS,
    check_shortcuts,
    effective_shortcuts,
)

DIGITS = [str(digit) for digit in range(10)]


def keys(labels: list[str], chosen: dict[str, object] | None = None) -> list[str | None]:
    """The label keys Job.shortcuts gives a job with ``labels`` and ``chosen`` bindings."""
    return effective_shortcuts(check_shortcuts(chosen, labels), labels)["labels"]


def test_words_get_1_to_9_in_label_order():
    assert keys(["cat", "dog", "bird"]) == ["1", "2", "3"]


def test_digit_labels_get_their_own_keys():
    assert keys(DIGITS) == DIGITS
    assert keys(["3", "1", "2"]) == ["3", "1", "2"]


def test_other_labels_get_the_keys_left_over_in_order():
    assert keys(["cat", "1", "dog"]) == ["2", "1", "3"]
    assert keys(["yes", "no", "a", "b"]) == ["1", "2", "a", "b"]


def test_a_letter_label_gets_its_letter_unless_an_action_holds_it():
    # z undoes and i shows the instructions: those labels take default keys instead
    assert keys(["x", "y", "z", "i"]) == ["x", "y", "1", "2"]
    assert keys(["z"], {"undo": "u"}) == ["z"]  # undo moved off z: the label takes it


def test_default_keys_bound_to_actions_are_skipped():
    assert keys(["cat", "dog"], {"submit": "1"}) == ["2", "3"]


def test_labels_past_the_nine_keys_get_none():
    words = [f"class {n}" for n in range(11)]
    assert keys(words) == [*DEFAULT_SHORTCUTS["labels"], None, None]
    assert keys([*DIGITS, "ten"]) == [*DIGITS, None]  # every digit is a label's own


def test_a_jobs_own_label_keys_win():
    assert keys(DIGITS, {"labels": ["a", "s", "d"]}) == ["a", "s", "d"]


def test_the_actions_keep_their_defaults_beside_the_label_keys():
    shortcuts = effective_shortcuts(None, DIGITS)
    assert {name: key for name, key in shortcuts.items() if name != "labels"} == {
        name: key for name, key in DEFAULT_SHORTCUTS.items() if name != "labels"
    }


def test_a_jobs_own_label_key_may_not_clash_with_an_action():
    with pytest.raises(BadInput, match=r"shortcuts.submit: '1' already does shortcuts.labels\[0\]"):
        check_shortcuts({"labels": ["1", "2"], "submit": "1"}, ["cat", "dog"])
