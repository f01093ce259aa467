"""A whole job through the GraphQL API: three workers per item, output in GT's format."""

from __future__ import annotations

from datetime import datetime

from quorum.statuses import Role
from quorum.testing import (
    CLAIM,
    JOB,
    SUBMIT,
    create_job,
    make_team,
    make_user,
    read_output,
    text_lines,
    write_manifest,
)


def test_full_job_with_three_workers_per_item(quorum_app, quorum_settings, gql):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    workers = [make_user(quorum_app, f"worker-{n}", Role.WORKER) for n in range(3)]
    team_id = make_team(quorum_app, "crew", [worker_id for worker_id, _ in workers])
    manifest = write_manifest(quorum_settings, "reviews.manifest", text_lines(4))
    job = create_job(
        gql,
        requester,
        name="Sentiment-1",
        taskType="text-classification",
        inputManifest=manifest,
        labels=["negative", "positive"],
        labelAttributeName="sentiment",
        teamId=str(team_id),
        workersPerItem=3,
        pricePerTask=0.012,
    )
    assert job["status"] == "INITIALIZING"
    assert job["consensus"] == "dawid-skene"  # the default for classification
    runner = quorum_app.state.runner
    runner.run_until_idle()
    status = gql.ok(JOB, {"id": job["id"]}, requester)["job"]
    assert status["status"] == "IN_PROGRESS"
    assert status["counters"]["total"] == 4

    # Worker 0 and 1 say positive for everything; worker 2 says negative for item 0 only.
    for index, (_, token) in enumerate(workers):
        seen = set()
        while True:
            task = gql.ok(CLAIM, {"jobId": job["id"]}, token)["claimTask"]
            if task is None:
                break
            position = task["item"]["position"]
            assert position not in seen
            seen.add(position)
            assert task["input"]["taskObject"] == f"text number {position}"
            label = "negative" if (index == 2 and position == 0) else "positive"
            submitted = gql.ok(SUBMIT, {"taskId": task["id"], "answer": {"label": label}}, token)
            assert submitted["submitTask"]["status"] == "SUBMITTED"
        assert seen == {0, 1, 2, 3}

    runner.run_until_idle()
    done = gql.ok(JOB, {"id": job["id"]}, requester)["job"]
    assert done["status"] == "COMPLETED"
    assert done["counters"]["humanLabeled"] == 4
    assert done["cost"]["workforce"] == round(12 * 0.012, 6)
    lines = read_output(done["outputManifest"])
    assert done["outputManifest"].endswith("/Sentiment-1/manifests/output/output.manifest")
    assert [line["id"] for line in lines] == [0, 1, 2, 3]
    assert all(line["sentiment"] == 1 for line in lines)
    meta = lines[0]["sentiment-metadata"]
    assert meta["class-name"] == "positive"
    # Two of three workers agree on item 0: less sure than the unanimous items.
    assert 0.5 < meta["confidence"] < lines[1]["sentiment-metadata"]["confidence"]
    assert meta["type"] == "groundtruth/text-classification"
    assert meta["job-name"] == "labeling-job/sentiment-1"
    assert meta["human-annotated"] == "yes"
    datetime.fromisoformat(meta["creation-date"])
    assert lines[1]["sentiment-metadata"]["confidence"] <= 0.99  # dawid-skene's cap
