"""The alerts' tables: an alert raised by a rule or an event, and one row per organisation it is
addressed to, acknowledged once and escalated once when overdue (kouan.services.platform.alerts).

Imported at the end of kouan.adapters.db.tables, so that `Base.metadata` holds these tables
wherever the others are known (migrations, the tests' cleaning).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kouan.adapters.db.tables import Base


class Alert(Base):
    """An alert: what it is about, its title and body as message keys (the English text kept
    beside them, as reviews keep theirs), what it carries (a contact list...) and by when its
    recipients must acknowledge it."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)  # e.g. "epidemic.joint"
    level: Mapped[int] = mapped_column(Integer)  # 1 (watch) to 4 (the most severe)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    title_key: Mapped[str] = mapped_column(String(60))
    title_params: Mapped[dict[str, Any]]
    title: Mapped[str] = mapped_column(Text)
    body_key: Mapped[str | None] = mapped_column(String(60))
    body_params: Mapped[dict[str, Any] | None]
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]]
    raised_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: a rule's
    raised_at: Mapped[datetime] = mapped_column(index=True)
    ack_due_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]  # when a recipient was first found overdue

    __table_args__ = (Index("ix_alerts_subject", "subject_type", "subject_id"),)


class AlertRecipient(Base):
    """One organisation an alert is addressed to, and its acknowledgement. An alert addressed to
    a type of organisation has a row for each organisation of that type when it is raised (a
    row without `org_id` when there is none yet, which the first of that type to acknowledge
    takes). `escalation` marks the port office addressed because others were overdue."""

    __tablename__ = "alert_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    org_type: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    escalation: Mapped[bool] = mapped_column(default=False)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escalated_at: Mapped[datetime | None]

    __table_args__ = (
        # Once per organisation: a second acknowledgement finds its row taken.
        UniqueConstraint("alert_id", "org_id"),
        Index("ix_alert_recipients_open", "acknowledged_at", "escalated_at"),
    )
