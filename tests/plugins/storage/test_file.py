"""The file:// backend (confinement, streaming, atomic writes, signed URLs) and /objects."""

from __future__ import annotations

import asyncio
import os
import time
import tracemalloc
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

import quorum_plugins.storage.file as file_plugin
from quorum.errors import BadInput
from quorum.http.objects import serve_object
from quorum.http.signing import sign_path, verify_path
from quorum.settings import Settings
from quorum_plugins.storage.file import FileStorage


def make_settings(data_dir: Path, *local_roots: Path) -> Settings:
    env = {"QUORUM_DATA_DIR": str(data_dir)}
    if local_roots:
        env["QUORUM_LOCAL_ROOTS"] = ":".join(str(root) for root in local_roots)
    settings = Settings.from_env(env)
    settings.prepare_data_dir()
    return settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def storage(settings: Settings) -> FileStorage:
    return FileStorage(settings)


def url_of(path: Path | str) -> str:
    return f"file://{path}"


# --- reading -----------------------------------------------------------------------------


def test_open_lines_streams_lines_with_their_endings(settings, storage):
    path = settings.objects_dir / "manifest.jsonl"
    path.write_bytes(b'{"source": "a"}\n{"source": "b"}\r\n{"source": "c"}')
    with storage.open_lines(url_of(path)) as lines:
        assert list(lines) == [b'{"source": "a"}\n', b'{"source": "b"}\r\n', b'{"source": "c"}']
    assert storage.read_bytes(url_of(path)) == path.read_bytes()


def test_open_lines_uses_constant_memory(settings, storage):
    path = settings.objects_dir / "big.jsonl"
    line = b'{"source": "' + b"x" * 200 + b'"}\n'
    with path.open("wb") as handle:
        for _ in range(100_000):  # about 21 MB
            handle.write(line)
    tracemalloc.start()
    try:
        count = 0
        with storage.open_lines(url_of(path)) as lines:
            for got in lines:
                assert got == line
                count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes while streaming a 21 MB file"


def test_localhost_host_is_accepted(settings, storage):
    path = settings.objects_dir / "a.txt"
    path.write_bytes(b"hello\n")
    assert storage.read_bytes(f"file://localhost{path}") == b"hello\n"


def test_missing_file_is_bad_input_naming_the_url(settings, storage):
    url = url_of(settings.objects_dir / "nope.jsonl")
    with pytest.raises(BadInput, match="does not exist") as caught:
        with storage.open_lines(url):
            pass
    assert url in caught.value.message
    with pytest.raises(BadInput, match="does not exist"):
        storage.read_bytes(url)


def test_folder_is_not_a_file(settings, storage):
    with pytest.raises(BadInput, match="is a folder"):
        storage.read_bytes(url_of(settings.objects_dir))


# --- confinement -------------------------------------------------------------------------


def assert_refused(storage: FileStorage, url: str) -> None:
    """Every operation refuses ``url`` with the confinement error, naming URL and roots."""
    operations = [
        lambda: storage.check_url(url),
        lambda: storage.read_bytes(url),
        lambda: storage.open_lines(url).__enter__(),
        lambda: storage.write_bytes(url, b"x"),
        lambda: storage.write_lines(url, [b"x\n"]),
        lambda: storage.browser_url(url, 60),
    ]
    for operation in operations:
        with pytest.raises(BadInput, match="outside the readable folders") as caught:
            operation()
        assert repr(url) in caught.value.message
        assert str(storage.settings.objects_dir) in caught.value.message
        assert "QUORUM_LOCAL_ROOTS" in caught.value.message


@pytest.fixture
def no_open(monkeypatch):
    """Fail the test if the plugin opens any file."""
    opened: list[object] = []

    def spy(*args, **kwargs):
        opened.append(args)
        raise AssertionError(f"the plugin opened {args}")

    monkeypatch.setattr(file_plugin, "open", spy, raising=False)
    return opened


def test_etc_passwd_is_refused_without_reading(storage, no_open):
    assert_refused(storage, "file:///etc/passwd")
    assert no_open == []


