"""Backups of a Kouan database as one portable file, and restoring one.

The file is gzip-compressed JSON lines: a header (format, schema revision, when, from which
database, each table's row count), then per table its columns and rows. It is read and written
through SQLAlchemy with the tables as the schema revision has them (reflected, not Kouan's
current models), so a backup of SQLite restores into PostgreSQL and the other way round, and a
backup made by an older Kouan is restored at its own revision and then migrated.

A backup is one consistent snapshot: every table is read in one transaction (REPEATABLE READ
on PostgreSQL; on SQLite in WAL mode a read transaction sees one state). A restore writes into
an empty database (or one emptied on request) in one transaction: all of it, or nothing.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Engine,
    MetaData,
    Table,
    func,
    inspect,
    null,
    select,
    text,
)

from kouan.adapters.db.migrate import upgrade

FORMAT = "kouan-backup/1"
_BATCH = 1000
# Alembic's own bookkeeping: the revision is in the header, and restore sets it by migrating.
_NOT_DATA = {"alembic_version"}

Progress = Callable[[str, int], None]  # a table's name and how many of its rows are done


class BackupError(Exception):
    """A backup that cannot be restored here, and why (for the operator)."""


@dataclass(frozen=True)
class Header:
    format: str
    revision: str
    created_at: str
    dialect: str
    tables: dict[str, int]  # rows per table


def _revision(conn: Connection) -> str:
    return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def _tables(conn: Connection) -> list[Table]:
    """The database's tables as its schema revision made them, parents before children."""
    metadata = MetaData()
    metadata.reflect(conn)
    return [t for t in metadata.sorted_tables if t.name not in _NOT_DATA]


def backup(engine: Engine, path: Path, progress: Progress | None = None) -> Header:
    """Write the whole database to `path` (gzip JSON lines); what the header says."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        tables = _tables(conn)
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables
        }
        header = Header(
            FORMAT, _revision(conn), datetime.now(UTC).isoformat(), conn.dialect.name, counts
        )
        with gzip.open(path, "wt", encoding="utf-8") as out:
            _line(out, {"header": header.__dict__})
            for table in tables:
                _dump_table(conn, table, out, progress)
    return header


def _dump_table(conn: Connection, table: Table, out: IO[str], progress: Progress | None) -> None:
    columns = [c.name for c in table.columns]
    _line(out, {"table": table.name, "columns": columns})
    order = list(table.primary_key.columns) or list(table.columns)
    done = 0
    result = conn.execution_options(yield_per=_BATCH).execute(select(table).order_by(*order))
    for row in result:
        _line(out, [_encode(value) for value in row])
        done += 1
        if progress and done % _BATCH == 0:
            progress(table.name, done)
    if progress:
        progress(table.name, done)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        # SQLite keeps Kouan's times as naive UTC; PostgreSQL gives them aware.
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _line(out: IO[str], value: Any) -> None:
    out.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


def read_header(path: Path) -> Header:
    """The header of a backup file; BackupError if it is not one."""
    lines = _open(path)
    try:
        return _header(next(lines, None), path)
    finally:
        lines.close()


def _header(first: Any, path: Path) -> Header:
    if not isinstance(first, dict) or not isinstance(first.get("header"), dict):
        raise BackupError(f"{path} is not a Kouan backup (no header line)")
    fields = first["header"]
    if fields.get("format") != FORMAT:
        raise BackupError(f"{path} has format {fields.get('format')!r}; expected {FORMAT}")
    return Header(**fields)


def _open(path: Path) -> Generator[Any, None, None]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)
    except (OSError, EOFError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} cannot be read as a Kouan backup: {error}") from error


def restore(
    engine: Engine,
    url: str,
    path: Path,
    replace: bool = False,
    progress: Progress | None = None,
) -> Header:
    """Load the backup at `path` into the database at `url` and migrate it to the newest
    schema. The database must hold no data unless `replace` (then it is emptied first, in the
    same transaction). The caller then begins the audit chain's new epoch."""
    header = read_header(path)
    if not inspect(engine).has_table("alembic_version"):
        upgrade(url, header.revision)  # a new database: the backup's schema, migrated after
    with engine.begin() as conn:
        if _revision(conn) != header.revision:
            raise BackupError(
                f"the database is at schema {_revision(conn)}, the backup at "
                f"{header.revision}: restore it into a new, empty database"
            )
        tables = {t.name: t for t in _tables(conn)}
        _make_room(conn, list(tables.values()), replace)
        _load(conn, tables, path, progress)
        _continue_ids(conn, list(tables.values()))
    upgrade(url)
    return header


def _make_room(conn: Connection, tables: list[Table], replace: bool) -> None:
    holding = [
        t.name for t in tables if conn.execute(select(func.count()).select_from(t)).scalar_one()
    ]
    if holding and not replace:
        raise BackupError(
            f"the database already holds data ({', '.join(holding)}); restore into an empty "
            "database, or replace its contents explicitly"
        )
    for table in reversed(tables):  # children first
        conn.execute(table.delete())


def _load(
    conn: Connection, tables: dict[str, Table], path: Path, progress: Progress | None
) -> None:
    lines = _open(path)
    header = _header(next(lines, None), path)
    table: Table | None = None
    columns: list[str] = []
    decoders: list[Callable[[Any], Any]] = []
    batch: list[dict[str, Any]] = []
    done = 0
    for line in lines:
        if isinstance(line, dict):
            _flush(conn, table, batch)
            table, columns, decoders, done = _start_table(tables, line, path)
            continue
        if table is None:
            raise BackupError(f"{path}: rows before any table")
        batch.append({c: decode(v) for c, decode, v in zip(columns, decoders, line, strict=True)})
        done += 1
        if len(batch) >= _BATCH:
            _flush(conn, table, batch)
            if progress:
                progress(table.name, done)
    _flush(conn, table, batch)
    _check_counts(conn, tables, header)


def _start_table(
    tables: dict[str, Table], line: dict[str, Any], path: Path
) -> tuple[Table, list[str], list[Callable[[Any], Any]], int]:
    table = tables.get(line.get("table", ""))
    if table is None:
        raise BackupError(f"{path}: table {line.get('table')!r} is not in the schema")
    columns = list(line["columns"])
    missing = [c for c in columns if c not in table.c]
    if missing:
        raise BackupError(f"{path}: table {table.name} has no columns {missing}")
    return table, columns, [_decoder(table.c[c].type) for c in columns], 0


def _decoder(column_type: Any) -> Callable[[Any], Any]:
    if isinstance(column_type, DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v).astimezone(UTC)
    if isinstance(column_type, JSON):
        # None is SQL NULL ("no departure filed"), not the JSON value null.
        return lambda v: null() if v is None else v
    if isinstance(column_type, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    return lambda v: v


def _flush(conn: Connection, table: Table | None, batch: list[dict[str, Any]]) -> None:
    if table is not None and batch:
        conn.execute(table.insert(), batch)
    batch.clear()


def _check_counts(conn: Connection, tables: dict[str, Table], header: Header) -> None:
    for name, expected in header.tables.items():
        found = conn.execute(select(func.count()).select_from(tables[name])).scalar_one()
        if found != expected:
            raise BackupError(f"table {name}: {found} rows restored, the backup holds {expected}")


def _continue_ids(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL's sequences go on after the restored ids (SQLite's take the largest id)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.c and table.c.id.autoincrement is not False:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f'COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false) '
                    f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"
                )
            )
