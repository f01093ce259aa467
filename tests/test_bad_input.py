"""Every bad input gets a clear error, and nothing is half-written.

A refused call names the field (or the manifest line) that is wrong, carries the right
``extensions.code``, and leaves no job, item, task or audit event behind.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from quorum import hookimpl
from quorum.app import create_app
from quorum.consensus import ConsensusAlgorithm
from quorum.models import Task
from quorum.settings import Settings
from quorum.statuses import Role, TaskStatus, utcnow
from quorum.testing import (
    CREATE_JOB,
    JOB,
    AppClient,
    GraphQLClient,
    create_job,
    make_team,
    make_user,
    text_lines,
    write_manifest,
)
from tests.factories import row_counts, write_manifest_bytes

# -- a consensus algorithm no built-in task type can use ------------------------------------


class BoxVote(ConsensusAlgorithm):
    """Merges bounding boxes only."""

    name = "box-vote"
    description = "A test double for boxes."
    label_kinds = ("boxes",)


class BoxVotePlugin:
    """Adds ``box-vote``, so that a job can name an algorithm unfit for its task type."""

    @staticmethod
    @hookimpl
    def quorum_consensus_algorithms():
        return [BoxVote]


@pytest.fixture
def quorum_plugins():
    return [BoxVotePlugin]


# -- the people and the defaults ----------------------------------------------------------------


@dataclass
class Site:
    """An admin, a requester, two workers in team "crew", and a good manifest."""

    app: Starlette
    settings: Settings
    gql: GraphQLClient
    admin: str
    requester: str
    worker: str
    colleague: str
    team_id: int
    manifest: str

    def job_input(self, **changes: Any) -> dict[str, Any]:
        """A createJob input that is fine, with ``changes`` (``None`` leaves a field out)."""
        fields = {
            "name": "good-job",
            "taskType": "text-classification",
            "inputManifest": self.manifest,
            "labels": ["cat", "dog"],
            "teamId": str(self.team_id),
            **changes,
        }
        return {key: value for key, value in fields.items() if value is not None}

    def run_job(self, **changes: Any) -> dict[str, Any]:
        """Create a job, let the runner ingest it, and return it as its requester sees it."""
        job = create_job(self.gql, self.requester, **self.job_input(**changes))
        self.app.state.runner.run_until_idle()
        return self.job(job["id"])

    def job(self, job_id: str) -> dict[str, Any]:
        """The job, as its requester sees it."""
        job: dict[str, Any] = self.gql.ok(JOB, {"id": job_id}, self.requester)["job"]
        return job


@pytest.fixture
def site(quorum_app, quorum_settings, gql) -> Site:
    _, admin = make_user(quorum_app, "ada", Role.ADMIN)
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    worker_id, worker = make_user(quorum_app, "wim", Role.WORKER)
    colleague_id, colleague = make_user(quorum_app, "carl", Role.WORKER)
    team_id = make_team(quorum_app, "crew", [worker_id, colleague_id])
    manifest = write_manifest(quorum_settings, "pets.manifest", text_lines(2))
    return Site(
        quorum_app, quorum_settings, gql, admin, requester, worker, colleague, team_id, manifest
    )


# -- createJob ----------------------------------------------------------------------------------


def case(changes: dict[str, Any], code: str, *fragments: str, **kwargs: Any) -> Any:
    return pytest.param(changes, code, fragments, **kwargs)


LONG_NAME = "a" + "-b" * 40  # 81 characters, letters and single hyphens
LONG_ATTRIBUTE = "x" + "-y" * 70  # 141 characters

BAD_JOBS = [
    case({"name": "-leading-hyphen"}, "BAD_INPUT", "name", "-leading-hyphen", id="name-hyphen"),
    case({"name": "pets_2024"}, "BAD_INPUT", "name", "pets_2024", id="name-underscore"),
    case({"name": ""}, "BAD_INPUT", "name", id="name-empty"),
    case({"name": "a" * 64}, "BAD_INPUT", "name", id="name-64-chars"),
    case(
        {"name": LONG_NAME},
        "BAD_INPUT",
        "name",
        id="name-over-63-chars-with-hyphens",
    ),
    case(
        {"taskType": "video-tracking"},
        "BAD_INPUT",
        "taskType",
        "video-tracking",
        "image-classification",
        "text-classification",
        id="unknown-task-type",
    ),
    case({"labels": ["cat"]}, "BAD_INPUT", "labels", "at least 2", id="one-label"),
    case({"labels": []}, "BAD_INPUT", "labels", id="no-labels"),
    case(
        {"labels": [f"label-{n}" for n in range(1_001)]},
        "BAD_INPUT",
        "labels",
        "at most 1,000",
        id="over-1000-labels",
    ),
    case(
        {"instructions": "x" * 10_001},
        "BAD_INPUT",
        "instructions: at most 10,000 characters",
        id="instructions-too-long",
    ),
    case(
        {"fullInstructions": "x" * 100_001},
        "BAD_INPUT",
        "fullInstructions: at most 100,000 characters",
        id="full-instructions-too-long",
    ),
    case({"labels": ["cat", "dog", "cat"]}, "BAD_INPUT", "labels[2]", "'cat'", id="dup-label"),
    case({"labels": ["cat", "  "]}, "BAD_INPUT", "labels[1]", "empty", id="blank-label"),
    case({"labels": ["cat", ""]}, "BAD_INPUT", "labels[1]", "empty", id="empty-label"),
    case({"workersPerItem": 0}, "BAD_INPUT", "workersPerItem", "0", id="workers-0"),
    case({"workersPerItem": 10}, "BAD_INPUT", "workersPerItem", "10", id="workers-10"),
    case(
        {"consensus": "best-guess"},
        "BAD_INPUT",
        "consensus",
        "best-guess",
        "majority-vote",
        id="unknown-consensus",
    ),
    case(
        {"consensus": "box-vote"},
        "BAD_INPUT",
        "consensus",
        "box-vote",
        "text-classification",
        id="consensus-unfit-for-task-type",
    ),
    case(
        {"labelAttributeName": "pet-metadata"},
        "BAD_INPUT",
        "labelAttributeName",
        "pet-metadata",
        id="attribute-metadata",
    ),
    case({"labelAttributeName": "pet-ref"}, "BAD_INPUT", "labelAttributeName", id="attribute-ref"),
    case({"labelAttributeName": "source"}, "BAD_INPUT", "labelAttributeName", id="attr-source"),
    case({"labelAttributeName": "source-ref"}, "BAD_INPUT", "labelAttributeName", id="attr-sref"),
    case({"labelAttributeName": "pet name"}, "BAD_INPUT", "labelAttributeName", id="attr-space"),
    case(
        {"labelAttributeName": LONG_ATTRIBUTE},
        "BAD_INPUT",
        "labelAttributeName",
        id="attribute-over-127-chars-with-hyphens",
    ),
    case(
        {"inputManifest": "ftp://example.com/pets.manifest"},
        "BAD_INPUT",
        "ftp://example.com/pets.manifest",
        "file://",
        id="manifest-unknown-scheme",
    ),
    case({"inputManifest": "pets.manifest"}, "BAD_INPUT", "pets.manifest", id="manifest-no-scheme"),
    case(
        {"inputManifest": "file:///etc/passwd"},
        "BAD_INPUT",
        "file:///etc/passwd",
        "outside the readable folders",
        id="manifest-outside-roots",
    ),
    case(
        {"inputManifest": "file://etc/passwd"},
        "BAD_INPUT",
        "file://etc/passwd",
        "absolute path",
        id="manifest-relative-path",
    ),
    case(
        {"inputManifest": "s3://pets/pets.manifest"},
        "BAD_INPUT",
        "s3://pets/pets.manifest",
        "QUORUM_S3_ENDPOINT",
        id="manifest-s3-not-configured",
    ),
    case(
        {"inputManifest": "file:///" + "x" * 1100},
        "BAD_INPUT",
        "inputManifest",
        id="manifest-url-too-long",
    ),
    case(
        {"outputPath": "file:///etc/labels"},
        "BAD_INPUT",
        "file:///etc/labels",
        "outside the readable folders",
        id="output-outside-roots",
    ),
    case(
        {"outputPath": "gopher://example.com/out"},
        "BAD_INPUT",
        "gopher://example.com/out",
        id="output-unknown-scheme",
    ),
    case({"taskTimeLimitSeconds": 10}, "BAD_INPUT", "taskTimeLimitSeconds", id="time-limit-10"),
    case({"taskTimeLimitSeconds": 28_801}, "BAD_INPUT", "taskTimeLimitSeconds", id="time-limit-8h"),
    case(
        {"taskTimeLimitSeconds": 0},
        "BAD_INPUT",
        "taskTimeLimitSeconds",
        id="time-limit-0",
    ),
    case(
        {"taskAvailabilitySeconds": 5},
        "BAD_INPUT",
        "taskAvailabilitySeconds",
        id="availability-5",
    ),
    case({"maxConcurrentTasks": 0}, "BAD_INPUT", "maxConcurrentTasks", id="concurrent-0"),
    case({"maxHumanLabeledItems": 0}, "BAD_INPUT", "maxHumanLabeledItems", id="max-human-0"),
    case({"maxLabeledPercentage": 150}, "BAD_INPUT", "maxLabeledPercentage", id="percent-150"),
    case({"pricePerTask": -0.01}, "BAD_INPUT", "pricePerTask", id="negative-price"),
    case({"teamId": None}, "BAD_INPUT", "teamId", "private", id="private-without-team"),
    case({"teamId": "987654"}, "NOT_FOUND", "teamId", "987654", id="unknown-team"),
    case({"teamId": "abc"}, "BAD_INPUT", "teamId", "'abc'", id="malformed-team-id"),
    case(
        {"workforce": "mechanical-turk"},
        "BAD_INPUT",
        "workforce",
        "mechanical-turk",
        "private",
        id="unknown-workforce",
    ),
    case(
        {"taskType": "text-classification-multilabel", "autoLabeling": {"enabled": True}},
        "BAD_INPUT",
        "autoLabeling",
        "single-label classification",
        id="auto-labeling-multi-label",
    ),
    case(
        {"autoLabeling": {"enabled": True, "targetAccuracy": 1.5}},
        "BAD_INPUT",
        "autoLabeling.targetAccuracy",
        "between 0.5 and 0.999, got 1.5",
        id="auto-labeling-target-above-1",
    ),
    case(
        {"autoLabeling": {"enabled": True, "initialBatch": 5}},
        "BAD_INPUT",
        "autoLabeling.initialBatch",
        "between 10 and 100000, got 5",
        id="auto-labeling-tiny-first-batch",
    ),
    case(
        {"autoLabeling": {"enabled": True, "folds": 1}},
        "BAD_INPUT",
        "autoLabeling.folds",
        "between 2 and 20, got 1",
        id="auto-labeling-one-fold",
    ),
    case(
        {"autoLabeling": {"enabled": True, "validation": "k-fold"}},
        "BAD_INPUT",
        "autoLabeling.validation",
        "one of cross-validation, holdout, got 'k-fold'",
        id="auto-labeling-unknown-validation",
    ),
    case(
        {"autoLabeling": {"enabled": True, "model": "resnet"}},
        "BAD_INPUT",
        "autoLabeling.model",
        "resnet",
        id="unknown-auto-labeling-model",
    ),
    case(
        {"workersPerItem": 3, "maxWorkersPerItem": 2},
        "BAD_INPUT",
        "maxWorkersPerItem: must be between",
        id="max-workers-below-workers",
    ),
    case(
        {"maxWorkersPerItem": 10},
        "BAD_INPUT",
        "maxWorkersPerItem: must be between workersPerItem (1) and 9",
        id="max-workers-over-9",
    ),
    case(
        {"maxWorkersPerItem": 3, "targetConfidence": 0.99},
        "BAD_INPUT",
        "targetConfidence: must be above 0",
        id="target-confidence-over-cap",
    ),
    case(
        {"maxWorkersPerItem": 3, "targetConfidence": 0},
        "BAD_INPUT",
        "targetConfidence: must be above 0",
        id="target-confidence-zero",
    ),
    case(
        {"targetConfidence": 0.8},
        "BAD_INPUT",
        "targetConfidence: only used with maxWorkersPerItem",
        id="target-confidence-alone",
    ),
    case({"gold": {"share": 0}}, "BAD_INPUT", "gold.share: must be above 0", id="gold-share-zero"),
    case(
        {"gold": {"share": 1.5}},
        "BAD_INPUT",
        "gold.share: must be above 0 and at most 1",
        id="gold-share-over-1",
    ),
    case(
        {"gold": {"minAccuracy": 1.2}},
        "BAD_INPUT",
        "gold.minAccuracy",
        id="gold-min-accuracy-over-1",
    ),
    case(
        {"gold": {"minAnswers": 0}},
        "BAD_INPUT",
        "gold.minAnswers: must be between 1 and 1000",
        id="gold-min-answers-zero",
    ),
    case(
        {"gold": {"key": "source"}},
        "BAD_INPUT",
        "gold.key: 'source' must name a manifest key",
        id="gold-key-source",
    ),
    case(
        {"gold": {"manifest": "ftp://example.com/gold.manifest"}},
        "BAD_INPUT",
        "gold.manifest: ",
        "ftp://example.com/gold.manifest",
        id="gold-manifest-unknown-scheme",
    ),
    case(
        {"gold": {"manifest": "gold.manifest"}},
        "BAD_INPUT",
        "gold.manifest: ",
        id="gold-manifest-no-scheme",
    ),
    case(
        {"gold": {"manifest": "file:///etc/passwd"}},
        "BAD_INPUT",
        "gold.manifest: ",
        "file:///etc/passwd",
        "outside the readable folders",
        id="gold-manifest-outside-roots",
    ),
    case(
        {"gold": {"manifest": "file:///" + "x" * 1100}},
        "BAD_INPUT",
        "gold.manifest: at most 1024 characters",
        id="gold-manifest-url-too-long",
    ),
    case(
        {
            "taskType": "text-classification-multilabel",
            "gold": {"manifest": "file:///objects/gold.manifest"},
        },
        "BAD_INPUT",
        "gold: gold items are supported for single-label classification only",
        id="gold-manifest-multilabel",
    ),
]


@pytest.mark.parametrize(("changes", "code", "fragments"), BAD_JOBS)
def test_create_job_refuses_bad_input(site, changes, code, fragments):
    before = row_counts(site.app)
    error = site.gql.error(CREATE_JOB, {"input": site.job_input(**changes)}, site.requester)
    assert error.code == code, error
    for fragment in fragments:
        assert fragment in error.message, (fragment, error.message)
    assert row_counts(site.app) == before
    jobs = site.gql.ok("{ jobs { edges { node { id } } } }", token=site.admin)["jobs"]
    assert jobs["edges"] == []


def test_a_taken_job_name_is_a_conflict(site):
    create_job(site.gql, site.requester, **site.job_input())
    before = row_counts(site.app)
    error = site.gql.error(CREATE_JOB, {"input": site.job_input()}, site.requester)
    assert error.code == "CONFLICT"
    assert "name" in error.message
    assert "'good-job'" in error.message
    assert row_counts(site.app) == before


def test_the_good_input_of_these_tests_is_accepted(site):
    job = create_job(site.gql, site.requester, **site.job_input())
    assert job["status"] == "INITIALIZING"


# -- manifests ----------------------------------------------------------------------------------

GOOD = '{"source": "a fine text"}'


def lines(*rows: str) -> bytes:
    return "".join(row + "\n" for row in rows).encode()


BAD_MANIFESTS = [
    pytest.param(
        lines(GOOD, GOOD, '{"source": "cut short",'), 3, ["not valid JSON"], id="bad-json"
    ),
    pytest.param(lines(GOOD, '["a", "list"]'), 2, ["JSON object", "list"], id="json-array"),
    pytest.param(lines("42"), 1, ["JSON object", "int"], id="json-number"),
    pytest.param(
        lines('{"source": "text", "source-ref": "file:///data/a.jpg"}'),
        1,
        ['"source-ref" and "source"', "found source-ref and source"],
        id="both-sources",
    ),
    pytest.param(lines(GOOD, '{"id": 7}'), 2, ["found neither"], id="no-source"),
    pytest.param(
        lines('{"source-ref": "file:///data/a.jpg"}'),
        1,
        ["text-classification", 'inline text under "source"'],
        id="source-ref-for-text",
    ),
    pytest.param(lines('{"source": ""}'), 1, ['"source"', "non-empty string"], id="empty-source"),
    pytest.param(
        lines(GOOD, json.dumps({"source": "x" * 100_001})),
        2,
        ["longer than 100,000 characters"],
        id="line-too-long",
    ),
    pytest.param(
        lines(json.dumps({"source": "x", "note": "n" * 20_001})),
        1,
        ["'note'", "20,000 characters"],
        id="attribute-too-long",
    ),
    pytest.param(
        lines(GOOD, '{"source": "a", "$price": 3}'), 2, ["'$price'", "$"], id="dollar-attribute"
    ),
    pytest.param(lines(GOOD) + b'{"source": "caf\xe9"}\n', 2, ["not UTF-8"], id="not-utf8"),
    pytest.param(
        lines(GOOD, '{"source": "x", "n": ' + "1" * 5_000 + "}"),
        2,
        ["line 2"],
        id="huge-integer",
    ),
    pytest.param(
        lines(GOOD, '{"source": "x", "scores": [1, NaN]}'),
        2,
        ["line 2", "scores[1]", "not a JSON number"],
        id="nan",
    ),
    pytest.param(lines('{"source": "x", "n": 1e999}'), 1, ["line 1", "n: inf"], id="infinity"),
    pytest.param(
        lines('{"source": "x", "n": ' + "[" * 20_000 + "]" * 20_000 + "}"),
        1,
        ["line 1"],
        id="deeply-nested",
    ),
]


AUDIT = "query($id: ID) { auditEvents(jobId: $id) { edges { node { action } } } }"


def assert_failed_with_nothing_left(
    site: Site, job: dict[str, Any], *fragments: str, field: str = "inputManifest"
) -> None:
    assert job["status"] == "FAILED", job
    reason = job["failureReason"]
    assert reason.startswith(f"{field}: "), reason
    for fragment in fragments:
        assert fragment in reason, (fragment, reason)
    assert job["counters"]["total"] == 0
    assert row_counts(site.app, job["id"])["items"] == 0
    trail = site.gql.ok(AUDIT, {"id": job["id"]}, site.requester)["auditEvents"]["edges"]
    assert [edge["node"]["action"] for edge in trail][-1] == "job.failed"


@pytest.mark.parametrize(("data", "line", "fragments"), BAD_MANIFESTS)
def test_a_bad_manifest_line_fails_the_job_naming_the_line(site, data, line, fragments):
    manifest = write_manifest_bytes(site.settings, "bad.manifest", data)
    job = site.run_job(inputManifest=manifest)
    assert_failed_with_nothing_left(site, job, f"line {line}: ", *fragments)


def test_a_source_ref_outside_the_readable_folders_fails_the_job(site):
    inside = site.settings.objects_dir / "images" / "cat.jpg"
    manifest = write_manifest(
        site.settings,
        "images.manifest",
        [{"source-ref": f"file://{inside}"}, {"source-ref": "file:///etc/passwd"}],
    )
    job = site.run_job(taskType="image-classification", inputManifest=manifest)
    assert_failed_with_nothing_left(
        site, job, "line 2: ", "source-ref", "file:///etc/passwd", "outside the readable"
    )


@pytest.mark.parametrize("data", [b"", b"\n\n  \n"], ids=["empty-file", "only-blank-lines"])
def test_an_empty_manifest_fails_the_job(site, data):
    manifest = write_manifest_bytes(site.settings, "empty.manifest", data)
    job = site.run_job(inputManifest=manifest)
    assert_failed_with_nothing_left(site, job, "holds no items")


def test_a_missing_manifest_fails_the_job(site):
    missing = f"file://{site.settings.objects_dir}/inputs/nowhere.manifest"
    job = site.run_job(inputManifest=missing)
    assert_failed_with_nothing_left(site, job, missing, "does not exist")


def test_a_bad_last_line_of_a_big_manifest_leaves_no_items(site):
    # Ingest inserts 20,000 lines per transaction: two batches are in before line 50,001.
    manifest = write_manifest(site.settings, "big.manifest", [*text_lines(50_000), "{oops"])
    job = site.run_job(inputManifest=manifest)
    assert_failed_with_nothing_left(site, job, "line 50001: ", "not valid JSON")
    assert row_counts(site.app)["items"] == 0


# -- gold manifests -----------------------------------------------------------------------------

GOLD_LINE = '{"source": "a known text", "gold-label": "cat"}'

BAD_GOLD_MANIFESTS = [
    pytest.param(
        lines(GOLD_LINE, '{"source": "no known label"}'),
        ["line 2: ", "has no 'gold-label'", "every line of a gold manifest"],
        id="line-without-the-key",
    ),
    pytest.param(
        lines(GOLD_LINE, '{"source": "x", "gold-label": "horse"}'),
        ["line 2: ", "gold-label 'horse' is not one of this job's labels (cat, dog)"],
        id="label-not-in-the-jobs-labels",
    ),
    pytest.param(
        lines(GOLD_LINE, GOLD_LINE, '{"source": "cut short",'),
        ["line 3: ", "not valid JSON"],
        id="bad-json",
    ),
    pytest.param(lines('{"gold-label": "cat"}'), ["line 1: ", "found neither"], id="no-source"),
    pytest.param(b"\n\n", ["the gold manifest holds no items"], id="empty"),
]


@pytest.mark.parametrize(("data", "fragments"), BAD_GOLD_MANIFESTS)
def test_a_bad_gold_manifest_fails_the_job_naming_the_line(site, data, fragments):
    gold = write_manifest_bytes(site.settings, "gold.manifest", data)
    job = site.run_job(gold={"manifest": gold})
    assert_failed_with_nothing_left(site, job, *fragments, field="gold.manifest")


def test_a_missing_gold_manifest_fails_the_job(site):
    missing = f"file://{site.settings.objects_dir}/inputs/no-gold.manifest"
    job = site.run_job(gold={"manifest": missing})
    assert_failed_with_nothing_left(site, job, missing, "does not exist", field="gold.manifest")


def test_a_bad_gold_manifest_after_a_big_input_manifest_leaves_no_items(site):
    # The input manifest's two batches of 20,000 items are in before the gold manifest fails.
    manifest = write_manifest(site.settings, "big.manifest", text_lines(40_001))
    gold = write_manifest(site.settings, "gold.manifest", [{"source": "known"}])
    job = site.run_job(inputManifest=manifest, gold={"manifest": gold})
    assert_failed_with_nothing_left(site, job, "line 1: ", field="gold.manifest")
    assert row_counts(site.app)["items"] == 0


# -- submitTask, claimTask, releaseTask -----------------------------------------------------

CLAIM = """
mutation($jobId: ID) {
  claimTask(jobId: $jobId) { id status answer item { id position answersCount } }
}
"""
SUBMIT = """
mutation($id: ID!, $answer: JSON!) {
  submitTask(taskId: $id, answer: $answer) { id status answer item { id answersCount } }
}
"""
RELEASE = "mutation($id: ID!) { releaseTask(taskId: $id) { id status } }"


@dataclass
class Claimed:
    """A running job (price 0.05 per task, one worker per item) and the task ``worker``
    holds."""

    site: Site
    job_id: str
    task: dict[str, Any]

    def submit(self, answer: Any, token: str | None = None) -> tuple[Any, list[Any]]:
        return self.site.gql.execute(
            SUBMIT, {"id": self.task["id"], "answer": answer}, token or self.site.worker
        )

    def held(self) -> dict[str, Any]:
        """The worker's task as a reload shows it."""
        task: dict[str, Any] = self.site.gql.ok(CLAIM, {"jobId": self.job_id}, self.site.worker)[
            "claimTask"
        ]
        return task


