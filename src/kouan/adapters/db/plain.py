"""Plain statements run on the database driver itself: the few that every filing runs.

SQLAlchemy's Core spends tens of microseconds on each statement it executes (compiled cache
lookup, bind processing, result and event machinery), several times what SQLite takes to run a
small INSERT. These statements are compiled by SQLAlchemy once per dialect and bound through its
own bind processors, so the driver receives exactly the SQL and values SQLAlchemy would send;
driver errors are raised as SQLAlchemy's (IntegrityError and so on), as callers expect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Column, Connection, Table, bindparam, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.schema import ScalarElementColumnDefault

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class PlainStatement:
    """One statement compiled for one dialect, with what turns a row into the driver's
    parameters: per bind name, in the driver's order, its default and its processor."""

    sql: str
    binds: tuple[tuple[str, Any, Processor], ...]
    positional: bool

    def parameters(self, row: Mapping[str, Any]) -> Any:
        """The driver's parameters for `row`; a name missing from it takes its default."""
        values = []
        for name, default, process in self.binds:
            value = row.get(name, default)
            values.append(value if value is None or process is None else process(value))
        if self.positional:
            return tuple(values)
        return {name: value for (name, _, _), value in zip(self.binds, values, strict=True)}


def compile_plain(
    statement: ClauseElement, dialect: Dialect, defaults: Mapping[str, Any] | None = None
) -> PlainStatement:
    """`statement` compiled for `dialect`. A name a row leaves out takes its value in
    `defaults`, else the value bound in the statement (a literal such as `id == 1`)."""
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    binds = [compiled.binds[n] for n in names]
    given = defaults or {}
    return PlainStatement(
        compiled.string,
        tuple(
            (n, given.get(n, b.value), b.type.dialect_impl(dialect).bind_processor(dialect))
            for n, b in zip(names, binds, strict=True)
        ),
        compiled.positional,
    )


def _scalar_default(column: Column[Any]) -> Any:
    default = column.default
    return default.arg if isinstance(default, ScalarElementColumnDefault) else None


# Keyed by the engine's dialect, whose settings (its JSON serializer, say) the processors use.
@lru_cache(maxsize=256)
def insert_statement(table: Table, dialect: Dialect, returning_id: bool) -> PlainStatement:
    """INSERT of every column of `table`, or of all but the id RETURNING the new one; the
    columns' scalar defaults fill what a row leaves out, as SQLAlchemy would."""
    columns = [c for c in table.columns if not (returning_id and c.key == "id")]
    statement = insert(table).values({c.key: bindparam(c.key, type_=c.type) for c in columns})
    if returning_id:
        statement = statement.returning(table.c.id)
    return compile_plain(statement, dialect, {c.key: _scalar_default(c) for c in columns})


def run(conn: Connection, statement: PlainStatement, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run `statement` once per row, in one call of the driver."""
    params = [statement.parameters(row) for row in rows]
    if len(params) == 1:
        _execute(conn, statement.sql, params[0])
    else:
        _execute(conn, statement.sql, params, many=True)


def fetch(conn: Connection, statement: PlainStatement, row: Mapping[str, Any]) -> list[Any]:
    """Run `statement` for one row; the rows it returns (all read, so the statement is done)."""
    return _execute(conn, statement.sql, statement.parameters(row))


def run_sql(conn: Connection, sql: str) -> None:
    """Run a statement without parameters (SAVEPOINT, say) on the driver."""
    _execute(conn, sql, ())


def _execute(conn: Connection, sql: str, params: Any, many: bool = False) -> list[Any]:
    """Run `sql` on the connection's own transaction (begun by SQLAlchemy); the rows it
    returns. A driver error is raised as SQLAlchemy's exception for it, naming the statement."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if many:
            cursor.executemany(sql, params)
            return []
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []
    except conn.dialect.loaded_dbapi.Error as error:
        dbapi_error = conn.dialect.loaded_dbapi.Error
        raise DBAPIError.instance(sql, params, error, dbapi_error, dialect=conn.dialect) from error
    finally:
        cursor.close()
