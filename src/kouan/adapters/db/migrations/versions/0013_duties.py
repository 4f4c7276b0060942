"""duties and taxes, payments, guarantees, tonnage dues

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kouan.adapters.db.tables

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TIME = kouan.adapters.db.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tariff_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("lines", _JSON, nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column("imported_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["imported_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_tariff_versions_effective_from"), "tariff_versions", ["effective_from"]
    )
    op.create_table(
        "duty_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("trader_code", sa.String(length=10), nullable=False),
        sa.Column("broker_org_id", sa.Integer(), nullable=False),
        sa.Column("tariff_version", sa.Integer(), nullable=False),
        sa.Column("customs_value_fen", sa.BigInteger(), nullable=False),
        sa.Column("duty_fen", sa.BigInteger(), nullable=False),
        sa.Column("consumption_tax_fen", sa.BigInteger(), nullable=False),
        sa.Column("vat_fen", sa.BigInteger(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("guaranteed_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("assessed_at", _TIME, nullable=False),
        sa.Column("settled_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(["broker_org_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["declaration_id"], ["declarations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("declaration_id"),
    )
    op.create_index(op.f("ix_duty_assessments_trader_code"), "duty_assessments", ["trader_code"])
    op.create_index(
        op.f("ix_duty_assessments_broker_org_id"), "duty_assessments", ["broker_org_id"]
    )
    op.create_index(op.f("ix_duty_assessments_status"), "duty_assessments", ["status"])
    op.create_index(op.f("ix_duty_assessments_assessed_at"), "duty_assessments", ["assessed_at"])
    op.create_table(
        "duty_assessment_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("origin", sa.String(length=2), nullable=False),
        sa.Column("tariff_line", sa.String(length=10), nullable=False),
        sa.Column("customs_value_fen", sa.BigInteger(), nullable=False),
        sa.Column("duty_rate", sa.String(length=12), nullable=False),
        sa.Column("duty_basis", sa.String(length=10), nullable=False),
        sa.Column("duty_fen", sa.BigInteger(), nullable=False),
        sa.Column("consumption_rate", sa.String(length=12), nullable=True),
        sa.Column("consumption_tax_fen", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.String(length=12), nullable=False),
        sa.Column("vat_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["duty_assessments.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_duty_assessment_lines_assessment_id"), "duty_assessment_lines", ["assessment_id"]
    )
    op.create_table(
        "guarantees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trader_code", sa.String(length=10), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trader_code"),
    )
    op.create_table(
        "duty_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank", sa.String(length=40), nullable=False),
        sa.Column("bank_reference", sa.String(length=64), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", _TIME, nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["declaration_id"], ["declarations.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bank", "bank_reference"),
    )
    op.create_index(op.f("ix_duty_payments_declaration_id"), "duty_payments", ["declaration_id"])
    op.create_table(
        "tonnage_dues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("port_call_id", sa.Integer(), nullable=False),
        sa.Column("imo", sa.String(length=7), nullable=False),
        sa.Column("flag", sa.String(length=2), nullable=False),
        sa.Column("net_tonnage", sa.String(length=20), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("preferential", sa.Boolean(), nullable=False),
        sa.Column("rate", sa.String(length=12), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", _TIME, nullable=False),
        sa.Column("valid_until", _TIME, nullable=False),
        sa.Column("assessed_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["port_call_id"], ["port_calls.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_tonnage_dues_port_call_id"), "tonnage_dues", ["port_call_id"])
    op.create_index("ix_tonnage_dues_ship", "tonnage_dues", ["imo", "valid_until"])


def downgrade() -> None:
    op.drop_table("tonnage_dues")
    op.drop_table("duty_payments")
    op.drop_table("guarantees")
    op.drop_table("duty_assessment_lines")
    op.drop_table("duty_assessments")
    op.drop_table("tariff_versions")
