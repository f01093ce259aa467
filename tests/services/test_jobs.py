"""The layers that describe a job agree: ``createJob``'s input has ``JobSpec``'s fields,
each ``JobSpec`` field is the job row's column of the same name (which ``create_job``
stores once its defaults are settled), and what a requester sets reads back as set."""

from __future__ import annotations

from dataclasses import fields

from quorum import models
from quorum.graphql.mutations.jobs import CreateJobInput
from quorum.services.gold import GoldSettings
from quorum.services.jobs import JobSpec
from quorum.testing import running_job

SETTINGS = """
query($id: ID!) { job(id: $id) {
  workersPerItem maxWorkersPerItem targetConfidence consensus workforce pricePerTask
  taskTimeLimitSeconds taskAvailabilitySeconds maxConcurrentTasks maxHumanLabeledItems
  maxLabeledPercentage instructions fullInstructions labelAttributeName
  gold { key minAccuracy minAnswers share manifest }
} }
"""


def test_every_job_spec_field_is_a_job_column():
    # A row ignores a keyword it has no column for: a field missing there would be lost.
    assert {field.name for field in fields(JobSpec)} <= set(models.Job.model_fields)


def test_create_job_input_has_the_job_spec_fields():
    assert {field.name for field in fields(CreateJobInput)} == {
        field.name for field in fields(JobSpec)
    }


def test_what_a_requester_sets_reads_back_with_the_defaults_settled(
    quorum_app, quorum_settings, gql
):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        workersPerItem=2,
        maxWorkersPerItem=4,
        pricePerTask=0.05,
        taskAvailabilitySeconds=3_600,
        maxConcurrentTasks=50,
        maxHumanLabeledItems=100,
        maxLabeledPercentage=80.0,
        instructions="Is it positive?",
        fullInstructions="<p>Read it all.</p>",
        gold={"minAccuracy": 0.8, "share": 0.25},
    )
    seen = gql.ok(SETTINGS, {"id": job.id}, job.requester)["job"]
    assert seen == {
        "workersPerItem": 2,
        "maxWorkersPerItem": 4,
        "targetConfidence": 0.9,
        "consensus": "dawid-skene",
        "workforce": "private",
        "pricePerTask": 0.05,
        "taskTimeLimitSeconds": 3_600,
        "taskAvailabilitySeconds": 3_600,
        "maxConcurrentTasks": 50,
        "maxHumanLabeledItems": 100,
        "maxLabeledPercentage": 80.0,
        "instructions": "Is it positive?",
        "fullInstructions": "<p>Read it all.</p>",
        "labelAttributeName": "job-1",
        "gold": {
            "key": "gold-label",
            "minAccuracy": 0.8,
            "minAnswers": 3,
            "share": 0.25,
            "manifest": None,
        },
    }


def test_gold_settings_are_stored_with_their_defaults_and_read_back_alike():
    asked = GoldSettings.from_json({"key": "known", "minAccuracy": None, "share": 0.5})
    assert asked == GoldSettings(key="known", share=0.5)
    stored = asked.to_json()
    assert stored == {
        "key": "known",
        "minAccuracy": 0.7,
        "minAnswers": 3,
        "share": 0.5,
        "manifest": None,
    }
    assert GoldSettings.from_json(stored) == asked
    assert GoldSettings.from_json(None) is None
