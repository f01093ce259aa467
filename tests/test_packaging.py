"""``pip install .`` (not editable) gives a complete server: web/ and migrations/ ship."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_wheel_carries_web_migrations_plugins_and_entry_points(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("quorum_labeling-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        entry_text = archive.read(entry_points).decode()
    for required in (
        "quorum/app.py",
        "quorum/web/index.html",
        "quorum/web/schema.graphql",
        "quorum/web/work/main.js",
        "quorum/web/elements/index.js",
        "quorum/web/shared/dom.js",
        "quorum/migrations/env.py",
        "quorum/migrations/script.py.mako",
        "quorum/migrations/versions/0001_initial_schema.py",
        "quorum_plugins/storage/file.py",
        "quorum/http/sessions.py",
        "quorum/graphql/dataloaders/job_counters.py",
    ):
        assert required in names, required
    assert "[quorum]" in entry_text
    assert "builtin_majority_vote = quorum_plugins.consensus.majority_vote" in entry_text
    assert "quorum = quorum.cli.main:main" in entry_text
    assert "quorum = quorum.testing" in entry_text  # the pytest11 plugin
