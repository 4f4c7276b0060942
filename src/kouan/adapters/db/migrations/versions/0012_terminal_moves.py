"""what the terminals saw: discharge and loading moves, bay plans, goods arrival

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kouan.adapters.db.tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TIME = kouan.adapters.db.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "terminal_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("container", sa.String(length=17), nullable=False),
        sa.Column("size_type", sa.String(length=4), nullable=False),
        sa.Column("teu", sa.Integer(), nullable=True),
        sa.Column("full", sa.Boolean(), nullable=True),
        sa.Column("gross_kg", sa.Float(), nullable=True),
        sa.Column("seals", _JSON, nullable=False),
        sa.Column("position", sa.String(length=12), nullable=False),
        sa.Column("port", sa.String(length=5), nullable=False),
        sa.Column("terminal", sa.String(length=20), nullable=False),
        sa.Column("port_call_id", sa.Integer(), nullable=True),
        sa.Column("voyage", sa.String(length=35), nullable=False),
        sa.Column("vessel", sa.String(length=200), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("reported_by_org", sa.Integer(), nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.Column("warnings", _JSON, nullable=False),
        sa.ForeignKeyConstraint(["port_call_id"], ["port_calls.id"]),
        sa.ForeignKeyConstraint(["reported_by_org"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("terminal_moves", schema=None) as batch_op:
        batch_op.create_index("ix_terminal_moves_container", ["container"], unique=False)
        batch_op.create_index("ix_terminal_moves_call", ["port_call_id"], unique=False)
        batch_op.create_index("ix_terminal_moves_at", ["at"], unique=False)

    op.create_table(
        "bay_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("port_call_id", sa.Integer(), nullable=True),
        sa.Column("terminal", sa.String(length=20), nullable=False),
        sa.Column("voyage", sa.String(length=35), nullable=False),
        sa.Column("vessel", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=35), nullable=False),
        sa.Column("containers", sa.Integer(), nullable=False),
        sa.Column("teu", sa.Integer(), nullable=False),
        sa.Column("slots", _JSON, nullable=False),
        sa.Column("warnings", _JSON, nullable=False),
        sa.Column("reported_by_org", sa.Integer(), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["port_call_id"], ["port_calls.id"]),
        sa.ForeignKeyConstraint(["reported_by_org"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("bay_plans", schema=None) as batch_op:
        batch_op.create_index("ix_bay_plans_port_call_id", ["port_call_id"], unique=False)

    op.create_table(
        "goods_arrivals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("container", sa.String(length=17), nullable=False),
        sa.Column("port_call_id", sa.Integer(), nullable=True),
        sa.Column("port", sa.String(length=5), nullable=False),
        sa.Column("terminal", sa.String(length=20), nullable=False),
        sa.Column("arrived_at", _TIME, nullable=False),
        sa.Column("reported_by_org", sa.Integer(), nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["port_call_id"], ["port_calls.id"]),
        sa.ForeignKeyConstraint(["reported_by_org"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("goods_arrivals", schema=None) as batch_op:
        batch_op.create_index("ix_goods_arrivals_container", ["container"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("goods_arrivals", schema=None) as batch_op:
        batch_op.drop_index("ix_goods_arrivals_container")
    op.drop_table("goods_arrivals")
    with op.batch_alter_table("bay_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_bay_plans_port_call_id")
    op.drop_table("bay_plans")
    with op.batch_alter_table("terminal_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_terminal_moves_at")
        batch_op.drop_index("ix_terminal_moves_call")
        batch_op.drop_index("ix_terminal_moves_container")
    op.drop_table("terminal_moves")
