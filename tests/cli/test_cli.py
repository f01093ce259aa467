"""The command line, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys

from sqlmodel import select

from quorum.auth import hash_token
from quorum.db.engine import Database
from quorum.models import ApiToken, User
from tests.cli.in_process import quorum_in_process


def quorum(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "quorum", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        timeout=120,
    )


def env_for(settings) -> dict[str, str]:
    return {"QUORUM_DATA_DIR": str(settings.data_dir), "QUORUM_DATABASE_URL": settings.database_url}


def test_user_create_prints_the_id_then_the_token_and_stores_its_hash(quorum_settings):
    result = quorum("user", "create", "ada", "--role", "admin", env=env_for(quorum_settings))
    assert result.returncode == 0, result.stderr
    user_id, token = result.stdout.splitlines()
    assert result.stdout == f"{user_id}\n{token}\n"
    assert token.startswith("qrm_")
    db = Database(quorum_settings.database_url)
    try:
        with db.read() as session:
            stored = session.exec(select(ApiToken)).one()
            assert stored.token_hash == hash_token(token)
            assert token not in stored.token_hash
            assert stored.user_id == int(user_id)
            assert session.get(User, stored.user_id).role == "admin"
    finally:
        db.dispose()


def test_user_create_refuses_a_taken_name(quorum_settings):
    env = env_for(quorum_settings)
    assert quorum("user", "create", "ada", "--role", "worker", env=env).returncode == 0
    again = quorum("user", "create", "ada", "--role", "worker", env=env)
    assert again.returncode == 2
    assert "a user called 'ada' already exists" in again.stderr
    assert again.stdout == ""


def test_migrate_is_idempotent(tmp_path):
    env = {"QUORUM_DATA_DIR": str(tmp_path / "fresh")}
    for _ in range(2):
        result = quorum("migrate", env=env)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "fresh" / "quorum.db.engine").exists()


ANSWERS = "\n".join(
    json.dumps(record)
    for record in [
        {"item": "a", "worker": 1, "answer": {"label": "cat"}},
        {"item": "a", "worker": 2, "answer": {"label": "cat"}},
        {"item": "a", "worker": 3, "answer": {"label": "dog"}},
        {"item": "b", "worker": 1, "answer": {"label": "dog"}},
        {"item": "b", "worker": 2, "answer": {"label": "cat"}},
    ]
)


def test_consolidate_prints_one_line_per_item_in_output_format(tmp_path):
    # The one consolidate test that runs the command in a subprocess, as a user runs it;
    # the others run it in-process (quorum_in_process), sparing an interpreter's start.
    result = quorum(
        "consolidate",
        "--task-type",
        "image-classification",
        "--labels",
        "cat,dog",
        "--algorithm",
        "majority-vote",
        env={"QUORUM_DATA_DIR": str(tmp_path)},
        stdin=ANSWERS,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["item"] for line in lines] == ["a", "b"]
    assert lines[0]["label"] == 0
    assert lines[0]["metadata"]["class-name"] == "cat"
    assert lines[0]["metadata"]["confidence"] == 0.67
    assert lines[0]["metadata"]["type"] == "groundtruth/image-classification"
    assert lines[0]["metadata"]["human-annotated"] == "yes"
    # A 1-1 tie goes to the first label, at half the confidence of a clean split.
    assert (lines[1]["label"], lines[1]["metadata"]["confidence"]) == (0, 0.25)


def test_consolidate_uses_the_task_types_default_dawid_skene(tmp_path):
    result = quorum_in_process(
        "consolidate",
        "--task-type",
        "text-classification",
        "--labels",
        "cat,dog",
        env={"QUORUM_DATA_DIR": str(tmp_path)},
        stdin=ANSWERS,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["item"], line["metadata"]["class-name"]) for line in lines] == [
        ("a", "cat"),
        ("b", "cat"),
    ]
    assert lines[0]["metadata"]["confidence"] > lines[1]["metadata"]["confidence"]
    assert lines[0]["metadata"]["type"] == "groundtruth/text-classification"


def test_consolidate_reads_a_file_and_names_bad_lines(tmp_path):
    answers = tmp_path / "answers.jsonl"
    answers.write_text(ANSWERS + '\n{"item": "c", "worker": 1, "answer": {"label": "cow"}}\n')
    result = quorum_in_process(
        "consolidate",
        "--task-type",
        "image-classification",
        "--labels",
        "cat,dog",
        str(answers),
        env={"QUORUM_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "line 6" in result.stderr and "'cow' is not one of this job's labels" in result.stderr
    assert result.stdout == ""


def test_consolidate_refuses_an_unknown_algorithm(tmp_path):
    result = quorum_in_process(
        "consolidate",
        "--task-type",
        "text-classification",
        "--labels",
        "a,b",
        "--algorithm",
        "coin-flip",
        env={"QUORUM_DATA_DIR": str(tmp_path)},
        stdin=ANSWERS,
    )
    assert result.returncode == 2
    assert "unknown consensus algorithm 'coin-flip' (known: " in result.stderr
    assert "dawid-skene" in result.stderr and "majority-vote" in result.stderr
