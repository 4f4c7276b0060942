"""The Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, insert, text

from kouan.adapters.db.engine import make_engine
from kouan.adapters.db.migrate import upgrade
from kouan.adapters.db.tables import Base


def test_migrated_schema_matches_the_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_border_watch_list_moves_from_its_rule_set_into_the_store(empty_url: str) -> None:
    """Migration 0009: the active port-call rule set's entries join the active watch-list
    version as a new version, and no rule set version keeps the parameter."""
    upgrade(empty_url, "0008")
    engine = make_engine(empty_url)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    document_entry = {"document_number": "P452 1873A", "issuing_state": "PHL", "reason": "lost"}
    person_entry = {"family_name": "SANTOS", "given_names": "Mark", "date_of_birth": "1985-07-02"}
    with engine.begin() as conn:
        meta = MetaData()
        rule_sets = Table("rule_set_versions", meta, autoload_with=conn)
        versions = Table("watchlist_versions", meta, autoload_with=conn)
        entries = Table("watchlist_entries", meta, autoload_with=conn)
        for number, status, listed in [
            (1, "retired", [person_entry]),
            (2, "active", [document_entry, person_entry]),
        ]:
            conn.execute(
                insert(rule_sets).values(
                    subject_kind="port_call",
                    agency="BORDER",
                    version=number,
                    status=status,
                    document={
                        "params": {"watch_list": listed, "refer_security_level": 2},
                        "disabled": [],
                    },
                    note="",
                    created_at=now,
                )
            )
        first = conn.execute(
            insert(versions)
            .values(
                created_at=now,
                filename="list.csv",
                entries=1,
                sha256="0" * 64,
                active=True,
                warnings=[],
            )
            .returning(versions.c.id)
        ).scalar_one()
        conn.execute(
            insert(entries).values(
                version_id=first,
                entry_id="W-1",
                name="KIM Minji",
                aliases=[],
                date_of_birth="1990",
                nationality="KR",
                document_number="",
                reason="",
                source="",
            )
        )
    upgrade(empty_url)
    with engine.connect() as conn:
        documents = conn.execute(
            text("SELECT document FROM rule_set_versions ORDER BY version")
        ).scalars()
        params = [json.loads(d)["params"] if isinstance(d, str) else d["params"] for d in documents]
        active = conn.execute(text("SELECT id, entries FROM watchlist_versions WHERE active")).all()
        rows = conn.execute(
            text(
                "SELECT entry_id, name, nationality, document_number, date_of_birth, reason, source"
                " FROM watchlist_entries WHERE version_id = :v ORDER BY id"
            ),
            {"v": active[0][0]},
        ).all()
    engine.dispose()
    assert params == [{"refer_security_level": 2}, {"refer_security_level": 2}]
    assert [a[1] for a in active] == [3]
    assert [tuple(r) for r in rows] == [
        ("W-1", "KIM Minji", "KR", "", "1990", "", ""),
        ("BORDER-RS2-1", "", "PH", "P4521873A", "", "lost", "port-call rules"),
        ("BORDER-RS2-2", "SANTOS Mark", "", "", "1985-07-02", "", "port-call rules"),
    ]
