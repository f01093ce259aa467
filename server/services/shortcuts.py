"""A job's keyboard shortcuts in the worker portal: defaults, and what a job may change.

``createJob(input: {shortcuts})`` takes a JSON object of the actions to rebind; the rest
keep their defaults (``DEFAULT_SHORTCUTS``). ``Job.shortcuts`` gives the effective map
(:func:`effective_shortcuts`), which the portal follows (web/shared/keymap.js): the key caps
beside the choices, the keys that pick them and the ``?`` list all come from it, so the
map is computed here only:

- ``labels``: one key per label category, in the job's label order (``null``: no key).
  Unless the job lists its own, a label that is itself a single key (a digit or a letter:
  labels ``0``..``9`` get keys ``0``..``9``, a label ``y`` gets ``y``) gets that key, unless
  an action holds it (a label ``z`` does not take undo's key); the other labels get the keys
  ``1``..``9`` left over, in order (:func:`label_keys`). Labels ``cat``, ``1``, ``dog`` get
  ``2``, ``1``, ``3``; a tenth label past the nine keys gets none;
- ``submit`` (``Enter``), ``skip`` (none), ``release`` (none), ``undo`` (``z``), ``help``
  (``?``), ``instructions`` (``i``), ``nextLabel`` (``Tab``), ``previousLabel``
  (``Shift+Tab``).

A key is one printable character (``a``, ``7``, ``?``; letters are matched without regard
to case) or a named key (``Enter``, ``Escape``, ``Tab``, ``Space``, ``Backspace``,
``Delete``, the arrows, ``F1``-``F12``), optionally after ``Ctrl+``, ``Alt+`` and
``Shift+`` (in that order, each once). ``null`` unbinds an action. One key may not do two
things (``a`` and ``Shift+a`` count as one, as the portal matches them), and ``?`` always
opens the list of shortcuts.
"""

from __future__ import annotations

import re
from typing import Any

from quorum.errors import BadInput

ACTIONS = (
    "submit",
    "skip",
    "release",
    "undo",
    "help",
    "instructions",
    "nextLabel",
    "previousLabel",
)
#: The keys labels get, in order, when they are not keys themselves.
LABEL_KEYS = tuple(str(number) for number in range(1, 10))
#: The default of each action; ``labels`` is the pool of :data:`LABEL_KEYS`, dealt out by
#: :func:`label_keys`.
DEFAULT_SHORTCUTS: dict[str, Any] = {
    "labels": list(LABEL_KEYS),
    "submit": "Enter",
    "skip": None,
    "release": None,
    "undo": "z",
    "help": "?",
    "instructions": "i",
    "nextLabel": "Tab",
    "previousLabel": "Shift+Tab",
}
NAMED_KEYS = frozenset(
    {"Enter", "Escape", "Tab", "Space", "Backspace", "Delete"}
    | {f"Arrow{side}" for side in ("Up", "Down", "Left", "Right")}
    | {f"F{number}" for number in range(1, 13)}
)
_KEY = re.compile(r"(Ctrl\+)?(Alt\+)?(Shift\+)?(.+)")
#: The key that always opens the list of shortcuts, whatever the job says.
HELP_KEY = "?"


def _key(value: Any, field: str) -> str | None:
    """One key, checked; ``None`` unbinds."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"{field}: must be a key name such as 'Enter' or 'k', or null")
    match = _KEY.fullmatch(value)
    base = match.group(4) if match else ""
    if not (base in NAMED_KEYS or (len(base) == 1 and base.isprintable() and not base.isspace())):
        raise BadInput(
            f"{field}: {value!r} is not a key; use one character, or one of "
            f"{', '.join(sorted(NAMED_KEYS))}, optionally after Ctrl+, Alt+ and Shift+ "
            f"(in that order)"
        )
    return value


def _normal(key: str) -> str:
    """The key as the portal matches it: a character without case and whatever Shift says
    (``a`` and ``Shift+a`` are one key there), a named key with its modifiers."""
    match = _KEY.fullmatch(key)
    assert match is not None
    ctrl, alt, _shift, base = match.groups()
    if len(base) == 1:
        return f"{ctrl or ''}{alt or ''}{base.lower()}"
    return key


def check_shortcuts(value: Any, labels: list[str]) -> dict[str, Any] | None:
    """The job's own bindings, checked (``None`` when it keeps every default); raises
    :class:`BadInput` naming the field (``shortcuts.submit: ...``)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadInput("shortcuts: must be a JSON object of action -> key")
    unknown = sorted(set(value) - {"labels", *ACTIONS})
    if unknown:
        raise BadInput(
            f"shortcuts.{unknown[0]}: not an action; the actions are labels, {', '.join(ACTIONS)}"
        )
    chosen: dict[str, Any] = {}
    if "labels" in value:
        keys = value["labels"]
        if not isinstance(keys, list):
            raise BadInput("shortcuts.labels: must be a list of keys, one per label")
        if len(keys) > max(len(labels), 1):
            raise BadInput(f"shortcuts.labels: {len(keys)} keys for {len(labels)} label categories")
        chosen["labels"] = [_key(key, f"shortcuts.labels[{n}]") for n, key in enumerate(keys)]
    for action in ACTIONS:
        if action in value:
            chosen[action] = _key(value[action], f"shortcuts.{action}")
    _refuse_clashes(effective_shortcuts(chosen, labels))
    return chosen


def effective_shortcuts(chosen: dict[str, Any] | None, labels: list[str]) -> dict[str, Any]:
    """The map the portal follows for a job with ``labels``: the defaults with the job's own
    bindings on top, and one key per label (the job's own list, else :func:`label_keys`)."""
    chosen = chosen or {}
    actions = {action: chosen.get(action, DEFAULT_SHORTCUTS[action]) for action in ACTIONS}
    keys = chosen["labels"] if "labels" in chosen else label_keys(labels, actions)
    return {"labels": keys, **actions}


def _is_own_key(label: str) -> bool:
    """Whether ``label`` is a key of its own: one letter or one digit."""
    return len(label) == 1 and (label.isalpha() or label in "0123456789")


def label_keys(labels: list[str], actions: dict[str, Any]) -> list[str | None]:
    """One key per label (``None``: none left): a label that is a single letter or digit
    gets that key unless one of ``actions`` (``{action: key}``) holds it; every other label
    gets the next of :data:`LABEL_KEYS` that no action and no such label holds."""
    taken = {_normal(key) for key in actions.values() if key is not None} | {HELP_KEY}
    keys: list[str | None] = []
    for label in labels:
        own = _is_own_key(label) and _normal(label) not in taken
        keys.append(label if own else None)
        if own:
            taken.add(_normal(label))
    spare = iter([key for key in LABEL_KEYS if key not in taken])
    return [key if key is not None else next(spare, None) for key in keys]


def _refuse_clashes(shortcuts: dict[str, Any]) -> None:
    seen: dict[str, str] = {}
    bound = [(f"labels[{n}]", key) for n, key in enumerate(shortcuts["labels"])]
    bound += [(action, shortcuts[action]) for action in ACTIONS]
    for name, key in bound:
        if key is None:
            continue
        if _normal(key) == HELP_KEY and name != "help":
            raise BadInput(f"shortcuts.{name}: '?' always opens the list of shortcuts")
        if _normal(key) in seen:
            raise BadInput(f"shortcuts.{name}: {key!r} already does shortcuts.{seen[_normal(key)]}")
        seen[_normal(key)] = name
