"""A worker's view of a job: what labeling needs, and FORBIDDEN for how the job is run and
where its data lives (server/graphql/README.md, note 1)."""

from __future__ import annotations

import pytest

from quorum.services import jobs as job_service
from quorum.statuses import Role
from quorum.testing import RunningJob, make_user, running_job

#: What the worker portal asks of a job (web/work/queries.js), and the rest a worker reads.
FOR_WORKERS = """
id name status taskType labels labelAttributeName auditLabelAttributeName instructions
fullInstructions shortcuts examples { label text note imageUrl } counters { total gold }
pricePerTask taskTimeLimitSeconds taskAvailabilitySeconds createdAt startedAt finishedAt
"""
#: The fields for the job's requester and admins only.
FOR_MANAGERS = (
    "workersPerItem",
    "maxWorkersPerItem",
    "targetConfidence",
    "gold { key manifest }",
    "consensus",
    "workforce",
    "teamId",
    "inputManifest",
    "outputPath",
    "outputManifest",
    "template",
    "maxConcurrentTasks",
    "maxHumanLabeledItems",
    "maxLabeledPercentage",
    "failureReason",
)
NON_NULL = {"workersPerItem", "consensus", "workforce", "inputManifest", "outputPath"}
JOB = "query($id: ID!) { job(id: $id) { %s } }"
AVAILABLE = "{ availableJobs { %s } }"
CLAIM = "mutation($id: ID) { claimTask(jobId: $id) { job { %s } } }"


@pytest.fixture
def job(quorum_app, quorum_settings, gql) -> RunningJob:
    """A running job with gold items and a template, as a requester may set one up."""
    return running_job(
        quorum_app,
        gql,
        quorum_settings,
        gold={"share": 0.1, "minAnswers": 2, "minAccuracy": 0.75},
        template="<p>{{ task.input.taskObject }}</p>",
        instructions="Is it positive?",
    )


def test_a_worker_reads_what_labeling_needs(job, gql):
    worker = job.workers[0][1]
    seen = gql.ok(JOB % FOR_WORKERS, {"id": job.id}, worker)["job"]
    assert (seen["name"], seen["labels"], seen["instructions"]) == (
        "job-1",
        ["negative", "positive"],
        "Is it positive?",
    )
    assert seen["counters"] == {"total": 3, "gold": 0}
    assert gql.ok(AVAILABLE % FOR_WORKERS, token=worker)["availableJobs"][0]["id"] == job.id
    assert gql.ok(CLAIM % FOR_WORKERS, {"id": job.id}, worker)["claimTask"]["job"]["id"] == job.id


@pytest.mark.parametrize("field", FOR_MANAGERS)
@pytest.mark.parametrize("query", [JOB, AVAILABLE, CLAIM], ids=["job", "availableJobs", "claim"])
def test_a_worker_gets_forbidden_for_the_managers_fields(job, gql, field, query):
    data, errors = gql.execute(query % f"id {field}", {"id": job.id}, job.workers[0][1])
    name = field.split()[0]
    root = {JOB: "job", AVAILABLE: "availableJobs", CLAIM: "claimTask"}[query]
    path = {JOB: [root, name], AVAILABLE: [root, 0, name], CLAIM: [root, "job", name]}[query]
    assert [(error.code, error.path) for error in errors] == [("FORBIDDEN", path)]
    assert errors[0].message == f"job {job.id}: {name} is for its requester and admins only"
    assert "manifest" not in repr(data) and "<p>" not in repr(data)


def test_one_check_answers_every_field_of_a_job(job, gql, monkeypatch):
    calls = []
    can_manage = job_service.can_manage
    monkeypatch.setattr(
        job_service, "can_manage", lambda user, row: calls.append(row.id) or can_manage(user, row)
    )
    nullable = [field for field in FOR_MANAGERS if field not in NON_NULL]
    data, errors = gql.execute(JOB % " ".join(nullable), {"id": job.id}, job.workers[0][1])
    assert sorted(error.path[1] for error in errors) == sorted(f.split()[0] for f in nullable)
    assert {error.code for error in errors} == {"FORBIDDEN"}
    assert data == {"job": {field.split()[0]: None for field in nullable}}
    assert calls == [int(job.id)]


def test_the_requester_and_admins_read_every_field(quorum_app, job, gql):
    _, admin = make_user(quorum_app, "ada", Role.ADMIN)
    for token in (job.requester, admin):
        seen = gql.ok(JOB % " ".join((FOR_WORKERS, *FOR_MANAGERS)), {"id": job.id}, token)["job"]
        assert seen["inputManifest"].endswith("job-1.manifest")
        assert seen["gold"] == {"key": "gold-label", "manifest": None}
        assert seen["template"] == "<p>{{ task.input.taskObject }}</p>"
        assert (seen["workersPerItem"], seen["teamId"]) == (1, str(job.team_id))