def start(site: Site, manifest_lines: Sequence[dict[str, Any]], **changes: Any) -> str:
    manifest = write_manifest(site.settings, "work.manifest", manifest_lines)
    job = site.run_job(inputManifest=manifest, pricePerTask=0.05, **changes)
    assert job["status"] == "IN_PROGRESS", job
    job_id: str = job["id"]
    return job_id


@pytest.fixture
def claimed(site) -> Claimed:
    job_id = start(site, text_lines(2), taskTimeLimitSeconds=30)
    task = site.gql.ok(CLAIM, {"jobId": job_id}, site.worker)["claimTask"]
    assert task["status"] == "ASSIGNED"
    return Claimed(site, job_id, task)


BAD_ANSWERS = [
    pytest.param("cat", ["answer", "JSON object"], id="a-string"),
    pytest.param(["cat"], ["answer", "JSON object"], id="a-list"),
    pytest.param(42, ["answer", "JSON object"], id="a-number"),
    pytest.param({}, ["answer.label", "missing"], id="no-label"),
    pytest.param({"labels": ["cat"]}, ["answer.label", "missing"], id="labels-not-label"),
    pytest.param({"label": "bird"}, ["answer.label", "'bird'", "cat, dog"], id="unknown-label"),
    pytest.param({"label": "cat", "mood": "smug"}, ["answer.mood", "unknown"], id="extra-field"),
    pytest.param({"label": 1}, ["answer.label", "string"], id="label-not-a-string"),
    pytest.param({"label": "cat", "workerComment": 5}, ["answer.workerComment"], id="bad-comment"),
    pytest.param(
        {"label": "cat", "workerComment": "x" * 1_001},
        ["answer.workerComment", "at most 1,000 characters"],
        id="comment-too-long",
    ),
]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        pytest.param('{"label": "cat", "score": NaN}', "variables.answer.score: nan", id="nan"),
        pytest.param(
            '{"label": "cat", "boxes": [{"left": -Infinity}]}',
            "variables.answer.boxes[0].left: -inf",
            id="infinity",
        ),
    ],
)
def test_nan_or_infinity_in_an_answer_is_refused(claimed, raw, fragment):
    before = row_counts(claimed.site.app)
    body = (
        '{"query": '
        + json.dumps(SUBMIT)
        + ', "variables": {"id": "'
        + claimed.task["id"]
        + '", "answer": '
        + raw
        + "}}"
    )
    response = claimed.site.gql.client.post(
        "/graphql",
        content=body,
        headers={
            "Authorization": f"Bearer {claimed.site.worker}",
            "Content-Type": "application/json",
        },
    )
    assert "NaN" not in response.text and "Infinity" not in response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert error["message"].startswith(fragment), error["message"]
    assert "not a JSON number" in error["message"]
    assert row_counts(claimed.site.app) == before
    assert claimed.held()["status"] == "ASSIGNED"


