"""docs/plugins.md cannot rot: every code block in it is included from a file that a test
runs, and must equal that file's text (or one top-level definition of it); every hook is
documented under its exact signature; every label kind has its shapes.

A block is written between markers that name its source, a whole file or one top-level
function or class (``path::name``)::

    <!-- include: examples/quorum-example-plugins/src/quorum_example_plugins/median_box.py -->
    ```python
    ...
    ```
    <!-- /include -->

After changing an included file, ``python -m tests.test_docs_plugins`` rewrites the blocks.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import quorum.hookspecs as hookspecs
from quorum import label_kinds
from quorum.label_kinds import LabelKind

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "docs" / "plugins.md"
INCLUDE = re.compile(
    r"<!-- include: (?P<target>\S+) -->\n```(?P<language>\w*)\n(?P<body>.*?)```\n<!-- /include -->",
    flags=re.DOTALL,
)
HOOK_NAMES = sorted(name for name in dir(hookspecs) if name.startswith("quorum_"))


def source_of(target: str) -> str:
    """The text a marker names: a file (``path``, from the repository's root), or the
    source of one top-level function or class in it (``path::name``), decorators included."""
    path, _, name = target.partition("::")
    text = (ROOT / path).read_text(encoding="utf-8")
    if not name:
        return text
    lines = text.splitlines(keepends=True)
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
            start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            assert node.end_lineno is not None
            return "".join(lines[start - 1 : node.end_lineno])
    raise AssertionError(f"{path} has no top-level {name}")


def includes() -> list[re.Match[str]]:
    return list(INCLUDE.finditer(PLUGINS.read_text(encoding="utf-8")))


def test_every_code_block_is_included_from_a_file():
    text = PLUGINS.read_text(encoding="utf-8")
    fences = len(re.findall(r"^```", text, flags=re.MULTILINE))
    assert fences == 2 * len(includes()), "a code block without an include marker"


@pytest.mark.parametrize("target", [match["target"] for match in includes()])
def test_an_included_block_is_its_files_text(target):
    (match,) = (match for match in includes() if match["target"] == target)
    assert match["body"] == source_of(target), (
        f"{target} changed: run python -m tests.test_docs_plugins to rewrite docs/plugins.md"
    )


def test_the_included_files_are_run_by_tests():
    """Each included file is example code that tests drive, or a test file itself."""
    for match in includes():
        path = match["target"].partition("::")[0]
        assert path.startswith(
            (
                "examples/quorum-example-plugins/",
                "plugins/",
                "server/",
                "tests/",
            )
        ), path


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_is_documented_with_its_signature(name):
    parameters = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
    assert f"\n### `{name}({parameters})`\n" in PLUGINS.read_text(encoding="utf-8")


def test_no_hook_is_documented_that_does_not_exist():
    documented = re.findall(r"\n### `(quorum_\w+)\(", PLUGINS.read_text(encoding="utf-8"))
    assert sorted(documented) == HOOK_NAMES


def test_every_label_kind_has_its_shapes_and_detail_keys():
    text = PLUGINS.read_text(encoding="utf-8")
    section = text.split("\n## Label kinds and their shapes\n", 1)[1].split("\n## ", 1)[0]
    rows = {
        row.split(" | ")[0].strip("| `"): row.split(" | ")
        for row in section.splitlines()
        if row.startswith("| `")
    }
    assert sorted(rows) == sorted(kind.value for kind in LabelKind)
    for kind in LabelKind:
        _kind, answer, value, details = rows[kind.value]
        for shape in re.findall(r"`([A-Z]\w+)`", answer + value):
            assert hasattr(label_kinds, shape), shape
        assert re.findall(r"^`([a-z-]+)`", details) == list(label_kinds.DETAIL_KEYS[kind]), kind


def rewrite() -> None:
    """Fill every include block of docs/plugins.md with its source's current text."""
    text = PLUGINS.read_text(encoding="utf-8")
    PLUGINS.write_text(
        INCLUDE.sub(
            lambda match: (
                f"<!-- include: {match['target']} -->\n```{match['language']}\n"
                f"{source_of(match['target'])}```\n<!-- /include -->"
            ),
            text,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    rewrite()
