"""docs/architecture.md holds: every module it names exists, and the rules of the layers it
states are the imports of the code (runtime imports; those under ``TYPE_CHECKING`` are for
types alone)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import quorum

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
#: Import names and the folders that hold them (pyproject.toml's package-dir).
FOLDERS = {"quorum": ROOT / "server", "quorum_plugins": ROOT / "plugins"}
EXAMPLE = ROOT / "examples" / "quorum-example-plugins" / "src"
APPLICATION_LAYERS = ("graphql", "services", "runner", "http", "db", "cli")


def module_name(path: Path, package: str, folder: Path) -> str:
    parts = [package, *path.relative_to(folder).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: str, folder: Path) -> dict[str, Path]:
    return {
        module_name(path, package, folder): path
        for path in sorted(folder.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


ALL = {
    name: path
    for package, folder in FOLDERS.items()
    for name, path in modules(package, folder).items()
}


def runtime_imports(path: Path) -> Iterator[str]:
    """The modules ``path`` imports when it runs, wherever the import statement is, except
    under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If)
        and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for statement in block.body
        for node in ast.walk(statement)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def layer(module: str) -> str | None:
    """``graphql`` for ``quorum.graphql.schema``; ``None`` for the rest."""
    parts = module.split(".")
    if parts[0] == "quorum" and len(parts) > 1 and parts[1] in APPLICATION_LAYERS:
        return parts[1]
    return None


def imported_layers(module: str) -> set[str]:
    return {found for name in runtime_imports(ALL[module]) if (found := layer(name))}


def public_api() -> set[str]:
    """The modules the package docstring names as the public plugin API."""
    doc = quorum.__doc__ or ""
    section = doc.split("**The public plugin API**", 1)[1].split("**The rest", 1)[0]
    return {"quorum", *re.findall(r":mod:`(quorum\.\w+)`", section)}


def test_every_module_the_page_names_exists():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    for path in set(re.findall(r"`(quorum(?:_plugins)?/[\w/]+\.py)`", text)):
        package, _, rest = path.partition("/")
        assert (FOLDERS[package] / rest).is_file(), path
    for name in set(re.findall(r"`(quorum(?:_plugins)?(?:\.\w+)+)", text)):
        prefixes = [".".join(name.split(".")[:n]) for n in range(len(name.split(".")), 0, -1)]
        assert any(prefix in ALL for prefix in prefixes), name


@pytest.mark.parametrize("module", sorted(m for m in ALL if layer(m) == "services"))
def test_services_never_import_graphql_runner_http_or_cli(module):
    assert not imported_layers(module) & {"graphql", "runner", "http", "cli"}


def test_only_the_app_factory_imports_graphql():
    importers = {m for m in ALL if layer(m) != "graphql" and "graphql" in imported_layers(m)}
    assert importers <= {"quorum.app"}


@pytest.mark.parametrize("module", sorted(m for m in ALL if layer(m) == "db"))
def test_the_database_layer_imports_no_layer_above_it(module):
    assert imported_layers(module) <= {"db"}


#: What the public plugin API may import of the application, as the page says: the URL
#: signing functions the storage base class signs local objects' URLs with (a module of
#: its own, with no imports from Quorum).
API_MAY_IMPORT = {"quorum.http.signing"}


@pytest.mark.parametrize("module", sorted(public_api() - {"quorum.testing"}))
def test_the_public_plugin_api_imports_no_application_layer(module):
    """``quorum.testing`` is the exception: its fixtures build the app, lazily."""
    found = {
        name
        for name in runtime_imports(ALL[module])
        if layer(name)
        and name not in API_MAY_IMPORT
        and name.rsplit(".", 1)[0] not in API_MAY_IMPORT
    }
    assert not found, module


def test_what_the_public_plugin_api_may_import_imports_nothing_of_quorum():
    for module in API_MAY_IMPORT:
        assert not [name for name in runtime_imports(ALL[module]) if name.startswith("quorum")]


@pytest.mark.parametrize("module", sorted(modules("quorum_example_plugins", EXAMPLE)))
def test_the_example_plugins_import_only_the_public_plugin_api(module):
    path = modules("quorum_example_plugins", EXAMPLE)[module]
    used = {name for name in runtime_imports(path) if name.split(".")[0] == "quorum"}
    public = public_api()
    assert {
        name for name in used if name not in public and name.rsplit(".", 1)[0] not in public
    } == set()