@pytest.mark.parametrize(("answer", "fragments"), BAD_ANSWERS)
def test_a_bad_answer_is_refused_and_the_task_stays_assigned(claimed, answer, fragments):
    before = row_counts(claimed.site.app)
    data, errors = claimed.submit(answer)
    assert [error.code for error in errors] == ["BAD_INPUT"], errors
    for fragment in fragments:
        assert fragment in errors[0].message, (fragment, errors[0].message)
    assert data is None
    assert row_counts(claimed.site.app) == before
    held = claimed.held()
    assert held["id"] == claimed.task["id"]
    assert held["status"] == "ASSIGNED"
    assert held["answer"] is None
    assert held["item"]["answersCount"] == 0
    # ... and the worker can still answer it properly.
    data, errors = claimed.submit({"label": "cat"})
    assert errors == []
    assert data["submitTask"]["status"] == "SUBMITTED"


def test_submitting_the_same_answer_twice_counts_once(claimed):
    site = claimed.site
    first, errors = claimed.submit({"label": "dog", "workerComment": "fluffy"})
    assert errors == []
    after_first = row_counts(site.app)
    again, errors = claimed.submit({"label": "dog", "workerComment": "fluffy"})
    assert errors == []
    assert again == first
    assert again["submitTask"]["item"]["answersCount"] == 1
    assert row_counts(site.app) == after_first  # no second audit event either
    assert site.job(claimed.job_id)["cost"]["workforce"] == 0.05


