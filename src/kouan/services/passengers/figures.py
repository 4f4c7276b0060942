"""Passenger figures for the statistics and the board: persons in and out by day, month, route,
nationality, flight or cruise call, read from the counts kept as lists come (they outlive the
persons' purge, so a rebuild after it gives the same figures)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Literal

from sqlalchemy import func, select

from kouan.adapters.db.passenger_tables import CruiseCall, Flight, PassengerFigure
from kouan.domain.errors import ValidationFailed
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

By = Literal["day", "month", "route", "nationality", "journey"]
# The seed's port office follows these markets' share of its passengers.
WATCHED_SHARES = ("JP", "KR")


def passenger_figures(
    ctx: ServiceContext,
    actor: Actor,
    start: date,
    end: date,
    by: By = "day",
    role: str | None = "passenger",
) -> dict[str, Any]:
    """Persons arriving and departing from `start` to `end` (both days included) grouped `by`,
    with the totals and the Japanese and Korean shares; `role` None counts crews too."""
    require(actor, Action.BOARD_READ)
    if end < start:
        raise ValidationFailed.one("end", end.isoformat(), f"a day from {start.isoformat()} on")
    columns = (
        PassengerFigure.day,
        PassengerFigure.direction,
        PassengerFigure.journey,
        PassengerFigure.journey_id,
        PassengerFigure.route,
        PassengerFigure.nationality,
        func.sum(PassengerFigure.persons),
    )
    query = (
        select(*columns)
        .where(PassengerFigure.day >= start, PassengerFigure.day <= end)
        .group_by(*columns[:-1])
    )
    if role is not None:
        query = query.where(PassengerFigure.role == role)
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.execute(query).all()
        labels = _labels(uow, {(r[2], r[3]) for r in rows}) if by == "journey" else {}
    groups: dict[str, dict[str, int]] = defaultdict(lambda: {"arriving": 0, "departing": 0})
    by_nationality: dict[str, int] = defaultdict(int)
    for day, direction, journey, journey_id, route, nationality, persons in rows:
        groups[_key(by, day, journey, journey_id, route, nationality)][direction] += int(persons)
        by_nationality[nationality] += int(persons)
    total = sum(by_nationality.values())
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "by": by,
        "rows": [
            {
                "key": key,
                "label": labels.get(key, key),
                **counts,
                "total": counts["arriving"] + counts["departing"],
            }
            for key, counts in sorted(groups.items())
        ],
        "total": total,
        "shares": {c: (by_nationality[c] / total if total else None) for c in WATCHED_SHARES},
    }


def _key(by: By, day: date, journey: str, journey_id: int, route: str, nationality: str) -> str:
    if by == "day":
        return day.isoformat()
    if by == "month":
        return day.strftime("%Y-%m")
    if by == "route":
        return route
    if by == "nationality":
        return nationality or "-"
    return f"{journey}:{journey_id}"


def _labels(uow: UnitOfWork, journeys: set[tuple[str, int]]) -> dict[str, str]:
    """Each journey's flight number or ship and voyage, with its route."""
    flights = [i for kind, i in journeys if kind == "flight"]
    cruises = [i for kind, i in journeys if kind == "cruise"]
    labels = {}
    for row in uow.session.execute(select(Flight).where(Flight.id.in_(flights))).scalars():
        labels[f"flight:{row.id}"] = f"{row.number} {row.origin}-{row.destination}"
    for call in uow.session.execute(select(CruiseCall).where(CruiseCall.id.in_(cruises))).scalars():
        labels[f"cruise:{call.id}"] = f"{call.ship_name} {call.voyage}"
    return labels
