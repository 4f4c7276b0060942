"""transit under customs seal (转关)

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kouan.adapters.db.tables

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TIME = kouan.adapters.db.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "transit_offices",
        sa.Column("office", sa.String(length=5), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("registered_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("office"),
        sa.UniqueConstraint("org_id"),
    )
    op.create_table(
        "transits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("broker_org_id", sa.Integer(), nullable=False),
        sa.Column("from_port", sa.String(length=5), nullable=False),
        sa.Column("to_office", sa.String(length=5), nullable=False),
        sa.Column("limit_hours", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("seals", _JSON, nullable=False),
        sa.Column("conveyance", sa.String(length=10), nullable=True),
        sa.Column("conveyance_id", sa.String(length=20), nullable=True),
        sa.Column("opened_at", _TIME, nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("departed_at", _TIME, nullable=True),
        sa.Column("departed_by", sa.Integer(), nullable=True),
        sa.Column("due_at", _TIME, nullable=True),
        sa.Column("arrived_at", _TIME, nullable=True),
        sa.Column("arrived_by", sa.Integer(), nullable=True),
        sa.Column("seals_found", _JSON, nullable=True),
        sa.Column("hold", _JSON, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("closed_at", _TIME, nullable=True),
        sa.Column("overdue_alert_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["arrived_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["broker_org_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["declaration_id"], ["declarations.id"]),
        sa.ForeignKeyConstraint(["departed_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["opened_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["overdue_alert_id"], ["alerts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("declaration_id"),
    )
    op.create_index(op.f("ix_transits_broker_org_id"), "transits", ["broker_org_id"])
    op.create_index(op.f("ix_transits_status"), "transits", ["status"])
    op.create_index(op.f("ix_transits_to_office"), "transits", ["to_office"])
    op.create_index("ix_transits_due", "transits", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("transits")
    op.drop_table("transit_offices")
