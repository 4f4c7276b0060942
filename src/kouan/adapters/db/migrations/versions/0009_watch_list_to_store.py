"""border inspection's port-call watch list moves from its rule set into the watch-list store

Until now a port call's crew and passengers were matched exactly against a `watch_list`
parameter of BORDER's port-call rule set, while flights and cruises were screened against the
watch-list store. The entries of the active rule set become a new active version of the store
(holding the active version's entries too), and the parameter leaves every version of the rule
set, which a rule set would now refuse as unknown.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pycountry
import sqlalchemy as sa
from alembic import op

import kouan.adapters.db.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_SOURCE = "port-call rules"


def upgrade() -> None:
    conn = op.get_bind()
    rule_sets = sa.table(
        "rule_set_versions",
        sa.column("id", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("status", sa.String),
        sa.column("subject_kind", sa.String),
        sa.column("agency", sa.String),
        sa.column("document", sa.JSON),
    )
    rows = conn.execute(
        sa.select(rule_sets.c.id, rule_sets.c.version, rule_sets.c.status, rule_sets.c.document)
        .where(rule_sets.c.subject_kind == "port_call", rule_sets.c.agency == "BORDER")
        .order_by(rule_sets.c.version)
    ).all()
    moved: list[dict[str, Any]] = []
    version = 0
    for row_id, number, status, document in rows:
        document = json.loads(document) if isinstance(document, str) else dict(document)
        params = dict(document.get("params") or {})
        if "watch_list" not in params:
            continue
        entries = params.pop("watch_list") or []
        if status == "active":
            moved, version = list(entries), number
        conn.execute(
            rule_sets.update()
            .where(rule_sets.c.id == row_id)
            .values(document={**document, "params": params})
        )
    if moved:
        _new_version(conn, [_entry(item, version, n) for n, item in enumerate(moved, start=1)])


def _alpha2(state: object) -> str:
    """An issuing state as the store keeps nationalities (alpha-2); "" when unknown."""
    text = str(state or "").strip().upper()
    if len(text) == 3:
        country = pycountry.countries.get(alpha_3=text)
        return country.alpha_2 if country else ""
    return text if len(text) == 2 else ""


def _entry(item: dict[str, Any], version: int, n: int) -> dict[str, Any]:
    """A rule-set entry (a document, a person, or both) as a row of the store; its document's
    issuing state stands for the nationality, which a document match does not need."""
    name = " ".join(f"{item.get('family_name', '')} {item.get('given_names', '')}".split())
    return {
        "entry_id": f"BORDER-RS{version}-{n}",
        "name": name[:300],
        "aliases": [],
        "date_of_birth": str(item.get("date_of_birth") or "")[:10],
        "nationality": _alpha2(item.get("issuing_state")),
        "document_number": "".join(str(item.get("document_number") or "").split())[:35],
        "reason": str(item.get("reason") or ""),
        "source": _SOURCE,
    }


def _new_version(conn: sa.Connection, entries: list[dict[str, Any]]) -> None:
    """A new active version: the active version's entries, then the moved ones."""
    versions = sa.table(
        "watchlist_versions",
        sa.column("id", sa.Integer),
        sa.column("created_at", kouan.adapters.db.tables.UtcDateTime(timezone=True)),
        sa.column("filename", sa.String),
        sa.column("entries", sa.Integer),
        sa.column("sha256", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("warnings", sa.JSON),
    )
    columns = (
        "entry_id",
        "name",
        "aliases",
        "date_of_birth",
        "nationality",
        "document_number",
        "reason",
        "source",
    )
    table = sa.table(
        "watchlist_entries",
        sa.column("version_id", sa.Integer),
        *(sa.column(c, sa.JSON if c == "aliases" else sa.String) for c in columns),
    )
    active = conn.execute(sa.select(versions.c.id).where(versions.c.active.is_(True))).scalar()
    kept = 0
    if active is not None:
        kept = conn.execute(
            sa.select(sa.func.count()).where(table.c.version_id == active)
        ).scalar_one()
    digest = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()
    conn.execute(versions.update().values(active=False))
    new_id = conn.execute(
        versions.insert()
        .values(
            created_at=datetime.now(UTC),
            filename=f"{_SOURCE} (migration 0009)",
            entries=kept + len(entries),
            sha256=digest,
            active=True,
            warnings=[],
        )
        .returning(versions.c.id)
    ).scalar_one()
    if active is not None:
        copied = sa.select(sa.literal(new_id), *(table.c[c] for c in columns)).where(
            table.c.version_id == active
        )
        conn.execute(table.insert().from_select(["version_id", *columns], copied))
    conn.execute(table.insert(), [{"version_id": new_id, **entry} for entry in entries])


def downgrade() -> None:
    # The moved entries stay in the store (a version of its own, named by its file name): a
    # watch list is not put back into rule sets, whose BORDER rules no longer read one.
    pass
