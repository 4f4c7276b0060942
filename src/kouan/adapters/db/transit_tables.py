"""The transit tables: a transit under customs seal of one declaration's goods from the port to
its inland office (kouan.services.transit), and which customs organisation each inland office
is, so that only that office acknowledges the goods' arrival.

Imported at the end of kouan.adapters.db.tables, so that `Base.metadata` holds these tables
wherever the others are known (migrations, the tests' cleaning).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kouan.adapters.db.tables import Base


class TransitOffice(Base):
    """The customs organisation that is an inland office (CNJNA -> Jinan Customs). A customs
    organisation registered for no office is the port's own customs."""

    __tablename__ = "transit_offices"

    office: Mapped[str] = mapped_column(String(5), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    registered_at: Mapped[datetime]


class TransitRow(Base):
    """One declaration's goods under seal from the port of arrival to the inland office."""

    __tablename__ = "transits"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), unique=True)
    broker_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    from_port: Mapped[str] = mapped_column(String(5))
    to_office: Mapped[str] = mapped_column(String(5), index=True)
    limit_hours: Mapped[float] = mapped_column(Float)  # the route's, fixed when opened
    status: Mapped[str] = mapped_column(String(10), index=True)
    seals: Mapped[list[Any]]
    conveyance: Mapped[str | None] = mapped_column(String(10))  # road, rail
    conveyance_id: Mapped[str | None] = mapped_column(String(20))  # plate or wagon number
    opened_at: Mapped[datetime]
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    departed_at: Mapped[datetime | None]
    departed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None]  # departed_at + limit_hours
    arrived_at: Mapped[datetime | None]
    arrived_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    seals_found: Mapped[list[Any] | None]
    # Why the goods are held at arrival (a reason's key and parameters), and the officer's note.
    hold: Mapped[dict[str, Any] | None]
    note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    overdue_alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (Index("ix_transits_due", "status", "due_at"),)
