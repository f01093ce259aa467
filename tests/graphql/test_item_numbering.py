"""The audit trail names the item of each item and task event by its manifest position, the
numbering the console shows everywhere ("item 3 of 6")."""

from __future__ import annotations

from quorum.statuses import Role
from quorum.testing import (
    CLAIM,
    SUBMIT,
    create_job,
    make_team,
    make_user,
    text_lines,
    write_manifest,
)

EVENTS = """
query($jobId: ID!) {
  auditEvents(jobId: $jobId, first: 100) { edges { node { action entityType itemPosition } } }
}
"""


def test_audit_events_carry_their_items_position(quorum_app, quorum_settings, gql):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    worker_id, worker = make_user(quorum_app, "wim", Role.WORKER)
    team = make_team(quorum_app, "crew", [worker_id])
    job = create_job(
        gql,
        requester,
        name="numbered",
        taskType="text-classification",
        inputManifest=write_manifest(quorum_settings, "n.manifest", text_lines(3)),
        labels=["cat", "dog"],
        teamId=str(team),
    )
    quorum_app.state.runner.run_until_idle()
    claimed = []
    for _ in range(3):
        task = gql.ok(CLAIM, {"jobId": job["id"]}, worker)["claimTask"]
        claimed.append(task["item"]["position"])
        gql.ok(SUBMIT, {"taskId": task["id"], "answer": {"label": "cat"}}, worker)
    quorum_app.state.runner.run_until_idle()
    events = [
        edge["node"]
        for edge in gql.ok(EVENTS, {"jobId": job["id"]}, requester)["auditEvents"]["edges"]
    ]
    by_action: dict[str, list[int | None]] = {}
    for event in events:
        by_action.setdefault(event["action"], []).append(event["itemPosition"])
    assert by_action["job.created"] == [None]
    assert by_action["task.claimed"] == claimed
    assert by_action["task.submitted"] == claimed
    assert sorted(by_action["item.labeled"]) == [0, 1, 2]