def test_a_different_second_answer_is_a_conflict(claimed):
    site = claimed.site
    _, errors = claimed.submit({"label": "dog"})
    assert errors == []
    before = row_counts(site.app)
    _, errors = claimed.submit({"label": "cat"})
    assert [error.code for error in errors] == ["CONFLICT"]
    assert claimed.task["id"] in errors[0].message
    assert row_counts(site.app) == before
    with site.app.state.db.read() as session:
        row = session.get(Task, int(claimed.task["id"]))
        assert row.answer == {"label": "dog"}
    assert site.job(claimed.job_id)["cost"]["workforce"] == 0.05


# Python's int() reads all but the first four as 1: only the canonical spelling names an id.
NON_CANONICAL_IDS = [" 1", "1 ", "01", "+1", "1_0", "\u0661", "\U0001d7cf", "\u00b9"]


@pytest.mark.parametrize("bad_id", ["abc", "0", "-3", "1.5", "", *NON_CANONICAL_IDS])
@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ("mutation($id: ID) { claimTask(jobId: $id) { id } }", "jobId"),
        ('mutation($id: ID!) { submitTask(taskId: $id, answer: {label: "cat"}) { id } }', "taskId"),
        ("mutation($id: ID!) { releaseTask(taskId: $id) { id } }", "taskId"),
    ],
    ids=["claimTask", "submitTask", "releaseTask"],
)
def test_a_malformed_id_is_bad_input(claimed, query, argument, bad_id):
    before = row_counts(claimed.site.app)
    error = claimed.site.gql.error(query, {"id": bad_id}, claimed.site.worker)
    assert error.code == "BAD_INPUT"
    assert argument in error.message
    assert repr(bad_id) in error.message
    assert row_counts(claimed.site.app) == before


