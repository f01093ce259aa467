"""The base class of workforce providers: who may work on a job's tasks."""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from quorum.models import Job, User


class WorkforceProvider:
    """Decides which users may take a job's tasks. Subclass it."""

    #: Unique, lowercase, as used in ``createJob(input: {workforce})``.
    name: ClassVar[str]
    #: One line for people choosing a workforce.
    description: ClassVar[str] = ""
    #: Whether a job of this workforce must name a team.
    requires_team: ClassVar[bool] = False

    def may_work(self, job: Job, worker: User, team_ids: Set[int]) -> bool:
        """Whether ``worker`` (a member of ``team_ids``) may take tasks of ``job``.

        The default lets any worker in.
        """
        return True
