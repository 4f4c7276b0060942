"""The duties' tables: tariff versions, each import declaration's assessment and its lines,
traders' guarantees, payments the banks notify, and ships' tonnage dues
(kouan.services.duties).

Amounts are whole fen (0.01 CNY) in BIGINT columns: exact on every database.

Imported at the end of kouan.adapters.db.tables, so that `Base.metadata` holds these tables
wherever the others are known (migrations, the tests' cleaning).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kouan.adapters.db.tables import Base


class TariffVersion(Base):
    """A version of the tariff customs imported, in force from `effective_from` (the packaged
    table is version 0 until customs imports one)."""

    __tablename__ = "tariff_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    lines: Mapped[list[Any]]
    line_count: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime]


class DutyAssessment(Base):
    """What an import declaration owes, assessed at filing, and how it is settled: `status` is
    due (neither paid nor secured), guaranteed (the trader's guarantee secures it), paid."""

    __tablename__ = "duty_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), unique=True)
    trader_code: Mapped[str] = mapped_column(String(10), index=True)
    broker_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    tariff_version: Mapped[int] = mapped_column(Integer)
    customs_value_fen: Mapped[int] = mapped_column(BigInteger)
    duty_fen: Mapped[int] = mapped_column(BigInteger)
    consumption_tax_fen: Mapped[int] = mapped_column(BigInteger)
    vat_fen: Mapped[int] = mapped_column(BigInteger)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), index=True)
    guaranteed_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # drawn, not yet restored
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    assessed_at: Mapped[datetime] = mapped_column(index=True)
    settled_at: Mapped[datetime | None]


class DutyAssessmentLine(Base):
    """One item's duty and taxes: the tariff line applied, the rates and why (mfn, general or
    an agreement), the amounts."""

    __tablename__ = "duty_assessment_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("duty_assessments.id"), index=True)
    item: Mapped[int] = mapped_column(Integer)
    hs_code: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(2))
    tariff_line: Mapped[str] = mapped_column(String(10))
    customs_value_fen: Mapped[int] = mapped_column(BigInteger)
    duty_rate: Mapped[str] = mapped_column(String(12))
    duty_basis: Mapped[str] = mapped_column(String(10))
    duty_fen: Mapped[int] = mapped_column(BigInteger)
    consumption_rate: Mapped[str | None] = mapped_column(String(12))
    consumption_tax_fen: Mapped[int] = mapped_column(BigInteger)
    vat_rate: Mapped[str] = mapped_column(String(12))
    vat_fen: Mapped[int] = mapped_column(BigInteger)


class Guarantee(Base):
    """A trader's guarantee (a bank's or an insurer's bond, 担保): the amount secured and what is
    left of it; drawn down when goods are released on it, restored when the duties are paid."""

    __tablename__ = "guarantees"

    id: Mapped[int] = mapped_column(primary_key=True)
    trader_code: Mapped[str] = mapped_column(String(10), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    balance_fen: Mapped[int] = mapped_column(BigInteger)
    issuer: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime]


class DutyPayment(Base):
    """A payment a bank notified, once per bank reference."""

    __tablename__ = "duty_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank: Mapped[str] = mapped_column(String(40))
    bank_reference: Mapped[str] = mapped_column(String(64))
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime]
    received_at: Mapped[datetime]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (UniqueConstraint("bank", "bank_reference"),)


class TonnageDue(Base):
    """Tonnage dues assessed for a port call: the certificate (吨税执照) it buys covers the
    ship's later calls until `valid_until`."""

    __tablename__ = "tonnage_dues"

    id: Mapped[int] = mapped_column(primary_key=True)
    port_call_id: Mapped[int] = mapped_column(ForeignKey("port_calls.id"), index=True)
    imo: Mapped[str] = mapped_column(String(7))
    flag: Mapped[str] = mapped_column(String(2))
    net_tonnage: Mapped[str] = mapped_column(String(20))
    period_days: Mapped[int] = mapped_column(Integer)
    preferential: Mapped[bool]
    rate: Mapped[str] = mapped_column(String(12))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    assessed_at: Mapped[datetime]

    __table_args__ = (Index("ix_tonnage_dues_ship", "imo", "valid_until"),)
