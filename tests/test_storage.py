"""The storage base class's way for a backend of files on the server's disk to have the core
serve them to browsers (signed, expiring ``/objects`` URLs), used as a third-party backend
would use it: through :class:`quorum.storage.StorageBackend` alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import quorum_plugins.storage as built_in_storage
from quorum import hookimpl
from quorum.errors import BadInput
from quorum.storage import StorageBackend

_PREFIX = "disk:"


class DiskBackend(StorageBackend):
    """A plugin's backend that names files as ``disk:<absolute path>``."""

    scheme = "disk"

    def browser_url(self, url: str, expires_seconds: int) -> str:
        path = self.readable_path(url[len(_PREFIX) :])
        if path is None:
            raise BadInput(f"{url!r} is outside the readable folders")
        return self.signed_file_url(path, expires_seconds)


class DiskPlugin:
    @hookimpl
    def quorum_storage_backends(self) -> list[type[StorageBackend]]:
        return [DiskBackend]


@pytest.fixture
def quorum_plugins() -> list[object]:
    return [DiskPlugin()]


def test_a_plugin_backend_of_files_gets_signed_expiring_objects_urls(
    quorum_settings, quorum_app, quorum_client
):
    path = quorum_settings.objects_dir / "photo 1.png"
    path.write_bytes(b"\x89PNG")
    storage = quorum_app.state.plugins.storage
    url = storage.browser_url(f"{_PREFIX}{path}", 60)
    assert url.startswith("/objects/")
    served = quorum_client.get(url)
    assert served.status_code == 200
    assert served.content == b"\x89PNG"
    assert served.headers["content-security-policy"] == "sandbox"

    tampered = quorum_client.get(url.replace("signature=", "signature=0"))
    assert (tampered.status_code, tampered.text) == (403, "signed URL is invalid or expired")
    backend = storage.backend(f"{_PREFIX}{path}")
    expired = quorum_client.get(backend.signed_file_url(str(path), -1))
    assert (expired.status_code, expired.text) == (403, "signed URL is invalid or expired")


def test_the_core_serves_no_file_outside_the_readable_folders_whoever_signed_it(
    quorum_settings, quorum_client, tmp_path
):
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"secret")
    backend = DiskBackend(quorum_settings)
    refused = quorum_client.get(backend.signed_file_url(str(outside), 60))
    assert (refused.status_code, refused.text) == (403, "this file is outside the readable folders")


def test_readable_path_resolves_and_confines_without_opening_anything(quorum_settings):
    backend = DiskBackend(quorum_settings)
    objects = quorum_settings.objects_dir
    assert backend.readable_path(f"{objects}/a/../b.png") == str(objects / "b.png")
    assert backend.readable_path(f"{objects}/../signing.key") is None
    assert backend.readable_path("/etc/passwd") is None
    assert backend.readable_path("relative/b.png") is None


def test_the_built_in_backends_import_only_the_plugin_api():
    """A third-party backend can do what the built-ins do: they import from ``quorum``
    nothing but the public plugin API (``quorum.settings`` only for the constructor's
    type)."""
    allowed = {"quorum", "quorum.errors", "quorum.settings", "quorum.storage"}
    folder = Path(built_in_storage.__file__).parent
    for module in folder.glob("*.py"):
        tree = ast.parse(module.read_text())
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("quorum")
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
            if alias.name.startswith("quorum")
        }
        assert imported <= allowed, f"{module.name} imports {sorted(imported - allowed)}"
