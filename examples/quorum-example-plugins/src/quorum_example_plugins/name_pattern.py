"""The ``name-pattern`` workforce: the workers whose user name matches a pattern.

An organization that names its vetted annotators by a convention (``vetted-ana``,
``vetted-bo``) can open a job to all of them without keeping a team: a job created with
``workforce: "name-pattern"`` is open to every worker of its organization whose name
matches the pattern (a Python regular expression, matched from the start of the name).

The pattern is this plugin's configuration, its table in the TOML file that
``QUORUM_PLUGIN_CONFIG`` names (``vetted-`` without one), read once when the server
starts::

    [example_name_pattern_workforce]
    pattern = "vetted-"
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from typing import TYPE_CHECKING, ClassVar

from quorum import hookimpl
from quorum.workforce import WorkforceProvider

if TYPE_CHECKING:
    from quorum.plugin_context import JobInfo, PluginContext, WorkerInfo

#: The plugin's name (its entry point's), which names its configuration table.
PLUGIN_NAME = "example_name_pattern_workforce"
#: The pattern when the configuration sets none.
DEFAULT_PATTERN = "vetted-"


class NamePatternWorkforce(WorkforceProvider):
    """The workers whose name matches :attr:`pattern`; no team needed."""

    name = "name-pattern"
    description = "Workers whose user name matches a pattern."
    requires_team = False
    #: The names it admits; :func:`quorum_workforce_providers` sets it from the
    #: configuration.
    pattern: ClassVar[re.Pattern[str]] = re.compile(DEFAULT_PATTERN)

    def may_work(self, job: JobInfo, worker: WorkerInfo, team_ids: Set[int]) -> bool:
        """True for a worker whose name matches the pattern (teams do not matter)."""
        return self.pattern.match(worker.name) is not None


@hookimpl
def quorum_workforce_providers(context: PluginContext) -> Sequence[type[WorkforceProvider]]:
    """Register ``name-pattern`` with the configured pattern (a pattern that is not a
    regular expression stops the server at startup)."""
    configured = re.compile(context.plugin_config(PLUGIN_NAME).get("pattern", DEFAULT_PATTERN))

    class Configured(NamePatternWorkforce):
        pattern = configured

    return [Configured]
