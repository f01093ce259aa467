"""The ``Mutation`` root, composed of one mixin per domain."""

from __future__ import annotations

import strawberry

from quorum.graphql.mutations.jobs import JobMutationMixin
from quorum.graphql.mutations.organizations import OrganizationMutationMixin
from quorum.graphql.mutations.tasks import TaskMutationMixin
from quorum.graphql.mutations.users import UserMutationMixin


@strawberry.type
class Mutation(UserMutationMixin, OrganizationMutationMixin, JobMutationMixin, TaskMutationMixin):
    """Change the server's state; each mutation checks the caller's role."""
