"""api_tokens.name and api_tokens.last4: tokens a person can tell apart in a list (a
revoked token's row is deleted)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as tokens:
        tokens.add_column(sa.Column("name", sa.String(length=100), nullable=True))
        # Tokens made before 0009 have no last4: only their hash was ever stored.
        tokens.add_column(sa.Column("last4", sa.String(length=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as tokens:
        tokens.drop_column("last4")
        tokens.drop_column("name")