def test_missing_path_outside_roots_gets_the_confinement_error(storage, tmp_path, no_open):
    # Not "does not exist": the path is refused before anything looks at it.
    assert_refused(storage, url_of(tmp_path / "elsewhere" / "nothing.jsonl"))
    assert no_open == []


def test_dot_dot_escape_is_refused(settings, storage, no_open):
    # objects/../signing.key is the data folder's URL-signing key.
    key = settings.signing_key()
    assert_refused(storage, f"file://{settings.objects_dir}/../signing.key")
    assert_refused(storage, f"file://{settings.objects_dir}/sub/../../signing.key")
    assert no_open == []
    assert settings.signing_key() == key  # the refused writes did not touch it


def test_symlink_escape_is_refused(settings, storage, tmp_path, no_open):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret\n")
    (settings.objects_dir / "folder-link").symlink_to(outside)
    (settings.objects_dir / "file-link").symlink_to(outside / "secret.txt")
    assert_refused(storage, url_of(settings.objects_dir / "folder-link" / "secret.txt"))
    assert_refused(storage, url_of(settings.objects_dir / "file-link"))
    assert no_open == []
    assert (outside / "secret.txt").read_bytes() == b"secret\n"  # not overwritten


def test_sibling_folder_sharing_the_root_prefix_is_refused(settings, storage):
    sibling = settings.data_dir / "objects-evil"
    sibling.mkdir()
    (sibling / "a.txt").write_bytes(b"no\n")
    assert_refused(storage, url_of(sibling / "a.txt"))


def test_relative_and_foreign_urls_are_refused(storage):
    with pytest.raises(BadInput, match="absolute path"):
        storage.check_url("file://relative/path.jsonl")
    with pytest.raises(BadInput, match="not a file:// URL"):
        storage.check_url("s3://bucket/key")


def test_symlink_inside_the_roots_is_followed(settings, storage):
    target = settings.objects_dir / "real.txt"
    target.write_bytes(b"real\n")
    (settings.objects_dir / "alias.txt").symlink_to(target)
    assert storage.read_bytes(url_of(settings.objects_dir / "alias.txt")) == b"real\n"


def test_local_roots_allow_an_extra_folder(tmp_path):
    extra = tmp_path / "datasets"
    extra.mkdir()
    (extra / "manifest.jsonl").write_bytes(b'{"source": "x"}\n')
    url = url_of(extra / "manifest.jsonl")
    with pytest.raises(BadInput, match="outside the readable folders"):
        FileStorage(make_settings(tmp_path / "data")).check_url(url)
    storage = FileStorage(make_settings(tmp_path / "data", extra))
    storage.check_url(url)
    with storage.open_lines(url) as lines:
        assert list(lines) == [b'{"source": "x"}\n']
    with pytest.raises(BadInput) as caught:
        storage.check_url("file:///etc/passwd")
    assert str(extra) in caught.value.message


# --- writing -----------------------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_write_lines_creates_folders_and_writes_everything(settings, storage):
    path = settings.objects_dir / "jobs" / "j1" / "output.jsonl"
    lines = [f'{{"n": {n}}}\n'.encode() for n in range(10_000)]
    storage.write_lines(url_of(path), iter(lines))
    assert path.read_bytes() == b"".join(lines)
    assert leftovers(path.parent) == []
    with storage.open_lines(url_of(path)) as got:
        assert list(got) == lines


def test_write_lines_replaces_atomically_and_keeps_the_old_file_on_failure(settings, storage):
    path = settings.objects_dir / "output.jsonl"
    storage.write_lines(url_of(path), [b"old 1\n", b"old 2\n"])
    inode_before = path.stat().st_ino

    def failing():
        yield b"new 1\n"
        # While the new content is being written, the target still holds the old one.
        assert path.read_bytes() == b"old 1\nold 2\n"
        assert len(leftovers(path.parent)) == 1
        raise RuntimeError("producer failed")

    with pytest.raises(RuntimeError, match="producer failed"):
        storage.write_lines(url_of(path), failing())
    assert path.read_bytes() == b"old 1\nold 2\n"
    assert path.stat().st_ino == inode_before
    assert leftovers(path.parent) == []

    storage.write_lines(url_of(path), [b"new 1\n", b"new 2\n"])
    assert path.read_bytes() == b"new 1\nnew 2\n"
    assert path.stat().st_ino != inode_before  # renamed over, not rewritten in place
    assert leftovers(path.parent) == []


