"""worker quality and adaptive redundancy: consensus state, per-job worker records,
a job's answer range and target confidence, an item's extra answers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("max_workers_per_item", sa.Integer(), nullable=True))
        jobs.add_column(sa.Column("target_confidence", sa.Float(), nullable=True))
    with op.batch_alter_table("items") as items:
        items.add_column(
            sa.Column("extra_answers", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "consensus_states",
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("algorithm", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_consensus_states_job_id_jobs")
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_consensus_states")),
    )
    op.create_table(
        "job_workers",
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("worker_id", sa.BigInteger(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("agreed", sa.Float(), nullable=False),
        sa.Column("accuracy", sa.Float(), nullable=True),
        sa.Column("confusion", sa.JSON(), nullable=True),
        sa.Column("spammer", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_job_workers_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["users.id"], name=op.f("fk_job_workers_worker_id_users")
        ),
        sa.PrimaryKeyConstraint("job_id", "worker_id", name=op.f("pk_job_workers")),
    )


def downgrade() -> None:
    op.drop_table("job_workers")
    op.drop_table("consensus_states")
    with op.batch_alter_table("items") as items:
        items.drop_column("extra_answers")
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("target_confidence")
        jobs.drop_column("max_workers_per_item")
