"""Job.outputManifestUrl: the console's download link, for the job's requester only."""

from __future__ import annotations

from pathlib import Path

from quorum.statuses import Role
from quorum.testing import make_user, running_job

URL = "query($id: ID!) { job(id: $id) { outputManifest outputManifestUrl } }"


def test_the_requester_downloads_the_output_and_nobody_else_can(
    quorum_app, quorum_settings, gql, quorum_client
):
    job = running_job(quorum_app, gql, quorum_settings)
    assert gql.ok(URL, {"id": job.id}, job.requester)["job"]["outputManifestUrl"] is None
    job.label_everything()
    job.run_runner()
    done = gql.ok(URL, {"id": job.id}, job.requester)["job"]
    url = done["outputManifestUrl"]
    assert url.startswith("/objects/") and "signature=" in url
    downloaded = quorum_client.get(url)
    assert downloaded.status_code == 200
    stored = done["outputManifest"].removeprefix("file://")
    assert downloaded.content == Path(stored).read_bytes()
    _, other = make_user(quorum_app, "another-requester", Role.REQUESTER)
    for token in (job.workers[0][1], other):
        _data, errors = gql.execute(URL, {"id": job.id}, token)
        # The worker's two fields (outputManifest too), the other requester's job.
        assert errors and {error.code for error in errors} == {"FORBIDDEN"}, errors
