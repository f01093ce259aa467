"""The ``Query`` root."""

from __future__ import annotations

import strawberry
from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from quorum import models, statuses
from quorum.errors import BadInput, Forbidden
from quorum.graphql.context import Info
from quorum.graphql.permissions import (
    require_admin,
    require_requester,
    require_server_admin,
    require_worker,
)
from quorum.graphql.types.audit import AuditEvent
from quorum.graphql.types.catalog import AutoLabeler, ConsensusAlgorithm, TaskType
from quorum.graphql.types.enums import JobStatus, Role
from quorum.graphql.types.job import Job
from quorum.graphql.types.organization import Organization
from quorum.graphql.types.pagination import (
    Connection,
    connection,
    decode_cursor,
    page_size,
    parse_id,
)
from quorum.graphql.types.user import ApiToken, Team, User
from quorum.http.element_modules import element_url
from quorum.services.eligibility import may_work
from quorum.services.jobs import can_manage, get_managed_job
from quorum.services.organizations import get_organization, list_organizations
from quorum.services.tasks import has_work_for, workable_jobs
from quorum.services.tokens import list_tokens
from quorum.services.users import get_user, list_users, team_ids_of, team_members


def team_view(session: Session, team: models.Team) -> Team:
    """The public view of a team with its members."""
    assert team.id is not None
    return Team(
        id=strawberry.ID(str(team.id)),
        name=team.name,
        members=[User.from_model(user) for user in team_members(session, team.id)],
        created_at=team.created_at,
    )


def organization_events(organization_id: int) -> ColumnElement[bool]:
    """Which audit events an organization's admins read: those of its jobs, and, outside
    jobs, those its users made or that concern its users, teams or itself."""
    event = models.AuditEvent
    users = select(models.User.id).where(models.User.organization_id == organization_id)
    teams = select(models.Team.id).where(models.Team.organization_id == organization_id)
    jobs = select(models.Job.id).where(models.Job.organization_id == organization_id)
    return or_(
        col(event.job_id).in_(jobs),
        and_(
            col(event.job_id).is_(None),
            or_(
                col(event.actor_id).in_(users),
                and_(col(event.entity_type) == "user", col(event.entity_id).in_(users)),
                and_(col(event.entity_type) == "team", col(event.entity_id).in_(teams)),
                and_(
                    col(event.entity_type) == "organization",
                    col(event.entity_id) == organization_id,
                ),
            ),
        ),
    )