@pytest.mark.parametrize(
    "query",
    [
        "mutation($id: ID) { claimTask(jobId: $id) { id } }",
        'mutation($id: ID!) { submitTask(taskId: $id, answer: {label: "cat"}) { id } }',
        "mutation($id: ID!) { releaseTask(taskId: $id) { id } }",
    ],
    ids=["claimTask", "submitTask", "releaseTask"],
)
def test_an_unknown_id_is_not_found(claimed, query):
    before = row_counts(claimed.site.app)
    error = claimed.site.gql.error(query, {"id": "424242"}, claimed.site.worker)
    assert error.code == "NOT_FOUND"
    assert "424242" in error.message
    assert row_counts(claimed.site.app) == before


HUGE_ID = "99999999999999999999"  # more than a 64-bit key holds


@pytest.mark.parametrize(
    "query",
    [
        'mutation($id: ID!) { submitTask(taskId: $id, answer: {label: "cat"}) { id } }',
        "mutation($id: ID!) { releaseTask(taskId: $id) { id } }",
        "mutation($id: ID) { claimTask(jobId: $id) { id } }",
    ],
    ids=["submitTask", "releaseTask", "claimTask"],
)
def test_an_id_beyond_64_bits_is_refused_cleanly(claimed, query):
    error = claimed.site.gql.error(query, {"id": HUGE_ID}, claimed.site.worker)
    assert error.code in {"BAD_INPUT", "NOT_FOUND"}, error


