"""A manifest line is read no further than its limit: a 100 MB line costs megabytes of
memory, not a hundred, and fails its job naming the line (100,000 characters at most)."""

from __future__ import annotations

import io
import tracemalloc
import uuid

import pytest
from minio import Minio

import quorum_plugins.storage.s3 as s3_plugin
from quorum.storage import MAX_LINE_BYTES, bounded_lines
from quorum.testing import running_job
from quorum_plugins.storage.file import FileStorage
from quorum_plugins.storage.s3 import S3Storage
from tests.factories import row_counts

GOOD = b'{"source": "a short text"}\n'


def test_a_long_line_comes_cut_and_the_next_lines_keep_their_numbers():
    stream = io.BytesIO(GOOD + b"x" * 25 + b"\n" + b"y" * 10 + b"\r\n" + GOOD + b"z" * 30)
    assert (
        list(bounded_lines(stream, most=10))
        == [
            GOOD[:11],  # cut: 11 bytes tell the reader the line is longer than 10
            b"x" * 11,
            b"y" * 10 + b"\r",
            GOOD[:11],
            b"z" * 11,
        ]
    )
    assert list(bounded_lines(io.BytesIO(GOOD + GOOD), most=100)) == [GOOD, GOOD]


def write_long_manifest(path, line_chars: int) -> None:
    """A manifest whose line 2 has ``line_chars`` characters of text, written in pieces."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(GOOD + b'{"source": "')
        for start in range(0, line_chars, 1 << 20):
            handle.write(b"x" * min(1 << 20, line_chars - start))
        handle.write(b'"}\n' + GOOD)


def test_the_file_backend_never_holds_a_long_line(tmp_path, quorum_settings):
    path = quorum_settings.objects_dir / "long.manifest"
    write_long_manifest(path, 20 << 20)
    tracemalloc.start()
    try:
        with FileStorage(quorum_settings).open_lines(f"file://{path}") as lines:
            got = [len(line) for line in lines]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got == [len(GOOD), MAX_LINE_BYTES + 1, len(GOOD)]
    assert peak < 2 << 20, f"{peak:,} bytes at the peak reading a 20 MB line"


def test_the_s3_backend_never_holds_a_long_line(tmp_path, s3_settings):
    bucket = f"quorum-{uuid.uuid4().hex[:12]}"
    Minio(
        s3_settings.s3_endpoint,
        access_key="testing",
        secret_key="testing",
        region="us-east-1",
        secure=False,
    ).make_bucket(bucket)
    path = tmp_path / "long.manifest"
    write_long_manifest(path, 8 << 20)
    storage = S3Storage(s3_settings)
    url = f"s3://{bucket}/long.manifest"
    storage.write_bytes(url, path.read_bytes())
    tracemalloc.start(25)
    try:
        with storage.open_lines(url) as lines:
            got = []
            for line in lines:
                got.append(len(line))
                if len(got) == 2:  # holding the long line: what did reading it keep?
                    snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert got == [len(GOOD), MAX_LINE_BYTES + 1, len(GOOD)]
    # What the reading side (the plugin, minio, urllib3) holds; moto serves in this process.
    reader = snapshot.filter_traces([tracemalloc.Filter(True, s3_plugin.__file__, all_frames=True)])
    held = sum(stat.size for stat in reader.statistics("filename"))
    assert held < 1 << 20, f"{held:,} bytes held reading an 8 MB line"


@pytest.mark.parametrize("line_chars", [100_001, 100 << 20], ids=["100001-chars", "100-MB"])
def test_a_job_with_a_line_over_the_limit_fails_naming_it_in_bounded_memory(
    quorum_app, quorum_settings, gql, line_chars
):
    job = running_job(quorum_app, gql, quorum_settings)  # its requester and team
    path = quorum_settings.objects_dir / "inputs" / "long.manifest"
    write_long_manifest(path, line_chars)
    created = gql.ok(
        "mutation($input: CreateJobInput!) { createJob(input: $input) { id } }",
        {
            "input": {
                "name": "long",
                "taskType": "text-classification",
                "inputManifest": f"file://{path}",
                "labels": ["a", "b"],
                "teamId": str(job.team_id),
            }
        },
        job.requester,
    )["createJob"]
    tracemalloc.start()
    try:
        quorum_app.state.runner.run_until_idle()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    failed = gql.ok(
        "query($id: ID!) { job(id: $id) { status failureReason } }",
        {"id": created["id"]},
        job.requester,
    )["job"]
    assert failed == {
        "status": "FAILED",
        "failureReason": "inputManifest: line 2: longer than 100,000 characters",
    }
    assert row_counts(quorum_app, created["id"])["items"] == 0
    assert peak < 5 << 20, f"{peak:,} bytes at the peak ingesting a {line_chars:,}-byte line"
