"""Create the PostgreSQL database a URL names if its server does not have it yet (for the crash
and load tests' scratch databases, which they empty)."""

from __future__ import annotations

import sys

from sqlalchemy import text
from sqlalchemy.engine import make_url

from kouan.adapters.db.engine import make_engine


def create_database(url: str) -> None:
    name = make_url(url).database
    server = make_engine(make_url(url).set(database="postgres").render_as_string(False))
    with server.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        known = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if known.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()


if __name__ == "__main__":
    create_database(sys.argv[1])