@pytest.mark.parametrize("bad_id", [*NON_CANONICAL_IDS, "9223372036854775808"])
def test_a_job_id_must_be_spelled_canonically(site, bad_id):
    job = create_job(site.gql, site.requester, **site.job_input())
    assert job["id"] == "1"
    query = "query($id: ID!) { job(id: $id) { id } }"
    assert site.gql.ok(query, {"id": "1"}, site.requester) == {"job": {"id": "1"}}
    assert site.gql.ok(query, {"id": "9223372036854775807"}, site.requester) == {"job": None}
    error = site.gql.error(query, {"id": bad_id}, site.requester)
    assert (error.code, error.message) == ("BAD_INPUT", f"id: {bad_id!r} is not a valid id")


@pytest.mark.parametrize("key", ["01", " 1", "\u0661", "0", "9223372036854775808"])
def test_a_cursor_must_name_a_canonical_id(site, key):
    create_job(site.gql, site.requester, **site.job_input())
    cursor = base64.urlsafe_b64encode(f"id:{key}".encode()).decode()
    query = "query($after: String) { jobs(after: $after) { edges { node { id } } } }"
    error = site.gql.error(query, {"after": cursor}, site.requester)
    assert (error.code, error.message) == (
        "BAD_INPUT",
        f"after: {cursor!r} is not a cursor from this API",
    )


