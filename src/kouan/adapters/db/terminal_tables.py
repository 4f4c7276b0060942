"""What the terminals saw: containers discharged and loaded (`terminal_moves`, from COARRI or the
API), bay plans received (`bay_plans`, from BAPLIE) and the goods-arrival reports
(`goods_arrivals`, 运抵报告) that make a container in the yard available for release
(kouan.services.terminal).

Imported at the end of kouan.adapters.db.tables, so that `Base.metadata` holds these tables
wherever the others are known (migrations, the tests' cleaning).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kouan.adapters.db.tables import Base


class TerminalMove(Base):
    """One container discharged from a ship or loaded onto it at a terminal. `port_call_id` is
    the call it was matched to (None when Kouan knows no such call); `teu` follows from the ISO
    6346 size-type code (None when it is no known length); `warnings` what was odd about it."""

    __tablename__ = "terminal_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # discharged, loaded
    container: Mapped[str] = mapped_column(String(17))
    size_type: Mapped[str] = mapped_column(String(4), default="")
    teu: Mapped[int | None] = mapped_column(Integer)
    full: Mapped[bool | None] = mapped_column(Boolean)
    gross_kg: Mapped[float | None] = mapped_column(Float)
    seals: Mapped[list[Any]]
    position: Mapped[str] = mapped_column(String(12), default="")
    port: Mapped[str] = mapped_column(String(5))
    terminal: Mapped[str] = mapped_column(String(20))
    port_call_id: Mapped[int | None] = mapped_column(ForeignKey("port_calls.id"))
    voyage: Mapped[str] = mapped_column(String(35), default="")
    vessel: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(10))  # COARRI, API
    reported_by_org: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    recorded_at: Mapped[datetime]
    warnings: Mapped[list[Any]]

    __table_args__ = (
        Index("ix_terminal_moves_container", "container"),
        Index("ix_terminal_moves_call", "port_call_id"),
        Index("ix_terminal_moves_at", "at"),
    )


class BayPlanRow(Base):
    """One bay plan as a terminal sent it: the ship's voyage and every slot (JSON: position,
    container, size-type, TEU, weight, ports of loading and discharge, operator)."""

    __tablename__ = "bay_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    port_call_id: Mapped[int | None] = mapped_column(ForeignKey("port_calls.id"), index=True)
    terminal: Mapped[str] = mapped_column(String(20))
    voyage: Mapped[str] = mapped_column(String(35), default="")
    vessel: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(35), default="")
    containers: Mapped[int] = mapped_column(Integer)
    teu: Mapped[int] = mapped_column(Integer)
    slots: Mapped[list[Any]]
    warnings: Mapped[list[Any]]
    reported_by_org: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    received_at: Mapped[datetime]


class GoodsArrival(Base):
    """A goods-arrival report (运抵报告): the terminal says a container has arrived in its yard,
    so customs may release it."""

    __tablename__ = "goods_arrivals"

    id: Mapped[int] = mapped_column(primary_key=True)
    container: Mapped[str] = mapped_column(String(17), index=True)
    port_call_id: Mapped[int | None] = mapped_column(ForeignKey("port_calls.id"))
    port: Mapped[str] = mapped_column(String(5))
    terminal: Mapped[str] = mapped_column(String(20))
    arrived_at: Mapped[datetime]
    reported_by_org: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    recorded_at: Mapped[datetime]
