"""statistics: imported monthly figures and the rollups Kouan computes from its records

The rollups start empty: `kouan stats rebuild` fills them from the records already held (port
calls, declarations, passenger figures, crossings); from then on they are kept as records change.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kouan.adapters.db.tables

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TIME = kouan.adapters.db.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stat_imported",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("port", sa.String(length=5), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("imported_at", _TIME, nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period", "port", "indicator"),
    )
    with op.batch_alter_table("stat_imported", schema=None) as batch_op:
        batch_op.create_index("ix_stat_imported_indicator", ["indicator", "period"], unique=False)

    op.create_table(
        "stat_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("port", sa.String(length=5), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("lane", sa.String(length=12), nullable=False),
        sa.Column("office", sa.String(length=12), nullable=False),
        sa.Column("agency", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("histogram", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "port", "indicator", "lane", "office", "agency"),
    )
    with op.batch_alter_table("stat_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stat_rollups_indicator", ["indicator", "port", "day"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stat_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_stat_rollups_indicator")
    op.drop_table("stat_rollups")
    with op.batch_alter_table("stat_imported", schema=None) as batch_op:
        batch_op.drop_index("ix_stat_imported_indicator")
    op.drop_table("stat_imported")
