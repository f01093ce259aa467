"""jobs.shortcuts and jobs.examples: a job's keyboard shortcuts and examples for workers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("shortcuts", sa.JSON(), nullable=True))
        jobs.add_column(sa.Column("examples", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("examples")
        jobs.drop_column("shortcuts")