def test_write_bytes_round_trip(settings, storage):
    url = url_of(settings.objects_dir / "a" / "b.json")
    storage.write_bytes(url, b'{"ok": true}')
    assert storage.read_bytes(url) == b'{"ok": true}'
    storage.write_bytes(url, b"{}")
    assert storage.read_bytes(url) == b"{}"


def test_writing_over_a_folder_is_bad_input(settings, storage):
    (settings.objects_dir / "dir").mkdir()
    with pytest.raises(BadInput, match="is a folder"):
        storage.write_bytes(url_of(settings.objects_dir / "dir"), b"x")


def test_write_many_writes_each_key_under_the_prefix_and_replaces_old_files(settings, storage):
    prefix = url_of(settings.objects_dir / "job" / "annotations" / "worker-response")
    storage.write_many(prefix, [("0/a.json", b'{"n": 0}'), ("1/a.json", b'{"n": 1}')])
    storage.write_many(prefix, iter([("1/a.json", b'{"n": 2}'), ("2/deep/b.json", b"{}")]))
    root = settings.objects_dir / "job" / "annotations" / "worker-response"
    assert (root / "0" / "a.json").read_bytes() == b'{"n": 0}'
    assert (root / "1" / "a.json").read_bytes() == b'{"n": 2}'
    assert (root / "2" / "deep" / "b.json").read_bytes() == b"{}"
    assert oct((root / "0" / "a.json").stat().st_mode & 0o777) == oct(0o644 & ~_umask())


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@pytest.mark.parametrize("key", ["../escape.json", "a/../../b.json", "/abs.json", "a//b.json", ""])
def test_write_many_refuses_keys_that_are_not_plain_relative_paths(settings, storage, key):
    prefix = url_of(settings.objects_dir / "out")
    with pytest.raises(BadInput, match="is not a relative object key") as caught:
        storage.write_many(prefix, [(key, b"x")])
    assert repr(key) in caught.value.message
    assert not (settings.objects_dir.parent / "escape.json").exists()


def test_write_many_refuses_a_prefix_outside_the_roots(storage, tmp_path, no_open):
    with pytest.raises(BadInput, match="outside the readable folders"):
        storage.write_many(url_of(tmp_path / "elsewhere"), [("a.json", b"x")])
    assert not (tmp_path / "elsewhere").exists()


def test_write_many_reports_an_unwritable_key_by_name(settings, storage):
    prefix = url_of(settings.objects_dir / "out")
    (settings.objects_dir / "out" / "taken").mkdir(parents=True)
    with pytest.raises(BadInput, match="cannot be written") as caught:
        storage.write_many(prefix, [("taken", b"x")])
    assert "out/taken" in caught.value.message


# --- signed browser URLs -----------------------------------------------------------------


def split_signed(signed: str) -> tuple[str, str, str]:
    parts = urlsplit(signed)
    query = parse_qs(parts.query)
    assert parts.path.startswith("/objects/")
    return parts.path[len("/objects") :], query["expires"][0], query["signature"][0]


def test_browser_url_verifies_and_tampering_or_expiry_fails(settings, storage):
    path = settings.objects_dir / "img.png"
    path.write_bytes(b"\x89PNG")
    assert not (settings.data_dir / "signing.key").exists()  # not read at construction
    signed = storage.browser_url(url_of(path), 60)
    key = settings.signing_key()
    quoted, expires, signature = split_signed(signed)
    assert verify_path(key, quoted, expires, signature) == str(path)
    # Tampered signature, path or expiry; a wrong key; expired.
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    assert verify_path(key, quoted, expires, flipped) is None
    assert verify_path(key, quoted + "x", expires, signature) is None
    assert verify_path(key, quoted, str(int(expires) + 1000), signature) is None
    assert verify_path(b"another key", quoted, expires, signature) is None
    assert verify_path(key, quoted, expires, signature, now=time.time() + 61) is None
    assert verify_path(key, quoted, expires, signature, now=time.time() + 59) == str(path)