@pytest.mark.parametrize("ref", ["01", "\u0661", "\u00b2", "99999999999999999999"])
def test_the_command_line_finds_users_and_organizations_by_canonical_ids_only(site, ref):
    from quorum.errors import NotFound
    from quorum.services.organizations import find_organization
    from quorum.services.users import find_user

    with site.app.state.db.read() as session:
        assert find_user(session, "1").name == "ada"
        with pytest.raises(NotFound, match="no user with name or id"):
            find_user(session, ref)
        assert find_organization(session, "1").id == 1
        with pytest.raises(NotFound, match="no organization with name or id"):
            find_organization(session, ref)


def expire(site: Site, task_id: str) -> None:
    """Move a task's lease into the past, as if its worker had walked away."""
    with site.app.state.db.write() as session:
        row = session.get(Task, int(task_id))
        row.lease_expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)


def test_an_answer_after_the_time_limit_is_lease_expired(claimed):
    site = claimed.site
    expire(site, claimed.task["id"])
    before = row_counts(site.app)
    data, errors = claimed.submit({"label": "cat"})
    assert [error.code for error in errors] == ["LEASE_EXPIRED"]
    assert "time limit" in errors[0].message
    assert data is None
    assert row_counts(site.app) == before
    with site.app.state.db.read() as session:
        row = session.get(Task, int(claimed.task["id"]))
        assert row.status == TaskStatus.ASSIGNED
        assert row.answer is None
    # Once the runner has expired the lease, the answer is still refused the same way.
    site.app.state.runner.run_until_idle()
    data, errors = claimed.submit({"label": "cat"})
    assert [error.code for error in errors] == ["LEASE_EXPIRED"]
    assert site.job(claimed.job_id)["cost"]["workforce"] == 0


def test_a_released_task_goes_to_the_next_worker(site):
    job_id = start(site, text_lines(1))
    mine = site.gql.ok(CLAIM, {"jobId": job_id}, site.worker)["claimTask"]
    assert site.gql.ok(CLAIM, {"jobId": job_id}, site.colleague)["claimTask"] is None
    released = site.gql.ok(RELEASE, {"id": mine["id"]}, site.worker)["releaseTask"]
    assert released == {"id": mine["id"], "status": "RELEASED"}
    theirs = site.gql.ok(CLAIM, {"jobId": job_id}, site.colleague)["claimTask"]
    assert theirs["item"]["id"] == mine["item"]["id"]
    assert theirs["id"] != mine["id"]
    # The item never comes back to the worker who gave it up.
    assert site.gql.ok(CLAIM, {"jobId": job_id}, site.worker)["claimTask"] is None


# -- GraphQL itself -----------------------------------------------------------------------------


