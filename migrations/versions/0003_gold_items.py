"""gold items: a job's gold settings, an item's known answer, a worker's gold score

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("gold", sa.JSON(), nullable=True))
    with op.batch_alter_table("items") as items:
        items.add_column(sa.Column("gold_answer", sa.JSON(), nullable=True))
    with op.batch_alter_table("job_workers") as workers:
        workers.add_column(
            sa.Column("gold_answers", sa.Integer(), server_default="0", nullable=False)
        )
        workers.add_column(
            sa.Column("gold_correct", sa.Float(), server_default="0", nullable=False)
        )
        workers.add_column(
            sa.Column("blocked", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("job_workers") as workers:
        workers.drop_column("blocked")
        workers.drop_column("gold_correct")
        workers.drop_column("gold_answers")
    with op.batch_alter_table("items") as items:
        items.drop_column("gold_answer")
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("gold")
