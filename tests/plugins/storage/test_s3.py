"""The s3:// backend against moto's S3 server (through the real minio client, over HTTP)."""

from __future__ import annotations

import tracemalloc
import uuid
from pathlib import Path

import httpx
import pytest
from minio import Minio
from minio.error import S3Error

import quorum_plugins.storage.s3 as s3_plugin
from quorum.errors import BadInput
from quorum.settings import Settings
from quorum_plugins.storage.s3 import S3Storage, parse_endpoint


@pytest.fixture
def bucket(s3_settings: Settings) -> str:
    """A fresh bucket on the session's S3 server."""
    name = f"quorum-{uuid.uuid4().hex[:12]}"
    client = Minio(
        s3_settings.s3_endpoint,
        access_key="testing",
        secret_key="testing",
        region="us-east-1",
        secure=False,
    )
    client.make_bucket(name)
    return name


@pytest.fixture
def storage(s3_settings: Settings) -> S3Storage:
    return S3Storage(s3_settings)


def test_write_lines_then_open_lines_round_trips_50000_lines(storage, bucket):
    url = f"s3://{bucket}/jobs/j1/manifest.jsonl"
    lines = [f'{{"source": "item {n}", "pad": "{"x" * 100}"}}\n'.encode() for n in range(50_000)]
    storage.write_lines(url, iter(lines))
    with storage.open_lines(url) as got:
        assert list(got) == lines
    assert storage.read_bytes(url) == b"".join(lines)


def test_open_lines_streams_in_constant_memory(storage, bucket):
    url = f"s3://{bucket}/big.jsonl"
    line = b'{"source": "' + b"x" * 200 + b'"}\n'
    storage.write_lines(url, (line for _ in range(50_000)))  # about 10 MB
    tracemalloc.start(25)
    try:
        with storage.open_lines(url) as lines:
            for count, got in enumerate(lines, start=1):
                assert got == line
                if count == 25_000:  # halfway: what does reading hold on to?
                    snapshot = tracemalloc.take_snapshot()
        assert count == 50_000
    finally:
        tracemalloc.stop()
    # Memory allocated on the reading side (our plugin, minio, urllib3), not by the server.
    reader = snapshot.filter_traces([tracemalloc.Filter(True, s3_plugin.__file__, all_frames=True)])
    held = sum(stat.size for stat in reader.statistics("filename"))
    assert held < 1024 * 1024, f"{held} bytes held while streaming a 10 MB object"


def test_write_bytes_replaces_the_object(storage, bucket):
    url = f"s3://{bucket}/a/b.json"
    storage.write_bytes(url, b'{"v": 1}')
    storage.write_bytes(url, b'{"v": 2}')
    assert storage.read_bytes(url) == b'{"v": 2}'


def test_write_many_puts_one_object_per_key(storage, bucket):
    prefix = f"s3://{bucket}/job/annotations/worker-response/iteration-1"
    storage.write_many(prefix, [("0/t.json", b'{"n": 0}'), ("1/t.json", b'{"n": 1}')])
    assert storage.read_bytes(f"{prefix}/0/t.json") == b'{"n": 0}'
    assert storage.read_bytes(f"{prefix}/1/t.json") == b'{"n": 1}'
    with pytest.raises(BadInput, match="is not a relative object key"):
        storage.write_many(prefix, [("../t.json", b"x")])


def test_missing_object_or_bucket_is_bad_input(storage, bucket):
    for url in (f"s3://{bucket}/nope.jsonl", "s3://no-such-bucket-quorum/nope.jsonl"):
        with pytest.raises(BadInput, match="does not exist") as caught:
            with storage.open_lines(url):
                pass
        assert url in caught.value.message
        with pytest.raises(BadInput, match="does not exist"):
            storage.read_bytes(url)


def test_writing_to_a_missing_bucket_reports_it(storage):
    with pytest.raises(BadInput, match="does not exist"):
        storage.write_lines("s3://no-such-bucket-quorum/out.jsonl", [b"x\n"])


