"""alerts addressed to organisations, acknowledged and escalated when overdue

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kouan.adapters.db.tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TIME = kouan.adapters.db.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("title_key", sa.String(length=60), nullable=False),
        sa.Column("title_params", _JSON, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body_key", sa.String(length=60), nullable=True),
        sa.Column("body_params", _JSON, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("raised_by", sa.Integer(), nullable=True),
        sa.Column("raised_at", _TIME, nullable=False),
        sa.Column("ack_due_at", _TIME, nullable=True),
        sa.Column("escalated_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(["raised_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_alerts_kind"), "alerts", ["kind"])
    op.create_index(op.f("ix_alerts_raised_at"), "alerts", ["raised_at"])
    op.create_index("ix_alerts_subject", "alerts", ["subject_type", "subject_id"])
    op.create_table(
        "alert_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("org_type", sa.String(length=20), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("escalation", sa.Boolean(), nullable=False),
        sa.Column("acknowledged_at", _TIME, nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("escalated_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(["acknowledged_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "org_id"),
    )
    op.create_index(op.f("ix_alert_recipients_alert_id"), "alert_recipients", ["alert_id"])
    op.create_index(op.f("ix_alert_recipients_org_id"), "alert_recipients", ["org_id"])
    op.create_index(
        "ix_alert_recipients_open", "alert_recipients", ["acknowledged_at", "escalated_at"]
    )


def downgrade() -> None:
    op.drop_table("alert_recipients")
    op.drop_table("alerts")
