"""The README's walkthrough, run exactly as written: its shell blocks, in order, in one bash
shell, against a real ``quorum serve`` started the way ``make run`` starts it (a fresh
``./quorum-data`` beside the shell, SQLite, the port in ``QUORUM_PORT``). The README
cannot drift from the product without this test failing."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from quorum.settings import Settings
from tests.live import LiveServer

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def walkthrough_commands() -> str:
    """The ``sh`` blocks of the README's walkthrough section, joined in order."""
    text = README.read_text()
    section = text.split("## A five-minute walkthrough", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) >= 4, "the walkthrough lost its shell blocks"
    return "\n".join(blocks)


def test_the_readme_walkthrough_runs_as_written(tmp_path):
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("QUORUM_") or key == "QUORUM_BROWSER_REQUIRED"
    }
    settings = Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path / "quorum-data")})
    server = LiveServer(settings)
    server.start()
    try:
        done = subprocess.run(
            ["bash", "-e", "-c", walkthrough_commands()],
            cwd=tmp_path,
            env={**environ, "QUORUM_PORT": str(server.port)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == "", done.stderr  # the CLI prints only what was asked for
    out = done.stdout
    assert '"role":"WORKER"' in out
    assert "IN_PROGRESS" in out and "COMPLETED" in out
    assert '"reason":"NOTHING_LEFT"' in out
    assert "is not one of this job's labels" in out
    manifest = tmp_path / "quorum-data/objects/reviews/manifests/output/output.manifest"
    lines = [json.loads(line) for line in manifest.read_text().splitlines()]
    assert [(line["source"], line["mood-metadata"]["class-name"]) for line in lines] == [
        ("The food was delicious", "positive"),
        ("Cold and late", "negative"),
    ]
