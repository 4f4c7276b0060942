"""A cruise call and its ship's port call are one visit seen twice: the cruise line sends the
passenger list, the ship's agent files the port call. They are linked by ship and time, whichever
comes first, and the port call's FAL 6 is then the cruise line's list (shown by reference, never
copied into the arrival notice).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from kouan.adapters.db.passenger_tables import CruiseCall, PersonListRow
from kouan.adapters.db.tables import PortCall
from kouan.domain.portcall import CallStatus
from kouan.services.platform.unit_of_work import UnitOfWork

# A cruise line's ETA and the agent's may differ by a tide or a day of weather, never by more.
WINDOW = timedelta(days=2)


def carries_passengers(ship_type: str | None) -> bool:
    """A passenger ship (cruise ship, ferry) as agents type it: only these make cruise calls."""
    return "passenger" in (ship_type or "").casefold() or "cruise" in (ship_type or "").casefold()


def link_cruise(uow: UnitOfWork, cruise: CruiseCall) -> None:
    """Link a cruise call to its ship's port call, when the agent has filed it."""
    if cruise.port_call_id is not None:
        return
    call_id = uow.session.scalar(
        select(PortCall.id)
        .where(
            func.upper(PortCall.ship_name) == cruise.ship_name.upper(),
            PortCall.port == cruise.port,
            PortCall.eta.between(cruise.eta - WINDOW, cruise.eta + WINDOW),
            PortCall.status != CallStatus.DEPARTED.value,
        )
        .order_by(PortCall.eta)
    )
    if call_id is not None:
        _link(uow, cruise, call_id)


def link_port_call(uow: UnitOfWork, call_id: int, ship_name: str, port: str, eta: datetime) -> None:
    """Link a newly filed passenger ship's port call to the cruise call its line announced."""
    cruise = uow.session.scalars(
        select(CruiseCall).where(
            CruiseCall.port_call_id.is_(None),
            func.upper(CruiseCall.ship_name) == ship_name.upper(),
            CruiseCall.port == port,
            CruiseCall.eta.between(eta - WINDOW, eta + WINDOW),
        )
    ).first()
    if cruise is not None:
        _link(uow, cruise, call_id)


def _link(uow: UnitOfWork, cruise: CruiseCall, call_id: int) -> None:
    cruise.port_call_id = call_id
    uow.session.flush()
    uow.audit("cruise_call.linked", "cruise_call", cruise.id, None, {"port_call_id": call_id})


def passenger_lists(uow: UnitOfWork, call_id: int) -> list[dict[str, Any]]:
    """The lists of the cruise call linked to a port call (its FAL 6 and the cruise crew), newest
    first: counts and status only, never the persons."""
    rows = uow.session.execute(
        select(PersonListRow, CruiseCall.voyage)
        .join(CruiseCall, PersonListRow.cruise_call_id == CruiseCall.id)
        .where(CruiseCall.port_call_id == call_id, PersonListRow.status != "rejected")
        .order_by(PersonListRow.received_at.desc(), PersonListRow.id.desc())
    ).all()
    return [
        {
            "id": row.id,
            "cruise_call_id": row.cruise_call_id,
            "voyage": voyage,
            "kind": row.kind,
            "direction": row.direction,
            "persons": row.persons,
            "referred": row.referred,
            "status": row.status,
            "received_at": row.received_at.isoformat(),
        }
        for row, voyage in rows
    ]
