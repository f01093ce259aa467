"""The ``name-pattern`` workforce: the workers whose user name matches a pattern.

An organization that names its vetted annotators by a convention (``vetted-ana``,
``vetted-bo``) can open a job to all of them without keeping a team: a job created with
``workforce: "name-pattern"`` is open to every worker of its organization whose name
matches ``QUORUM_NAME_PATTERN`` (a Python regular expression, matched from the start of
the name; ``vetted-`` when unset). The pattern is read once, when the server starts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence, Set
from typing import TYPE_CHECKING

from quorum import hookimpl
from quorum.workforce import WorkforceProvider

if TYPE_CHECKING:
    from quorum.models import Job, User

#: The setting that holds the pattern, and the pattern when it is unset.
PATTERN_SETTING = "QUORUM_NAME_PATTERN"
DEFAULT_PATTERN = "vetted-"


class NamePatternWorkforce(WorkforceProvider):
    """The workers whose name matches the configured pattern; no team needed."""

    name = "name-pattern"
    description = "Workers whose user name matches a pattern."
    requires_team = False

    def __init__(self) -> None:
        self.pattern = re.compile(os.environ.get(PATTERN_SETTING, DEFAULT_PATTERN))

    def may_work(self, job: Job, worker: User, team_ids: Set[int]) -> bool:
        """True for a worker whose name matches the pattern (teams do not matter)."""
        return self.pattern.match(worker.name) is not None


@hookimpl
def quorum_workforce_providers() -> Sequence[type[WorkforceProvider]]:
    """Register ``name-pattern``."""
    return [NamePatternWorkforce]
