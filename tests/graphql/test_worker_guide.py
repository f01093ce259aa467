"""A job's keyboard shortcuts and examples for workers: defaults, overrides, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image

from quorum.statuses import Role
from quorum.testing import CREATE_JOB, make_team, make_user, write_manifest
from tests.factories import row_counts

GUIDE = """
query($id: ID!) {
  job(id: $id) { shortcuts examples { label text note imageUrl } }
}
"""


def job_input(app, settings, **fields: Any) -> dict[str, Any]:
    worker_id, _ = make_user(app, f"worker-{len(fields)}", Role.WORKER)
    return {
        "teamId": str(make_team(app, f"team-{len(fields)}", [worker_id])),
        "name": "moods",
        "taskType": "text-classification",
        "inputManifest": write_manifest(settings, "moods.manifest", [{"source": "ok"}]),
        "labels": ["negative", "positive"],
        **fields,
    }


def test_a_job_without_shortcuts_gets_the_defaults(quorum_app, quorum_settings, gql):
    _, token = make_user(quorum_app, "rita", Role.REQUESTER)
    job = gql.ok(CREATE_JOB, {"input": job_input(quorum_app, quorum_settings)}, token)["createJob"]
    guide = gql.ok(GUIDE, {"id": job["id"]}, token)["job"]
    assert guide["shortcuts"]["labels"][:2] == ["1", "2"]
    assert guide["shortcuts"]["submit"] == "Enter"
    assert guide["examples"] == []


def test_digit_labels_get_their_own_keys_in_job_shortcuts(quorum_app, quorum_settings, gql):
    _, token = make_user(quorum_app, "rita", Role.REQUESTER)
    digits = [str(digit) for digit in range(10)]
    fields = job_input(quorum_app, quorum_settings, labels=digits)
    job = gql.ok(CREATE_JOB, {"input": fields}, token)["createJob"]
    assert gql.ok(GUIDE, {"id": job["id"]}, token)["job"]["shortcuts"]["labels"] == digits


def test_a_job_rebinds_keys_and_shows_examples(quorum_app, quorum_settings, gql, quorum_client):
    _, token = make_user(quorum_app, "rita", Role.REQUESTER)
    picture = quorum_settings.objects_dir / "examples" / "smile.png"
    picture.parent.mkdir(parents=True)
    Image.new("RGB", (3, 3), "yellow").save(picture)
    fields = {
        "shortcuts": {"labels": ["a", "s"], "skip": "k", "undo": None},
        "examples": [
            {"label": "positive", "text": "Loved it", "note": "praise"},
            {"label": "negative", "image": f"file://{picture}"},
        ],
    }
    job = gql.ok(CREATE_JOB, {"input": job_input(quorum_app, quorum_settings, **fields)}, token)
    guide = gql.ok(GUIDE, {"id": job["createJob"]["id"]}, token)["job"]
    shortcuts = guide["shortcuts"]
    assert (shortcuts["labels"], shortcuts["skip"], shortcuts["undo"]) == (["a", "s"], "k", None)
    assert shortcuts["submit"] == "Enter"  # a default kept
    first, second = guide["examples"]
    assert first == {"label": "positive", "text": "Loved it", "note": "praise", "imageUrl": None}
    assert quorum_client.get(second["imageUrl"]).content == picture.read_bytes()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"shortcuts": ["Enter"]}, "shortcuts: must be a JSON object"),
        ({"shortcuts": {"jump": "j"}}, "shortcuts.jump: not an action"),
        ({"shortcuts": {"submit": "Enterr"}}, "shortcuts.submit: 'Enterr' is not a key"),
        ({"shortcuts": {"skip": " "}}, "shortcuts.skip: ' ' is not a key"),
        ({"shortcuts": {"labels": ["1"], "submit": "1"}}, "shortcuts.submit: '1' already"),
        ({"shortcuts": {"labels": ["a", "A"]}}, "shortcuts.labels[1]: 'A' already does"),
        ({"shortcuts": {"labels": ["a", "Shift+a"]}}, "'Shift+a' already does shortcuts.labels"),
        ({"shortcuts": {"skip": "Shift+Shift+k"}}, "'Shift+Shift+k' is not a key"),
        ({"shortcuts": {"help": "h", "skip": "?"}}, "shortcuts.skip: '?' always opens"),
        ({"shortcuts": {"labels": ["a", "b", "c"]}}, "shortcuts.labels: 3 keys for 2 label"),
        ({"examples": {"label": "positive"}}, "examples: must be a list"),
        ({"examples": [{"label": "meh", "text": "x"}]}, "examples[0].label: 'meh' is not one"),
        ({"examples": [{"text": "x"}]}, "examples[0].label: missing"),
        ({"examples": [{"label": "positive"}]}, "examples[0]: give a text or an image"),
        ({"examples": [{"label": "positive", "text": "x", "why": "y"}]}, "examples[0].why"),
        (
            {"examples": [{"label": "positive", "image": "file:///etc/passwd"}]},
            "examples[0].image: 'file:///etc/passwd' is outside the readable folders",
        ),
        ({"examples": [{"label": "positive", "text": "x"}] * 21}, "examples: at most 20"),
    ],
)
def test_bad_shortcuts_and_examples_name_the_field(
    quorum_app, quorum_settings, gql, fields, message
):
    _, token = make_user(quorum_app, "rita", Role.REQUESTER)
    error = gql.error(
        CREATE_JOB, {"input": job_input(quorum_app, quorum_settings, **fields)}, token
    )
    assert error.code == "BAD_INPUT"
    assert message in error.message
    assert row_counts(quorum_app)["jobs"] == 0
