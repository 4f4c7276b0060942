"""cargo manifests: bills of lading and their containers, amendments, write-off and gate checks

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kouan.adapters.db.tables

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TIME = kouan.adapters.db.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "manifests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_org_id", sa.Integer(), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=False),
        sa.Column("port_call_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("imo", sa.String(length=7), nullable=False),
        sa.Column("voyage", sa.String(length=35), nullable=False),
        sa.Column("port", sa.String(length=5), nullable=False),
        sa.Column("reference", sa.String(length=35), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("bills", sa.Integer(), nullable=False),
        sa.Column("containers", sa.Integer(), nullable=False),
        sa.Column("gross_weight_kg", sa.Float(), nullable=False),
        sa.Column("document", _JSON, nullable=False),
        sa.Column("deadline", _TIME, nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("filed_at", _TIME, nullable=False),
        sa.Column("amended_at", _TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agent_org_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["filed_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["port_call_id"], ["port_calls.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_org_id", "port_call_id", "direction"),
    )
    op.create_index("ix_manifests_agent_org_id", "manifests", ["agent_org_id"])
    op.create_index("ix_manifests_filed_at", "manifests", ["filed_at"])
    op.create_index("ix_manifests_port_call_id", "manifests", ["port_call_id"])

    op.create_table(
        "bills_of_lading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manifest_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=35), nullable=False),
        sa.Column("shipper", sa.String(length=200), nullable=False),
        sa.Column("consignee", sa.String(length=200), nullable=False),
        sa.Column("notify_party", sa.String(length=200), nullable=True),
        sa.Column("goods_description", sa.String(length=200), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=True),
        sa.Column("packages", sa.Integer(), nullable=False),
        sa.Column("package_type", sa.String(length=3), nullable=True),
        sa.Column("gross_weight_kg", sa.Float(), nullable=False),
        sa.Column("dangerous_goods", sa.Boolean(), nullable=False),
        sa.Column("un_number", sa.String(length=6), nullable=True),
        sa.ForeignKeyConstraint(["manifest_id"], ["manifests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("manifest_id", "number"),
    )
    op.create_index("ix_bills_of_lading_manifest_id", "bills_of_lading", ["manifest_id"])
    op.create_index("ix_bills_of_lading_number", "bills_of_lading", ["number"])

    op.create_table(
        "manifest_containers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bl_id", sa.Integer(), nullable=False),
        sa.Column("manifest_id", sa.Integer(), nullable=False),
        sa.Column("container_number", sa.String(length=11), nullable=False),
        sa.Column("seal", sa.String(length=35), nullable=True),
        sa.Column("gross_weight_kg", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["bl_id"], ["bills_of_lading.id"]),
        sa.ForeignKeyConstraint(["manifest_id"], ["manifests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_manifest_containers_bl_id", "manifest_containers", ["bl_id"])
    op.create_index("ix_manifest_containers_manifest_id", "manifest_containers", ["manifest_id"])
    op.create_index(
        "ix_manifest_containers_number", "manifest_containers", ["container_number", "id"]
    )

    op.create_table(
        "manifest_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manifest_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("amended_by", sa.Integer(), nullable=False),
        sa.Column("amended_at", _TIME, nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("diff", _JSON, nullable=False),
        sa.ForeignKeyConstraint(["amended_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["manifest_id"], ["manifests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_manifest_amendments_manifest_id", "manifest_amendments", ["manifest_id"])

    op.create_table(
        "manifest_writeoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("bl_number", sa.String(length=35), nullable=False),
        sa.Column("bl_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("problems", _JSON, nullable=False),
        sa.Column("declared_kg", sa.Float(), nullable=False),
        sa.Column("checked_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["declaration_id"], ["declarations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("declaration_id"),
    )
    op.create_index("ix_manifest_writeoffs_bl_number", "manifest_writeoffs", ["bl_number"])
    op.create_index("ix_manifest_writeoffs_status", "manifest_writeoffs", ["status"])

    op.create_table(
        "gate_refusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("container_number", sa.String(length=11), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("asked_by", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("bl_number", sa.String(length=35), nullable=True),
        sa.Column("declaration_id", sa.Integer(), nullable=True),
        sa.Column("detail", _JSON, nullable=False),
        sa.ForeignKeyConstraint(["asked_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_gate_refusals_at", "gate_refusals", ["at"])
    op.create_index("ix_gate_refusals_container_number", "gate_refusals", ["container_number"])

    # The gate and the write-off find a bill of lading's declarations by its number.
    op.create_index("ix_declarations_transport_document", "declarations", ["transport_document"])


def downgrade() -> None:
    op.drop_index("ix_declarations_transport_document", table_name="declarations")
    op.drop_table("gate_refusals")
    op.drop_table("manifest_writeoffs")
    op.drop_table("manifest_amendments")
    op.drop_table("manifest_containers")
    op.drop_table("bills_of_lading")
    op.drop_table("manifests")
