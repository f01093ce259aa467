"""The base class of workforce providers: who may work on a job's tasks.

A provider is given value objects (:mod:`quorum.plugin_context`), not database rows."""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from quorum.plugin_context import JobInfo, WorkerInfo


class WorkforceProvider:
    """Decides which users may take a job's tasks. Subclass it.

    One instance, made at startup (with no arguments), serves every job, from the server's
    request threads and the runner's thread at once: keep no per-job state on ``self``, and
    whatever it does keep must be safe to share between threads.

    When :meth:`may_work` raises, the request that asked fails (``claimTask``, a worker's
    list of jobs, ``createJob``): a :class:`~quorum.errors.QuorumError` with its code and
    message, any other exception as an ``INTERNAL`` error with its traceback in the server
    log. In the runner (finding the jobs short of workers) it is logged ("runner pass
    failed") and tried again on the next pass.
    """

    #: Unique, lowercase, as used in ``createJob(input: {workforce})``.
    name: ClassVar[str]
    #: One line for people choosing a workforce.
    description: ClassVar[str] = ""
    #: Whether a job of this workforce must name a team.
    requires_team: ClassVar[bool] = False

    def may_work(self, job: JobInfo, worker: WorkerInfo, team_ids: Set[int]) -> bool:
        """Whether ``worker`` (a member of the teams ``team_ids``) may take tasks of ``job``.

        Asked only for workers of the job's organization. The default lets any worker in.
        """
        return True