def test_presigned_url_fetches_the_bytes_without_credentials(storage, bucket, s3_server):
    url = f"s3://{bucket}/img/cat.png"
    storage.write_bytes(url, b"\x89PNG fake", content_type="image/png")
    presigned = storage.browser_url(url, 300)
    assert presigned.startswith(f"http://{s3_server}/{bucket}/img/cat.png?")
    assert "X-Amz-Signature=" in presigned
    assert "testing" not in presigned.split("X-Amz-Credential=")[0]  # no secret in the URL
    response = httpx.get(presigned)
    assert response.status_code == 200
    assert response.content == b"\x89PNG fake"
    with pytest.raises(BadInput, match="1 to 604800 seconds"):
        storage.browser_url(url, 8 * 24 * 3600)


def test_check_url_without_an_endpoint_names_the_setting(tmp_path: Path):
    storage = S3Storage(Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path)}))
    with pytest.raises(BadInput, match="QUORUM_S3_ENDPOINT") as caught:
        storage.check_url("s3://bucket/key.jsonl")
    assert "s3://bucket/key.jsonl" in caught.value.message
    with pytest.raises(BadInput, match="QUORUM_S3_ENDPOINT"):
        with storage.open_lines("s3://bucket/key.jsonl"):
            pass


def test_check_url_validates_bucket_and_key(storage):
    storage.check_url("s3://my-bucket/prefix/manifest.jsonl")
    storage.check_url("s3://my-bucket")  # a prefix (for outputs) needs no key
    for url, message in [
        ("s3:///key", "names no bucket"),
        ("s3://My_Bucket/key", "not a valid bucket name"),
        ("s3://ab/key", "not a valid bucket name"),
        ("s3://a..b/key", "not a valid bucket name"),
        ("s3://a.-b/key", "not a valid bucket name"),
        ("s3://192.168.1.1/key", "not a valid bucket name"),
        ("file:///tmp/x", "not an s3:// URL"),
    ]:
        with pytest.raises(BadInput, match=message):
            storage.check_url(url)
    for url in ("s3://my-bucket", "s3://my-bucket/", "s3://my-bucket/folder/"):
        with pytest.raises(BadInput, match="names no object"):
            storage.read_bytes(url)


def test_other_s3_errors_carry_code_and_message(tmp_path, s3_server):
    settings = Settings.from_env(
        {
            "QUORUM_DATA_DIR": str(tmp_path),
            "QUORUM_S3_ENDPOINT": f"http://{s3_server}",
            "QUORUM_S3_ACCESS_KEY": "testing",
            "QUORUM_S3_SECRET_KEY": "testing",
            "QUORUM_S3_REGION": "us-east-1",
        }
    )
    storage = S3Storage(settings)
    error = S3Error(None, "AccessDenied", "Access Denied.", "/b/k", "r", "h")
    bad = storage._error("s3://b/k", error)
    assert bad.message == "'s3://b/k': S3 error AccessDenied: Access Denied."
    # The endpoint's http:// prefix turned TLS off even though QUORUM_S3_SECURE defaults on.
    assert storage._minio()._base_url.is_https is False


def test_parse_endpoint():
    assert parse_endpoint("minio:9000", True) == ("minio:9000", True)
    assert parse_endpoint("http://minio:9000/", True) == ("minio:9000", False)
    assert parse_endpoint("HTTPS://s3.amazonaws.com", False) == ("s3.amazonaws.com", True)


def test_hookimpl_returns_the_backend():
    assert s3_plugin.quorum_storage_backends() == [S3Storage]
    assert S3Storage.scheme == "s3"


def test_delete_removes_the_object_and_a_missing_one_is_fine(storage, bucket):
    url = f"s3://{bucket}/uploads/1/m.jsonl"
    storage.write_bytes(url, b"{}\n")
    storage.delete(url)
    with pytest.raises(BadInput):
        storage.read_bytes(url)
    storage.delete(url)  # already gone: no error
