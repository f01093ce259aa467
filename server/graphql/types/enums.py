"""The GraphQL enums, mirroring the model enums."""

from __future__ import annotations

import strawberry
from quorum import models

Role = strawberry.enum(models.Role, name="Role", description="What a user may do.")
JobStatus = strawberry.enum(models.JobStatus, name="JobStatus", description="A job's state.")
ItemStatus = strawberry.enum(models.ItemStatus, name="ItemStatus", description="An item's state.")
TaskStatus = strawberry.enum(
    models.TaskStatus, name="TaskStatus", description="An assignment's state."
)
