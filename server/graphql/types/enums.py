"""The GraphQL enums: the model enums, registered with strawberry."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from quorum import statuses

if TYPE_CHECKING:  # strawberry.enum returns the class it is given
    from quorum.statuses import ItemStatus, JobStatus, Role, TaskStatus
else:
    Role = strawberry.enum(statuses.Role, name="Role", description="What a user may do.")
    JobStatus = strawberry.enum(statuses.JobStatus, name="JobStatus", description="A job's state.")
    ItemStatus = strawberry.enum(
        statuses.ItemStatus, name="ItemStatus", description="An item's state."
    )
    TaskStatus = strawberry.enum(
        statuses.TaskStatus, name="TaskStatus", description="An assignment's state."
    )

__all__ = ["ItemStatus", "JobStatus", "Role", "TaskStatus"]
