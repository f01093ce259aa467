"""The committed SDL (web/schema.graphql) is what the code builds, and holds DESIGN.md's
contract."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema as parse_sdl

from quorum.graphql.schema import build_schema

SCHEMA_FILE = Path(__file__).parents[2] / "web" / "schema.graphql"


def test_committed_schema_matches_the_code():
    generated = build_schema().as_str() + "\n"
    assert SCHEMA_FILE.read_text() == generated, (
        "web/schema.graphql is out of date: run `make schema` and commit it"
    )


def test_schema_holds_the_design_contract():
    schema = parse_sdl(SCHEMA_FILE.read_text())
    query = schema.query_type.fields
    for name, args in {
        "viewer": [],
        "job": ["id"],
        "jobs": ["status", "first", "after"],
        "availableJobs": [],
        "taskTypes": [],
        "consensusAlgorithms": [],
        "autoLabelers": [],
        "teams": [],
        "auditEvents": ["jobId", "first", "after"],
    }.items():
        assert name in query, name
        assert list(query[name].args) == args, name
    mutation = schema.mutation_type.fields
    for name, args in {
        "createUser": ["input"],
        "createTeam": ["input"],
        "createJob": ["input"],
        "stopJob": ["id"],
        "claimTask": ["jobId"],
        "submitTask": ["taskId", "answer"],
        "releaseTask": ["taskId"],
    }.items():
        assert name in mutation, name
        assert list(mutation[name].args) == args, name
    assert list(schema.subscription_type.fields["jobProgress"].args) == ["jobId"]
    job_input = schema.type_map["CreateJobInput"].fields
    for field in (
        "name taskType inputManifest labels labelAttributeName outputPath instructions "
        "fullInstructions template workforce teamId workersPerItem consensus pricePerTask "
        "taskTimeLimitSeconds taskAvailabilitySeconds maxConcurrentTasks maxHumanLabeledItems "
        "maxLabeledPercentage autoLabeling"
    ).split():
        assert field in job_input, field
    counters = schema.type_map["JobCounters"].fields
    assert {"total", "humanLabeled", "machineLabeled", "failed", "unlabeled", "inProgress"} <= set(
        counters
    )
    assert set(schema.type_map["JobCost"].fields) >= {"workforce", "service", "compute", "total"}
    assert set(schema.type_map["Role"].values) == {"ADMIN", "REQUESTER", "WORKER"}
    assert set(schema.type_map["JobStatus"].values) == {
        "INITIALIZING",
        "IN_PROGRESS",
        "COMPLETED",
        "FAILED",
        "STOPPING",
        "STOPPED",
    }
    task = schema.type_map["Task"].fields
    assert {"id", "job", "item", "status", "leaseExpiresAt", "input", "answer"} <= set(task)
    connection = schema.type_map["JobConnection"].fields
    assert {"edges", "pageInfo"} <= set(connection)
    assert {"hasNextPage", "endCursor"} <= set(schema.type_map["PageInfo"].fields)