def test_browser_url_names_the_resolved_path(settings, storage):
    (settings.objects_dir / "sub").mkdir()
    path = settings.objects_dir / "sub" / "a.txt"
    path.write_bytes(b"a")
    signed = storage.browser_url(f"file://{settings.objects_dir}/sub/../sub/a.txt", 60)
    quoted, expires, signature = split_signed(signed)
    assert verify_path(settings.signing_key(), quoted, expires, signature) == str(path)


def test_hookimpl_returns_the_backend():
    assert file_plugin.quorum_storage_backends() == [FileStorage]
    assert FileStorage.scheme == "file"


# --- the /objects route ------------------------------------------------------------------


def fetch(settings: Settings, url: str) -> httpx.Response:
    app = Starlette(routes=[Route("/objects/{path:path}", serve_object)])
    app.state.settings = settings

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(url)

    return asyncio.run(get())


def test_serve_object_serves_a_validly_signed_file(settings, storage):
    path = settings.objects_dir / "item 1%41.json"  # a space and a literal %41 in the name
    path.write_bytes(b'{"a": 1}')
    response = fetch(settings, storage.browser_url(url_of(path), 60))
    assert response.status_code == 200
    assert response.content == b'{"a": 1}'
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox"


def test_serve_object_refuses_a_tampered_signature(settings, storage):
    path = settings.objects_dir / "a.txt"
    path.write_bytes(b"a")
    signed = storage.browser_url(url_of(path), 60)
    head, signature = signed.rsplit("signature=", 1)
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    for url in (
        head + "signature=" + flipped,
        head.split("?")[0],
        signed.replace("a.txt", "b.txt"),
    ):
        response = fetch(settings, url)
        assert response.status_code == 403
        assert response.text == "signed URL is invalid or expired"


def test_serve_object_refuses_an_expired_url(settings):
    path = settings.objects_dir / "a.txt"
    path.write_bytes(b"a")
    signed = sign_path(settings.signing_key(), str(path), 10, now=time.time() - 100)
    response = fetch(settings, signed)
    assert response.status_code == 403
    assert response.text == "signed URL is invalid or expired"


def test_serve_object_refuses_files_outside_the_roots_even_if_signed(settings, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret")
    key = settings.signing_key()
    for path in (str(outside), f"{settings.objects_dir}/../signing.key"):
        response = fetch(settings, sign_path(key, path, 60))
        assert response.status_code == 403
        assert b"secret" not in response.content
        assert key.hex().encode() not in response.content


def test_serve_object_refuses_a_link_swapped_after_signing(settings, storage, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret")
    path = settings.objects_dir / "a.txt"
    path.write_bytes(b"a")
    signed = storage.browser_url(url_of(path), 60)
    path.unlink()
    path.symlink_to(outside)
    assert fetch(settings, signed).status_code == 403


def test_serve_object_answers_404_for_a_missing_file(settings, storage):
    path = settings.objects_dir / "gone.txt"
    path.write_bytes(b"a")
    signed = storage.browser_url(url_of(path), 60)
    path.unlink()
    response = fetch(settings, signed)
    assert response.status_code == 404


def test_delete_removes_the_file_and_a_missing_one_is_fine(settings, storage):
    url = url_of(settings.objects_dir / "uploads" / "m.jsonl")
    storage.write_bytes(url, b"{}\n")
    storage.delete(url)
    assert not (settings.objects_dir / "uploads" / "m.jsonl").exists()
    storage.delete(url)  # already gone: no error
    with pytest.raises(BadInput, match="outside the readable folders"):
        storage.delete("file:///etc/hostname")
