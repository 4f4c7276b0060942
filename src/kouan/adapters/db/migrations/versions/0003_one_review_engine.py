"""one review engine: rule sets per subject kind and agency in one store, reasons as message keys,
review targets, inspections of any subject

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kouan.adapters.db.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TIME = kouan.adapters.db.tables.UtcDateTime(timezone=True)
# CIQ's legal-inspection list moves from its port-call rule set to its rule set for declarations.
_MOVED_TO_DECLARATIONS = "legal_inspection"


def upgrade() -> None:
    op.create_table(
        "rule_set_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("agency", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("document", _JSON, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("activated_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject_kind", "agency", "version"),
    )
    with op.batch_alter_table("rule_set_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_set_versions_status"), ["status"], unique=False)
    _copy_rule_sets()
    with op.batch_alter_table("risk_rule_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_rule_sets_status"))
    op.drop_table("risk_rule_sets")
    op.drop_table("rule_sets")

    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_key", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("reason_params", _JSON, nullable=True))
        batch_op.add_column(sa.Column("hits", _JSON, nullable=False, server_default="[]"))
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.alter_column("hits", server_default=None)

    op.create_table(
        "review_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=10), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reason_key", sa.String(length=60), nullable=True),
        sa.Column("reason_params", _JSON, nullable=True),
        sa.Column("rules_hit", _JSON, nullable=False),
        sa.Column("decided_at", _TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["officer_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_targets_review_id"), ["review_id"])
        batch_op.create_index(batch_op.f("ix_review_targets_status"), ["status"])

    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject_type", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("subject_id", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("target", sa.String(length=60), nullable=True))
    op.execute("UPDATE inspections SET subject_type = 'declaration', subject_id = declaration_id")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_declaration_id"))
        batch_op.drop_column("declaration_id")
        batch_op.alter_column("subject_type", server_default=None)
        batch_op.alter_column("subject_id", server_default=None)
        batch_op.create_index("ix_inspections_subject", ["subject_type", "subject_id"])


def _copy_rule_sets() -> None:
    """The agencies' port-call rule sets and customs' risk rules, as versions of the one store."""
    conn = op.get_bind()
    old = sa.table(
        "rule_sets",
        sa.column("agency", sa.String),
        sa.column("version", sa.Integer),
        sa.column("params", sa.JSON),
        sa.column("disabled", sa.JSON),
        sa.column("active", sa.Boolean),
        sa.column("created_at", _TIME),
    )
    risk = sa.table(
        "risk_rule_sets",
        sa.column("version", sa.Integer),
        sa.column("document", sa.JSON),
        sa.column("status", sa.String),
        sa.column("note", sa.Text),
        sa.column("created_by", sa.Integer),
        sa.column("created_at", _TIME),
        sa.column("activated_at", _TIME),
    )
    new = sa.table(
        "rule_set_versions",
        sa.column("subject_kind", sa.String),
        sa.column("agency", sa.String),
        sa.column("version", sa.Integer),
        sa.column("status", sa.String),
        sa.column("document", sa.JSON),
        sa.column("note", sa.Text),
        sa.column("created_by", sa.Integer),
        sa.column("created_at", _TIME),
        sa.column("activated_at", _TIME),
    )
    rows = []
    for row in conn.execute(sa.select(old).order_by(old.c.agency, old.c.version)):
        params = dict(row.params or {})
        moved = params.pop(_MOVED_TO_DECLARATIONS, None)
        status = "active" if row.active else "retired"
        common = {"note": "", "created_by": None, "created_at": row.created_at}
        activated = row.created_at if row.active else None
        rows.append(
            {
                **common,
                "subject_kind": "port_call",
                "agency": row.agency,
                "version": row.version,
                "status": status,
                "document": {"params": params, "disabled": list(row.disabled or [])},
                "activated_at": activated,
            }
        )
        if row.agency == "CIQ" and moved is not None:
            rows.append(
                {
                    **common,
                    "subject_kind": "declaration",
                    "agency": "CIQ",
                    "version": row.version,
                    "status": status,
                    "document": {"params": {_MOVED_TO_DECLARATIONS: moved}, "disabled": []},
                    "activated_at": activated,
                }
            )
    for row in conn.execute(sa.select(risk).order_by(risk.c.version)):
        rows.append({"subject_kind": "declaration", "agency": "CUSTOMS", **row._asdict()})
    if rows:
        op.bulk_insert(new, rows)


def downgrade() -> None:
    raise NotImplementedError("0003 moves rule sets into one store; restore a backup to go back")
