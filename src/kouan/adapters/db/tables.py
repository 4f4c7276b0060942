"""The database tables (SQLAlchemy 2).

Times are stored as UTC; JSON columns hold filed documents as filed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
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


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; Kouan stores aware UTC times")
    return value.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (stored naive) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = _utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            # SQLAlchemy's SQLite text form (microseconds always written, so that the texts
            # order as the instants do) in one C call: every filing binds a score of these.
            if value is None:
                return None
            return _utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Ids are INTEGER on every database (kouan.domain.identifiers.MAX_ID is the largest).

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


class LoginFailure(Base):
    """Recent failed logins of one account or one client, under a fixed-size key (a hash of the
    username or address), so that guessing waits longer and longer; old rows are pruned."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(index=True)


class UserSession(Base):
    """A signed-in session: the id (`jti`) its token carries. A token whose row is gone (logged
    out, password changed) no longer lets anyone in."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


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
    """One agency's review of one subject (a port call's entry or departure, a declaration...)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    phase: Mapped[str] = mapped_column(String(10))
    agency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(10))  # "rules" or "officer"
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")  # English, as the record reads
    # The reason as a message key and parameters, rendered in each reader's language.
    reason_key: Mapped[str | None] = mapped_column(String(60))
    reason_params: Mapped[dict[str, Any] | None]
    rules_hit: Mapped[list[Any]]
    hits: Mapped[list[Any]]  # each rule hit: code, action, reason key and params, target
    rule_set: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_reviews_subject", "subject_type", "subject_id"),
        Index("ix_reviews_queue", "agency", "status", "created_at"),
    )


class ReviewTarget(Base):
    """What inside a subject a review's rules referred (a person of a list, a container...), to
    be decided on its own: a list is settled person by person."""

    __tablename__ = "review_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    target: Mapped[str] = mapped_column(String(60))  # e.g. "passengers[41]"
    label: Mapped[str] = mapped_column(String(200))  # e.g. the person's name
    status: Mapped[str] = mapped_column(String(10), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(10))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_key: Mapped[str | None] = mapped_column(String(60))
    reason_params: Mapped[dict[str, Any] | None]
    rules_hit: Mapped[list[Any]]
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class RuleSetRow(Base):
    """One version of one agency's rules for one kind of subject: a draft while edited, then
    active (exactly one per kind and agency), then retired, kept for the record."""

    __tablename__ = "rule_set_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str] = mapped_column(String(10))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), index=True)  # draft, active, retired
    document: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("subject_kind", "agency", "version"),)


class AuditEntry(Base):
    """Append-only record of every state change, chained by a keyed hash (see
    kouan.adapters.db.audit); `epoch` 0 holds the rows chained before keys, unkeyed."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    epoch: Mapped[int] = mapped_column(default=0, server_default="0")
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
    epoch: Mapped[int] = mapped_column(default=0, server_default="0")
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


class Trader(Base):
    """An enterprise registered with customs (海关注册企业) and its credit class, which the risk
    rules use. Brokers declare for traders; a trader need not use Kouan itself."""

    __tablename__ = "traders"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_class: Mapped[str] = mapped_column(String(2))
    updated_at: Mapped[datetime]


class ExchangeRate(Base):
    """Customs' exchange rate for a currency (CNY per unit), to compare unit values in CNY."""

    __tablename__ = "exchange_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    cny_per_unit: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime]


class DeclarationRow(Base):
    """A customs declaration as filed, with its lane, status and the times that matter."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    broker_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    filed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reference: Mapped[str | None] = mapped_column(String(35))
    source: Mapped[str] = mapped_column(String(10))  # api, form, cusdec
    trader_code: Mapped[str] = mapped_column(String(10), index=True)
    trader_name: Mapped[str] = mapped_column(String(200))
    credit_class: Mapped[str] = mapped_column(String(2))
    direction: Mapped[str] = mapped_column(String(6))
    trade_mode: Mapped[str] = mapped_column(String(10))
    transport: Mapped[str] = mapped_column(String(120))
    transport_document: Mapped[str] = mapped_column(String(35))
    declaration_office: Mapped[str] = mapped_column(String(5), index=True)
    release_port: Mapped[str] = mapped_column(String(5))
    items: Mapped[int] = mapped_column(Integer)
    value_cny: Mapped[float] = mapped_column(Float)
    document: Mapped[dict[str, Any]]
    lane: Mapped[str] = mapped_column(String(10))
    rules_hit: Mapped[list[Any]]
    random_selected: Mapped[bool] = mapped_column(Boolean)
    # What the seeded random selection draws on, kept so a re-assessment draws the same.
    selection_key: Mapped[str] = mapped_column(String(60))
    risk_version: Mapped[int] = mapped_column(Integer, index=True)
    needs_ciq: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(12), index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime] = mapped_column(index=True)
    released_at: Mapped[datetime | None]
    gated_out_at: Mapped[datetime | None]
    changed_at: Mapped[datetime] = mapped_column(index=True)  # brokers poll answers since then
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # A broker's reference names one declaration: a CUSDEC sent twice is not filed twice.
        UniqueConstraint("broker_org_id", "reference"),
        Index("ix_declarations_lane_status", "lane", "status"),
    )


class InspectionSlot(Base):
    """A site's inspection capacity on one day, and how much of it is booked."""

    __tablename__ = "inspection_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("site", "day"),)


class Inspection(Base):
    """An inspection ordered by one agency's review: of a declaration's goods, a container, a
    bag, a person sent to quarantine (the target, where the review's rules named one)."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    target: Mapped[str | None] = mapped_column(String(60))
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    agency: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    site: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10))
    finding: Mapped[str] = mapped_column(Text, default="")
    booked_at: Mapped[datetime]
    result_at: Mapped[datetime | None]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_inspections_subject", "subject_type", "subject_id"),)


class OutboxEvent(Base):
    """A domain event, written in the transaction of the change it announces and published to
    JetStream by the relay (kouan.services.platform.relay), which then marks it published."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(32))  # stable: JetStream's Nats-Msg-Id
    event_type: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(120))
    # The enterprise whose filing the event concerns, whose webhooks receive it.
    org_id: Mapped[int | None]
    # When it occurred is the payload's `occurred_at`: binding a time costs more than the row.
    payload: Mapped[dict[str, Any]]
    published_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "id"),)


class RelayLease(Base):
    """Who relays the outbox now, until when: one relay at a time across processes."""

    __tablename__ = "outbox_relay"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime]


class Webhook(Base):
    """An enterprise's URL that receives its own filings' events, signed with its secret."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(64))  # the HMAC key; shown once, at registration
    description: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class WebhookDelivery(Base):
    """One event to one webhook: pending until its receiver answers 2xx, retried with back-off,
    failed after the last attempt."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10))  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )


class WebhookAttempt(Base):
    """One attempt of a delivery, as the receiver answered it: the delivery log."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    status_code: Mapped[int | None]
    error: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(Integer)


from kouan.adapters.db import alert_tables as _alert_tables  # noqa: E402,F401
from kouan.adapters.db import duty_tables as _duty_tables  # noqa: E402,F401
from kouan.adapters.db import goods_tables as _goods_tables  # noqa: E402,F401
from kouan.adapters.db import passenger_tables as _passenger_tables  # noqa: E402,F401
from kouan.adapters.db import stats_tables as _stats_tables  # noqa: E402,F401
from kouan.adapters.db import terminal_tables as _terminal_tables  # noqa: E402,F401
from kouan.adapters.db import transit_tables as _transit_tables  # noqa: E402,F401
