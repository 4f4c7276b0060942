"""the audit chain keyed (HMAC), its epochs and checkpoints

The rows written so far were chained with unkeyed SHA-256: they stay as they are, in epoch 0
("unkeyed, before keys"). The key is not the database's to know, so no row is rehashed here: the
first write after the upgrade starts epoch 1 with a keyed row anchored on epoch 0's last hash
(see kouan.adapters.db.audit).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default: SQLite need not copy the (large) table.
    for table in ("audit_log", "audit_head"):
        op.add_column(table, sa.Column("epoch", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in ("audit_head", "audit_log"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("epoch")