def test_a_query_deeper_than_the_limit_is_refused(site):
    too_deep = "{ viewer { " + "a { " * 11 + "b" + " }" * 11 + " } }"
    data, errors = site.gql.execute(too_deep, token=site.admin)
    assert data is None
    assert any("depth of 10" in error.message for error in errors), errors


@pytest.fixture
def strict_client(quorum_settings) -> Iterator[AppClient]:
    """A server that takes at most 1,000-byte bodies and queries 4 deep."""
    settings = quorum_settings.with_overrides(
        max_request_bytes=1000, max_query_depth=4, max_anonymous_query_cost=50_000
    )
    client = AppClient(create_app(settings))
    try:
        yield client
    finally:
        client.close()


DEEP_VALID = "{ jobs { edges { node { items { edges { node { id } } } } } } }"


def test_the_depth_limit_refuses_an_otherwise_valid_query(strict_client):
    body = strict_client.post("/graphql", json={"query": DEEP_VALID}).json()
    assert body["data"] is None
    assert "exceeds maximum operation depth of 4" in body["errors"][0]["message"]
    shallow = strict_client.post("/graphql", json={"query": "{ taskTypes { name } }"}).json()
    assert shallow["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # it got through


def test_a_body_over_the_size_limit_gets_413(strict_client):
    small = json.dumps({"query": "{ taskTypes { name } }"}).encode()
    response = strict_client.post(
        "/graphql", content=small, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    big = json.dumps({"query": "{ taskTypes { name } }", "variables": {"pad": "x" * 2000}})
    response = strict_client.post(
        "/graphql", content=big.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "1,000 bytes" in response.text


def test_a_streamed_body_over_the_size_limit_gets_413(strict_client):
    big = json.dumps({"query": "{ taskTypes { name } }", "variables": {"pad": "x" * 2000}})

    async def chunks():  # no Content-Length: the server must count as it reads
        data = big.encode()
        for start in range(0, len(data), 100):
            yield data[start : start + 100]

    response = strict_client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("{ jobs(first: 0) { edges { cursor } } }", "first"),
        ("{ jobs(first: 5000) { edges { cursor } } }", "first"),
        ("{ jobs(first: -1) { edges { cursor } } }", "first"),
        ('{ jobs(after: "garbage") { edges { cursor } } }', "after"),
        ('{ jobs(after: "aWQ6YWJj") { edges { cursor } } }', "after"),  # "id:abc"
        ("{ auditEvents(first: 0) { edges { cursor } } }", "first"),
        ('{ auditEvents(after: "garbage") { edges { cursor } } }', "after"),
    ],
    ids=[
        "first-0",
        "first-5000",
        "first-negative",
        "after-garbage",
        "after-not-an-id",
        "audit-first-0",
        "audit-after-garbage",
    ],
)
def test_bad_pagination_is_bad_input(site, query, fragment):
    error = site.gql.error(query, token=site.admin)
    assert error.code == "BAD_INPUT"
    assert error.message.startswith(f"{fragment}:")


def test_bad_pagination_of_items_is_bad_input(site):
    job = create_job(site.gql, site.requester, **site.job_input())
    query = "query($id: ID!) { job(id: $id) { items(first: 1001) { edges { cursor } } } }"
    error = site.gql.error(query, {"id": job["id"]}, site.requester)
    assert error.code == "BAD_INPUT"
    assert "first" in error.message


def test_a_cursor_beyond_64_bits_is_bad_input(site):
    cursor = base64.urlsafe_b64encode(b"id:" + HUGE_ID.encode()).decode()
    query = "query($after: String) { jobs(after: $after) { edges { cursor } } }"
    error = site.gql.error(query, {"after": cursor}, site.admin)
    assert error.code == "BAD_INPUT", error


def test_a_job_id_beyond_64_bits_is_refused_cleanly(site):
    _, errors = site.gql.execute(
        "query($id: ID!) { job(id: $id) { id } }", {"id": HUGE_ID}, site.admin
    )
    assert [error.code for error in errors] in ([], ["BAD_INPUT"]), errors


def test_a_team_or_user_name_over_the_limit_is_refused(site):
    long_name = "n" * 201
    error = site.gql.error(
        "mutation($name: String!) { createTeam(input: {name: $name, memberIds: []}) { id } }",
        {"name": long_name},
        site.requester,
    )
    assert (error.code, error.message) == ("BAD_INPUT", "name: at most 200 characters, got 201")


def test_a_graphql_body_gets_a_smaller_limit_than_an_upload(quorum_settings):
    settings = quorum_settings.with_overrides(max_graphql_request_bytes=2000)
    client = AppClient(create_app(settings))
    try:
        big = json.dumps({"query": "{ taskTypes { name } }", "variables": {"pad": "x" * 3000}})
        headers = {"content-type": "application/json", "authorization": "Bearer nobody"}
        refused = client.post("/graphql", content=big.encode(), headers=headers)
        uploaded = client.post("/uploads", content=b"x" * 3000, headers=headers)
    finally:
        client.close()
    assert refused.status_code == 413
    assert "2,000 bytes" in refused.text
    assert uploaded.status_code != 413  # the upload route keeps QUORUM_MAX_REQUEST_BYTES
    assert Settings.from_env({}).max_graphql_request_bytes == 4 * 1024 * 1024
