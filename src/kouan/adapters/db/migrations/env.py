"""Alembic environment: migrates the database named by the caller (or KOUAN_DATABASE_URL)."""

from __future__ import annotations

from alembic import context

from kouan.adapters.db.engine import make_engine
from kouan.adapters.db.tables import Base
from kouan.config import get_settings

config = context.config
url = config.attributes.get("url") or get_settings().database_url
connection = config.attributes.get("connection")


def run(conn: object) -> None:
    context.configure(
        connection=conn,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    engine = make_engine(url)
    with engine.connect() as conn:
        run(conn)
    engine.dispose()  # closes SQLite cleanly, so its WAL is checkpointed into the file
