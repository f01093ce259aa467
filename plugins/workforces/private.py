"""Built-in workforce ``private``: the members of one team take the job's tasks.

Like a Ground Truth private work team: a job names its team (``teamId``), and only workers
in that team see the job in ``availableJobs`` or can claim its tasks.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import TYPE_CHECKING

from quorum import hookimpl
from quorum.workforce import WorkforceProvider

if TYPE_CHECKING:
    from quorum.plugin_context import JobInfo, WorkerInfo


class PrivateWorkforce(WorkforceProvider):
    """The workers of the job's team."""

    name = "private"
    description = "Members of the job's team."
    requires_team = True

    def may_work(self, job: JobInfo, worker: WorkerInfo, team_ids: Set[int]) -> bool:
        """True for members of the job's team."""
        return job.team_id is not None and job.team_id in team_ids


@hookimpl
def quorum_workforce_providers() -> Sequence[type[WorkforceProvider]]:
    """Register ``private``."""
    return [PrivateWorkforce]
