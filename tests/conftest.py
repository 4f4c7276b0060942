"""Shared fixtures: the real databases (SQLite always, PostgreSQL when configured), a clock
the tests move by hand, users of every organisation type, and an HTTP client."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from kouan.adapters.db.engine import make_engine
from kouan.adapters.db.migrate import upgrade
from kouan.adapters.db.tables import Base
from kouan.bootstrap import service_context
from kouan.config import Settings
from kouan.domain.agency import OrgType
from kouan.services.cargo import declarations, traders
from kouan.services.duties import guarantees
from kouan.services.platform import reference, users
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext
from tests.factories import TRADERS, declaration
from tests.listkind import LIST_KIND, Tables

# Property tests check behaviour, not speed: a loaded CI machine must not fail them on time.
settings.register_profile("kouan", deadline=None)
settings.load_profile("kouan")

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("KOUAN_TEST_DATABASE_URL")
# CI sets KOUAN_TEST_STRICT=1: a missing database or browser is then an error, not a skip.
STRICT = os.environ.get("KOUAN_TEST_STRICT") == "1"
# NATS with JetStream for the event tests; CI (.ci/run) sets it to nats://127.0.0.1:4222.
NATS_URL = os.environ.get("KOUAN_TEST_NATS_URL")
PASSWORD = "correct-horse-9"
# The guarantee every registered test trader has (CNY): ample for the tests' declarations.
GUARANTEE = Decimal("10000000")
# The audit chain's key in every test's settings (and the command line's, read from the
# environment): never the demo's key file.
AUDIT_KEY = "test-audit-key-" + "k" * 32
os.environ.setdefault("KOUAN_AUDIT_KEY", AUDIT_KEY)


def shared_data(*parts: str) -> Path:
    """A file of the real public data: ../shared/data when it is beside the checkout, else the
    copy in tests/data (see its SOURCES.md)."""
    shared = ROOT.parent / "shared" / "data" / Path(*parts)
    return shared if shared.exists() else ROOT / "tests" / "data" / Path(*parts)


def skip_or_fail(reason: str) -> None:
    if STRICT:
        pytest.fail(f"{reason} (KOUAN_TEST_STRICT=1: nothing may be skipped)")
    pytest.skip(reason)


class Clock:
    """A clock the test moves by hand; starts at a fixed instant."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@dataclass(frozen=True)
class People:
    """One user per organisation type, plus a second shipping agent to test isolation."""

    actors: dict[str, Actor]

    def __getitem__(self, name: str) -> Actor:
        return self.actors[name]


ORGS = {
    "agent": (OrgType.SHIPPING_AGENT, "Penavico Qingdao"),
    "agent2": (OrgType.SHIPPING_AGENT, "Sinotrans Shipping Agency"),
    "customs": (OrgType.CUSTOMS, "Qingdao Customs"),
    "ciq": (OrgType.CIQ, "Shandong CIQ"),
    "border": (OrgType.BORDER, "Qingdao Border Inspection"),
    "msa": (OrgType.MSA, "Qingdao MSA"),
    "terminal": (OrgType.TERMINAL, "QQCT"),
    "port_office": (OrgType.PORT_OFFICE, "Qingdao Port Office"),
    "broker": (OrgType.CUSTOMS_BROKER, "Qingdao Customs Brokers"),
    "broker2": (OrgType.CUSTOMS_BROKER, "Jinan Customs Brokers"),
    "airline": (OrgType.AIRLINE, "Shandong Airlines"),
    "cruise": (OrgType.CRUISE_LINE, "Star Cruises"),
}
# Created once per database (argon2 is slow on purpose); kept when tables are cleaned.
KEPT_TABLES = {"organisations", "users", "terminals", "berths"}


def _context(url: str, clock: Clock) -> ServiceContext:
    settings = Settings(database_url=url, secret_key="test-secret-key-" + "x" * 32)
    return service_context(make_engine(url), settings, clock)