@strawberry.type
class Query:
    """Read the server's state; each field checks the caller's role."""

    @strawberry.field
    async def viewer(self, info: Info) -> User:
        """The calling user."""
        return await info.context.read(lambda _session, user: User.from_model(user))

    @strawberry.field
    async def organization(self, info: Info) -> Organization:
        """The caller's organization (its storage roots for admins and requesters)."""
        settings = info.context.settings

        def load(session: Session, user: models.User) -> Organization:
            row = get_organization(session, user.organization_id)
            shown = user.role != statuses.Role.WORKER
            return Organization.from_model(row, settings, show_roots=shown)

        return await info.context.read(load)

    @strawberry.field
    async def organizations(self, info: Info) -> list[Organization]:
        """Every organization (the server's administrators only)."""
        settings = info.context.settings

        def load(session: Session, user: models.User) -> list[Organization]:
            require_server_admin(user, "organizations")
            return [
                Organization.from_model(row, settings, show_roots=True)
                for row in list_organizations(session)
            ]

        return await info.context.read(load)

    @strawberry.field
    async def job(self, info: Info, id: strawberry.ID) -> Job | None:
        """A job: its requester and admins see it, and workers who may work on it."""
        job_id = parse_id(id, "id")
        plugins = info.context.plugins

        def load(session: Session, user: models.User) -> Job | None:
            job = session.get(models.Job, job_id)
            if job is None or job.organization_id != user.organization_id:
                return None
            if can_manage(user, job):
                return Job.from_model(job)
            if user.role == statuses.Role.WORKER:
                assert user.id is not None
                provider = plugins.workforces.get(job.workforce, "workforce")
                if may_work(provider, job, user, team_ids_of(session, user.id)):
                    return Job.from_model(job)
            raise Forbidden(f"you may not see job {job_id}")

        return await info.context.read(load)

    @strawberry.field
    async def jobs(
        self,
        info: Info,
        status: JobStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Job]:
        """Jobs, newest last: all of the organization's for admins, their own for
        requesters."""
        size = page_size(first)
        after_id = decode_cursor(after)

        def load(session: Session, user: models.User) -> list[models.Job]:
            require_requester(user, "jobs")
            query = select(models.Job).where(models.Job.organization_id == user.organization_id)
            if user.role != statuses.Role.ADMIN:
                query = query.where(models.Job.created_by_id == user.id)
            if status is not None:
                query = query.where(models.Job.status == status.value)
            if after_id is not None:
                query = query.where(col(models.Job.id) > after_id)
            return list(session.exec(query.order_by(col(models.Job.id)).limit(size + 1)))

        rows = await info.context.read(load)
        return connection(rows, size, key=lambda row: int(row.id or 0), node=Job.from_model)

    @strawberry.field
    async def available_jobs(self, info: Info) -> list[Job]:
        """Jobs with work for the calling worker."""
        plugins = info.context.plugins

        def load(session: Session, user: models.User) -> list[Job]:
            require_worker(user, "availableJobs")
            return [
                Job.from_model(job)
                for job in workable_jobs(session, plugins, user)
                if has_work_for(session, job, user)
            ]

        return await info.context.read(load)

    @strawberry.field
    async def task_types(self, info: Info) -> list[TaskType]:
        """The installed task types."""
        plugins = info.context.plugins
        await info.context.read(lambda _session, _user: None)
        return [
            TaskType(
                name=name,
                description=task_type.description,
                label_kind=task_type.label_kind,
                element=task_type.element,
                output_type=task_type.output_type,
                source_key=task_type.source_key,
                default_consensus=task_type.default_consensus,
                min_labels=task_type.min_labels,
                audits_labels=task_type.audits_labels,
                element_url=None if task_type.element_module is None else element_url(name),
            )
            for name, task_type in plugins.task_types.items()
        ]

    @strawberry.field
    async def consensus_algorithms(self, info: Info) -> list[ConsensusAlgorithm]:
        """The installed consensus algorithms."""
        plugins = info.context.plugins
        await info.context.read(lambda _session, _user: None)
        return [
            ConsensusAlgorithm(
                name=name,
                description=algorithm.description,
                label_kinds=list(algorithm.label_kinds),
            )
            for name, algorithm in plugins.consensus_algorithms.items()
        ]

    @strawberry.field
    async def auto_labelers(self, info: Info) -> list[AutoLabeler]:
        """The installed auto-labeling models."""
        plugins = info.context.plugins
        await info.context.read(lambda _session, _user: None)
        return [
            AutoLabeler(
                name=name, description=labeler.description, task_types=list(labeler.task_types)
            )
            for name, labeler in plugins.auto_labelers.items()
        ]

    @strawberry.field
    async def teams(self, info: Info) -> list[Team]:
        """The organization's teams for admins and requesters; a worker's own teams for
        workers."""

        def load(session: Session, user: models.User) -> list[Team]:
            query = (
                select(models.Team)
                .where(models.Team.organization_id == user.organization_id)
                .order_by(col(models.Team.id))
            )
            if user.role == statuses.Role.WORKER:
                assert user.id is not None
                query = query.where(col(models.Team.id).in_(team_ids_of(session, user.id)))
            return [team_view(session, team) for team in session.exec(query)]

        return await info.context.read(load)

    @strawberry.field
    async def users(
        self,
        info: Info,
        role: Role | None = None,
        include_disabled: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[User]:
        """The organization's users by id (admins and requesters, who pick team members
        from them): of ``role`` if given, without the disabled when ``includeDisabled`` is
        false."""
        size = page_size(first)
        after_id = decode_cursor(after)

        def load(session: Session, user: models.User) -> list[models.User]:
            require_requester(user, "users")
            return list_users(
                session,
                organization_id=user.organization_id,
                role=None if role is None else statuses.Role(role),
                include_disabled=include_disabled,
                after_id=after_id,
                limit=size + 1,
            )

        rows = await info.context.read(load)
        return connection(rows, size, key=lambda row: int(row.id or 0), node=User.from_model)

    @strawberry.field
    async def tokens(self, info: Info, user_id: strawberry.ID) -> list[ApiToken]:
        """A user's live API tokens, oldest first (admins only): ids, names, last four
        characters; never a token or its hash."""
        owner_id = parse_id(user_id, "userId")

        def load(session: Session, user: models.User) -> list[ApiToken]:
            require_admin(user, "tokens")
            get_user(session, owner_id, "userId", organization_id=user.organization_id)
            return [ApiToken.from_model(row) for row in list_tokens(session, owner_id)]

        return await info.context.read(load)

    @strawberry.field
    async def audit_events(
        self,
        info: Info,
        job_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEvent]:
        """The audit trail, oldest first: a job's events (its requester, admins) or every
        event of the organization (admins)."""
        size = page_size(first)
        after_id = decode_cursor(after)
        wanted_job = None if job_id is None else parse_id(job_id, "jobId")

        def load(session: Session, user: models.User) -> list[models.AuditEvent]:
            require_requester(user, "auditEvents")
            query = select(models.AuditEvent)
            if wanted_job is not None:
                get_managed_job(session, user, wanted_job)
                query = query.where(models.AuditEvent.job_id == wanted_job)
            elif user.role != statuses.Role.ADMIN:
                raise BadInput("jobId: requesters read the audit trail one job at a time")
            else:
                query = query.where(organization_events(user.organization_id))
            if after_id is not None:
                query = query.where(col(models.AuditEvent.id) > after_id)
            return list(session.exec(query.order_by(col(models.AuditEvent.id)).limit(size + 1)))

        rows = await info.context.read(load)
        return connection(rows, size, key=lambda row: int(row.id or 0), node=AuditEvent.from_model)
