"""Epidemic alerts CIQ declares (an area, a level, a period, an incubation period): the health
rules of every list read the alerts active on its day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select

from kouan.adapters.db.passenger_tables import EpidemicAlertRow
from kouan.domain.health import AlertArea, EpidemicAlert
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

# The longest incubation period an alert may declare (kouan.domain.health checks 0 to 60 days).
MAX_INCUBATION_DAYS = 60


def declare(ctx: ServiceContext, actor: Actor, alert: EpidemicAlert, level: int) -> dict[str, Any]:
    """CIQ declares an epidemic alert; lists received from now on are screened against it."""
    require(actor, Action.RULES_PUBLISH)
    with ctx.uow(actor) as uow:
        row = EpidemicAlertRow(
            disease=alert.disease[:60],
            disease_zh=alert.disease_zh[:60],
            level=level,
            areas=[{"code": a.code, "level": a.level} for a in alert.areas],
            starts_on=alert.starts,
            ends_on=alert.ends,
            incubation_days=alert.incubation_days,
            created_by=actor.user_id or None,
            created_at=uow.now,
        )
        uow.session.add(row)
        uow.session.flush()
        view = alert_view(row)
        uow.audit("epidemic_alert.declared", "epidemic_alert", row.id, None, view)
        uow.commit()
    return view


def alerts_on(uow: UnitOfWork, day: date) -> list[EpidemicAlert]:
    """The alerts holding on `day` or within the longest incubation period before it."""
    rows = uow.session.scalars(
        select(EpidemicAlertRow).where(
            EpidemicAlertRow.starts_on <= day,
            # An alert ended within the longest incubation period still counts the stays it held.
            or_(
                EpidemicAlertRow.ends_on.is_(None),
                EpidemicAlertRow.ends_on >= day - timedelta(days=MAX_INCUBATION_DAYS),
            ),
        )
    ).all()
    return [_alert(row) for row in rows]


def _alert(row: EpidemicAlertRow) -> EpidemicAlert:
    return EpidemicAlert(
        disease=row.disease,
        areas=tuple(AlertArea(a["code"], int(a["level"])) for a in row.areas),
        starts=row.starts_on,
        ends=row.ends_on,
        incubation_days=row.incubation_days,
        disease_zh=row.disease_zh,
    )


def alert_view(row: EpidemicAlertRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "disease": row.disease,
        "disease_zh": row.disease_zh,
        "level": row.level,
        "areas": row.areas,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat() if row.ends_on else None,
        "incubation_days": row.incubation_days,
    }
