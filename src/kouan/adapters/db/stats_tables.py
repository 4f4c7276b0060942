"""The statistics' tables: the figures imported from the port's statistical returns
(`stat_imported`, one per month, port and indicator) and the rollups Kouan computes from its own
records (`stat_rollups`, one per day, port, indicator and dimensions), kept as records change and
rebuilt from them at will (kouan.services.stats).

Imported at the end of kouan.adapters.db.tables, so that `Base.metadata` holds these tables
wherever the others are known (migrations, the tests' cleaning).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kouan.adapters.db.tables import Base


class StatImported(Base):
    """One figure of a statistical return, as imported: `period` a month ('2026-10'), `port` a
    UN/LOCODE or an airport's IATA code, `indicator` a code of kouan.domain.stats.indicators."""

    __tablename__ = "stat_imported"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    port: Mapped[str] = mapped_column(String(5))
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    imported_at: Mapped[datetime]
    file_sha256: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("period", "port", "indicator"),
        Index("ix_stat_imported_indicator", "indicator", "period"),
    )


class StatRollup(Base):
    """What Kouan's records give one indicator on one day at one port, per dimension ('' where
    the indicator has none): how many observations (`count`), their sum (`total`: whole numbers,
    seconds for durations) and, for durations, how many fell in each bucket of
    kouan.services.stats.rollups.BUCKETS (`histogram`, trailing empty buckets left out), so that
    percentiles over any period are read from the sum of the days' histograms."""

    __tablename__ = "stat_rollups"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    port: Mapped[str] = mapped_column(String(5))
    indicator: Mapped[str] = mapped_column(String(40))
    lane: Mapped[str] = mapped_column(String(12), default="")
    office: Mapped[str] = mapped_column(String(12), default="")
    agency: Mapped[str] = mapped_column(String(10), default="")
    count: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    histogram: Mapped[list[Any]]

    __table_args__ = (
        UniqueConstraint("day", "port", "indicator", "lane", "office", "agency"),
        Index("ix_stat_rollups_indicator", "indicator", "port", "day"),
    )
