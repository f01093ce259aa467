"""organizations: the unit of tenancy; users, teams and jobs belong to one, and their
names are unique within it (every existing row goes to the default organization, id 1)

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from quorum.models import NAMING_CONVENTION

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

#: The tables that belong to an organization, each with its name column.
TENANT_TABLES = ("users", "teams", "jobs")


def upgrade() -> None:
    organizations = op.create_table(
        "organizations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("storage_roots", sa.JSON(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("name", name=op.f("uq_organizations_name")),
    )
    op.bulk_insert(
        organizations,
        [{"id": 1, "name": "default", "storage_roots": None, "created_at": datetime.now(UTC)}],
    )
    if op.get_bind().dialect.name == "postgresql":
        # The row above took id 1 by hand: the next organization must not.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('organizations', 'id'), "
            "(SELECT MAX(id) FROM organizations))"
        )
    for table in TENANT_TABLES:
        with op.batch_alter_table(table, naming_convention=NAMING_CONVENTION) as batch:
            batch.add_column(
                sa.Column("organization_id", sa.BigInteger(), nullable=False, server_default="1")
            )
            batch.create_foreign_key(
                f"fk_{table}_organization_id_organizations",
                "organizations",
                ["organization_id"],
                ["id"],
            )
            batch.create_index(f"ix_{table}_organization_id", ["organization_id"])
            batch.drop_constraint(f"uq_{table}_name", type_="unique")
            batch.create_unique_constraint(
                f"uq_{table}_organization_id_name", ["organization_id", "name"]
            )


def downgrade() -> None:
    for table in TENANT_TABLES:
        with op.batch_alter_table(table, naming_convention=NAMING_CONVENTION) as batch:
            batch.drop_constraint(f"uq_{table}_organization_id_name", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_name", ["name"])
            batch.drop_index(f"ix_{table}_organization_id")
            batch.drop_constraint(f"fk_{table}_organization_id_organizations", type_="foreignkey")
            batch.drop_column("organization_id")
    op.drop_table("organizations")
