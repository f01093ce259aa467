"""items.declines_count and jobs.waiting_for_workers: declined tasks, and the items no
eligible worker can take any more

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as items:
        items.add_column(
            sa.Column("declines_count", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(
            sa.Column("waiting_for_workers", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("waiting_for_workers")
    with op.batch_alter_table("items") as items:
        items.drop_column("declines_count")
