"""``quorum.testing`` is loaded by every pytest run where Quorum is installed: importing it
must not import the app, nor the model libraries and the ORM the app brings."""

from __future__ import annotations

import json
import subprocess
import sys

APP_AND_MODELS = {"quorum.app", "sklearn", "skimage"}


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stdout))


def test_importing_quorum_testing_imports_neither_the_app_nor_its_models():
    loaded = modules_after("import quorum.testing")
    assert loaded & {*APP_AND_MODELS, "sqlalchemy", "httpx"} == set()


def test_the_helpers_are_imported_when_first_used_and_need_no_app():
    loaded = modules_after("from quorum.testing import GraphQLClient, running_job")
    assert {"quorum.testing.clients", "quorum.testing.scenarios"} <= loaded
    assert loaded & APP_AND_MODELS == set()
