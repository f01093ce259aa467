"""``quorum consolidate`` loads the plugins but not the model libraries some of them use
when they train (scikit-learn, scikit-image, crowd-kit), nor the database layer (SQLAlchemy,
sqlmodel, alembic) it never touches: it answers in well under a second."""

from __future__ import annotations

import json
import subprocess
import sys

ANSWER = {"item": 1, "worker": 1, "answer": {"label": "a"}}
PROBE = """
import json, sys
from quorum.cli.main import main
status = main(["consolidate", "--task-type", "text-classification", "--labels", "a,b", sys.argv[1]])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def test_consolidate_imports_no_model_library(tmp_path):
    answers = tmp_path / "answers.jsonl"
    answers.write_text(json.dumps(ANSWER) + "\n")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(answers)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "QUORUM_DATA_DIR": str(tmp_path / "data")},
    )
    label_line, result_line = done.stdout.splitlines()
    assert json.loads(label_line)["metadata"]["class-name"] == "a"
    result = json.loads(result_line)
    assert result["status"] == 0
    heavy = {
        "sklearn",
        "skimage",
        "crowdkit.aggregation",
        "pandas",
        "alembic",
        "minio",
        "sqlalchemy",
        "sqlmodel",
        "quorum.models",
    }
    assert set(result["modules"]) & heavy == set()
