"""The GraphQL enums: the model enums, registered with strawberry."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from quorum import models

if TYPE_CHECKING:  # strawberry.enum returns the class it is given
    from quorum.models import ItemStatus, JobStatus, Role, TaskStatus
else:
    Role = strawberry.enum(models.Role, name="Role", description="What a user may do.")
    JobStatus = strawberry.enum(models.JobStatus, name="JobStatus", description="A job's state.")
    ItemStatus = strawberry.enum(
        models.ItemStatus, name="ItemStatus", description="An item's state."
    )
    TaskStatus = strawberry.enum(
        models.TaskStatus, name="TaskStatus", description="An assignment's state."
    )

__all__ = ["ItemStatus", "JobStatus", "Role", "TaskStatus"]
