"""The database tables (SQLAlchemy 2).

Times are stored as UTC; JSON columns hold filed documents as filed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (stored naive) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; Kouan stores aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Ids are INTEGER on every database: the largest any row can have.
MAX_ID = 2_147_483_647

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JsonType, list[Any]: JsonType}


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class LoginThrottle(Base):
    """Failed logins per username (known or not), so guessing is slowed for everyone alike."""

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class Terminal(Base):
    __tablename__ = "terminals"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(20))


class Berth(Base):
    __tablename__ = "berths"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"), index=True)
    length_m: Mapped[float] = mapped_column(Float)
    depth_m: Mapped[float] = mapped_column(Float)


class Ship(Base):
    """The ships Kouan has seen, so AIS reports can be matched and detentions remembered."""

    __tablename__ = "ships"

    imo: Mapped[str] = mapped_column(String(7), primary_key=True)
    mmsi: Mapped[str] = mapped_column(String(9), index=True)
    name: Mapped[str] = mapped_column(String(200))
    call_sign: Mapped[str] = mapped_column(String(12))
    flag: Mapped[str] = mapped_column(String(2))
    detentions: Mapped[int] = mapped_column(Integer, default=0)


class PortCall(Base):
    __tablename__ = "port_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    filed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imo: Mapped[str] = mapped_column(String(7), index=True)
    mmsi: Mapped[str] = mapped_column(String(9), index=True)
    ship_name: Mapped[str] = mapped_column(String(200))
    voyage: Mapped[str] = mapped_column(String(35))
    port: Mapped[str] = mapped_column(String(5))
    berth: Mapped[str | None] = mapped_column(String(35))
    eta: Mapped[datetime] = mapped_column(index=True)
    etd: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), index=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_at: Mapped[datetime]
    arrival: Mapped[dict[str, Any]]
    departure: Mapped[dict[str, Any] | None]
    departure_filed_at: Mapped[datetime | None]
    entry_permit_at: Mapped[datetime | None]
    departure_permit_at: Mapped[datetime | None]
    ata: Mapped[datetime | None]
    all_fast: Mapped[datetime | None]
    ops_start: Mapped[datetime | None]
    ops_complete: Mapped[datetime | None]
    atd: Mapped[datetime | None]
    ata_source: Mapped[str | None] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Review(Base):
    """One agency's review of one subject (a port call's entry or departure; later declarations)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    phase: Mapped[str] = mapped_column(String(10))
    agency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(10))  # "rules" or "officer"
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    rules_hit: Mapped[list[Any]]
    rule_set: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_reviews_subject", "subject_type", "subject_id"),
        Index("ix_reviews_queue", "agency", "status", "created_at"),
    )


class RuleSetRow(Base):
    """One version of one agency's rule set; exactly one per agency is active."""

    __tablename__ = "rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(10))
    version: Mapped[int]
    params: Mapped[dict[str, Any]]
    disabled: Mapped[list[Any]]
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("agency", "version"),)


class AuditEntry(Base):
    """Append-only, hash-chained record of every state change."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor_user_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id"),)


class AuditHead(Base):
    """The chain's last link; locking this one row serialises appends across processes."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    key: Mapped[str] = mapped_column(String(120))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("user_id", "key"),)