def _prepare(url: str) -> People:
    """Migrate, add the reference data and one user per organisation type."""
    upgrade(url)
    context = _context(url, Clock())
    with context.sessions() as session:
        reference.ensure_reference_data(session, context.clock())
    actors = {}
    for name, (org_type, org_name) in ORGS.items():
        user_id = users.create_user(context, name, PASSWORD, org_type, org_name)
        actors[name] = users.actor_for(context, user_id)
    context.engine.dispose()
    return People(actors)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, People]:
    path = tmp_path_factory.mktemp("db") / "template.db"
    return path, _prepare(f"sqlite:///{path}")


@pytest.fixture(scope="session")
def pg_ready() -> Iterator[tuple[str, People]]:
    """A database of this test run's own on the server KOUAN_TEST_DATABASE_URL names, so that
    runs side by side never meet; dropped at the end."""
    if not PG_URL:
        skip_or_fail(
            "PostgreSQL tests skipped: set KOUAN_TEST_DATABASE_URL="
            "postgresql+psycopg://postgres@127.0.0.1:5432/test to run them"
        )
    assert PG_URL
    name = f"kouan_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    yield url, _prepare(url)
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _pg_clean(url: str) -> None:
    """Empty every table but the kept ones, and drop the organisations and users that a test
    added beside the fixture's own (the demo's): a test addressing every organisation of a type
    finds the fixture's alone, as on SQLite, whatever ran before it."""
    engine = make_engine(url)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables if t.name not in KEPT_TABLES)
    ours = {"names": list(ORGS)}
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(text("DELETE FROM users WHERE username <> ALL(:names)"), ours)
        conn.execute(text("DELETE FROM organisations WHERE id NOT IN (SELECT org_id FROM users)"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, People]:
    if request.param == "sqlite":
        template, people = request.getfixturevalue("sqlite_template")
        path = tmp_path / "kouan.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}", people
    url, people = request.getfixturevalue("pg_ready")
    _pg_clean(url)
    return url, people


@pytest.fixture
def database_url(database: tuple[str, People]) -> str:
    return database[0]


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same kind as the test's (not migrated)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"kouan_empty_{uuid.uuid4().hex[:8]}"
    server = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture
def people(database: tuple[str, People]) -> People:
    return database[1]


@pytest.fixture
def nats_url() -> str:
    """The NATS server of the event tests (KOUAN_TEST_NATS_URL)."""
    if not NATS_URL:
        skip_or_fail(
            "NATS tests skipped: set KOUAN_TEST_NATS_URL=nats://127.0.0.1:4222 (a nats-server "
            "run with -js) to run them"
        )
    assert NATS_URL
    return NATS_URL


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(database_url: str, clock: Clock) -> Iterator[ServiceContext]:
    context = _context(database_url, clock)
    with context.sessions() as session:
        reference.ensure_reference_data(session, clock())
    yield context
    context.engine.dispose()


def register_traders(ctx: ServiceContext, people: People) -> None:
    """Customs registers the five traders of tests.factories (one per credit class)."""
    for code, (name, credit_class) in TRADERS.items():
        traders.register(ctx, people["customs"], traders.checked(code, name, credit_class))
        # Each has a guarantee (kouan.services.duties), so that an import the rules release is
        # released at filing as before duties were assessed; tests of waiting for payment
        # take it away.
        guarantees.set_guarantee(ctx, people["customs"], code, GUARANTEE)


@pytest.fixture
def registered(ctx: ServiceContext, people: People) -> ServiceContext:
    """The test database with the five traders registered, before anyone declares."""
    register_traders(ctx, people)
    return ctx


def file_declaration(
    ctx: ServiceContext, people: People, who: str = "broker", **overrides: Any
) -> dict[str, Any]:
    """The factory declaration (a B-class trader's cotton T-shirts) with `overrides`, filed
    through the service by `who`; the declaration as answered."""
    status, view = declarations.file_declaration(ctx, people[who], declaration(**overrides))
    assert status == 201
    return view


@pytest.fixture
def wired(ctx: ServiceContext, clock: Clock) -> Iterator[ServiceContext]:
    """The test's context with the tests' own kind of subject (tests/listkind.py) added to
    Kouan's wiring, and its table."""
    Tables.metadata.create_all(ctx.engine)
    yield service_context(ctx.engine, ctx.settings, clock, extra_kinds=(LIST_KIND,))
    Tables.metadata.drop_all(ctx.engine)
