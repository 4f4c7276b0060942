"""Transit under customs seal (转关), from the port of arrival to the inland office that took the
declaration, within the route's time limit.

**The trigger.** Kouan clears goods the integrated way: a declaration taken inland (Jinan,
Houma) is released at the port and the goods leave the terminal's gate like any other
("declare anywhere, release at the port"); most inland-declared goods therefore never transit,
and the declaration holds no request to. So a transit is not opened by every inland release:
customs at the port opens it for an import declaration taken by an inland office, while the
goods are still under its control (before the gate), when the goods are to be examined inland
(the broker's request, a risk officer's order). The customs' page lists the inland-declared
imports released and still at the port, so that none is overlooked. The goods depart under seal
once released ("released for transit"): customs or the terminal records the seals and the
conveyance, and the route's time limit starts then. Only the inland office's customs
acknowledges the arrival, checking the seals: intact, the transit closes; not, the goods are
held there with the reason until that office releases them. `check_overdue` raises one customs
alert per transit past its limit (`kouan transit check-overdue`).

Which office a customs organisation is: `transit_offices` (CNJNA -> Jinan Customs); one
registered for no office is the port's own customs (the site's port).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from kouan.adapters.db.tables import DeclarationRow, Organisation
from kouan.adapters.db.transit_tables import TransitOffice, TransitRow
from kouan.domain import transit as rules
from kouan.domain.agency import OrgType
from kouan.domain.declaration import DeclarationStatus, Direction
from kouan.domain.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouan.domain.identifiers import valid_id
from kouan.domain.reasons import render
from kouan.domain.transit import IN_TRANSIT, TransitStatus
from kouan.services.cargo.queries import find_declaration
from kouan.services.platform import alerts
from kouan.services.platform.permissions import (
    SYSTEM,
    Action,
    Actor,
    require,
    transit_scope,
)
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.site import PORT, PORT_ZONE

SUBJECT = "transit"
# How far ahead of Kouan's clock a terminal's or an office's may be (as at the gate).
_CLOCK_SKEW = timedelta(minutes=5)
# Goods that may be put under a transit: still under customs' control at the port.
_OPENABLE = frozenset(
    {
        DeclarationStatus.UNDER_REVIEW,
        DeclarationStatus.INSPECTION,
        DeclarationStatus.HELD,
        DeclarationStatus.PAYMENT_DUE,
        DeclarationStatus.RELEASED,
    }
)


# --- offices ----------------------------------------------------------------------------------


def office_of(uow: UnitOfWork, actor: Actor) -> str | None:
    """The customs office the actor works at: its organisation's registered office, else the
    port's; None for anyone but customs."""
    if actor.org_type is not OrgType.CUSTOMS:
        return None
    query = select(TransitOffice.office).where(TransitOffice.org_id == actor.org_id)
    return uow.session.scalar(query) or PORT


def _require_office(uow: UnitOfWork, office: str, what: str) -> None:
    """Customs of `office` alone (a terminal is at the port: it passes for the port)."""
    actor = uow.actor
    if actor.org_type is OrgType.TERMINAL and office == PORT:
        return
    at = office_of(uow, actor)
    if at != office:
        raise Forbidden(f"{actor.org_name} ({at or actor.org_type.value}) may not {what} {office}")


def register_office(
    ctx: ServiceContext, actor: Actor, office: str, org_name: str
) -> dict[str, Any]:
    """The port office says which customs organisation an inland office is (again: changed)."""
    if actor is not SYSTEM and actor.org_type is not OrgType.PORT_OFFICE:
        raise Forbidden(f"{actor.org_type.value} users may not register customs offices")
    code = office.strip().upper()
    if len(code) != 5 or not code.isalnum():
        raise ValidationFailed.one("office", office, "a UN/LOCODE such as CNJNA")
    if code == PORT:
        raise ValidationFailed.one("office", office, f"an inland office, not the port {PORT}")
    with ctx.uow(actor) as uow:
        org = uow.session.scalar(select(Organisation).where(Organisation.name == org_name))
        if org is None or org.type != OrgType.CUSTOMS.value:
            raise ValidationFailed.one("org", org_name, "the name of a customs organisation")
        row = uow.session.get(TransitOffice, code, with_for_update=True)
        before = {"office": code, "org_id": row.org_id} if row else None
        taken = uow.session.scalar(select(TransitOffice).where(TransitOffice.org_id == org.id))
        if taken is not None and taken.office != code:
            raise Conflict(f"{org_name} is registered as office {taken.office} already")
        if row is None:
            row = TransitOffice(office=code, org_id=org.id, registered_at=uow.now)
            uow.session.add(row)
        row.org_id, row.registered_at = org.id, uow.now
        uow.session.flush()
        after = {"office": code, "org_id": org.id}
        uow.audit("transit.office_registered", "transit_office", code, before, after)
        uow.commit()
    return {"office": code, "org_id": org.id, "org_name": org_name}


def offices(ctx: ServiceContext, actor: Actor) -> dict[str, str]:
    """Inland office -> the name of its customs organisation."""
    require(actor, Action.TRANSIT_READ)
    query = select(TransitOffice.office, Organisation.name).join(
        Organisation, Organisation.id == TransitOffice.org_id
    )
    with ctx.uow(actor, write=False) as uow:
        return {office: name for office, name in uow.session.execute(query).all()}


# --- views ------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _state(row: TransitRow) -> dict[str, Any]:
    """What the audit log keeps of a transit before and after a change."""
    return {
        "status": row.status,
        "seals": list(row.seals),
        "conveyance": row.conveyance,
        "conveyance_id": row.conveyance_id,
        "departed_at": _iso(row.departed_at),
        "due_at": _iso(row.due_at),
        "arrived_at": _iso(row.arrived_at),
        "seals_found": row.seals_found,
        "hold": row.hold,
        "note": row.note,
        "closed_at": _iso(row.closed_at),
        "overdue_alert_id": row.overdue_alert_id,
    }


def view(row: TransitRow, declaration: DeclarationRow, now: datetime) -> dict[str, Any]:
    """The transit as the API answers it, with where it stands at `now`."""
    left = rules.time_left(row.due_at, now)
    in_transit = TransitStatus(row.status) in IN_TRANSIT
    hold = row.hold or None
    return {
        "id": row.id,
        "declaration": {
            "id": declaration.id,
            "reference": declaration.reference,
            "trader_name": declaration.trader_name,
            "status": declaration.status,
            "transport_document": declaration.transport_document,
        },
        "from_port": row.from_port,
        "to_office": row.to_office,
        "limit_hours": row.limit_hours,
        "status": row.status,
        "seals": list(row.seals),
        "conveyance": row.conveyance,
        "conveyance_id": row.conveyance_id,
        "opened_at": row.opened_at.isoformat(),
        "departed_at": _iso(row.departed_at),
        "due_at": _iso(row.due_at),
        "seconds_left": round(left.total_seconds()) if left is not None and in_transit else None,
        "overdue": rules.overdue(row.status, row.due_at, now),
        "late": bool(row.arrived_at and row.due_at and row.arrived_at > row.due_at),
        "arrived_at": _iso(row.arrived_at),
        "seals_found": row.seals_found,
        "held": row.status == TransitStatus.ARRIVED,
        "hold": {**hold, "text": render(hold["key"], hold["params"])} if hold else None,
        "note": row.note,
        "closed_at": _iso(row.closed_at),
        "overdue_alert_id": row.overdue_alert_id,
        "version": row.version,
    }


def _joined(uow: UnitOfWork) -> Select[TransitRow, DeclarationRow]:
    return (
        select(TransitRow, DeclarationRow)
        .join(DeclarationRow, DeclarationRow.id == TransitRow.declaration_id)
        .where(transit_scope(uow.actor))
    )


def _find(uow: UnitOfWork, transit_id: int, for_update: bool = False) -> TransitRow:
    """The transit if the actor may see it; NotFound otherwise (as for none)."""
    if not valid_id(transit_id):
        raise NotFound(f"transit {transit_id} not found")
    query = select(TransitRow).where(TransitRow.id == transit_id, transit_scope(uow.actor))
    row = uow.session.scalar(query.with_for_update() if for_update else query)
    if row is None:
        raise NotFound(f"transit {transit_id} not found")
    return row


def _view_in(uow: UnitOfWork, row: TransitRow) -> dict[str, Any]:
    declaration = uow.session.get_one(DeclarationRow, row.declaration_id)
    return view(row, declaration, uow.now)


def get_transit(ctx: ServiceContext, actor: Actor, transit_id: int) -> dict[str, Any]:
    require(actor, Action.TRANSIT_READ)
    with ctx.uow(actor, write=False) as uow:
        return _view_in(uow, _find(uow, transit_id))


def transit_of(ctx: ServiceContext, actor: Actor, declaration_id: int) -> dict[str, Any] | None:
    """The transit of a declaration, if it has one the actor may see."""
    require(actor, Action.TRANSIT_READ)
    with ctx.uow(actor, write=False) as uow:
        found = uow.session.execute(
            _joined(uow).where(TransitRow.declaration_id == declaration_id)
        ).first()
        return view(found[0], found[1], uow.now) if found else None


@dataclass(frozen=True)
class Filter:
    status: tuple[TransitStatus, ...] = ()
    to_office: str | None = None


def list_transits(
    ctx: ServiceContext, actor: Actor, where: Filter = Filter(), limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Those on their way first, the soonest due first; then the others, newest first."""
    require(actor, Action.TRANSIT_READ)
    with ctx.uow(actor, write=False) as uow:
        query = _joined(uow)
        if where.status:
            query = query.where(TransitRow.status.in_([s.value for s in where.status]))
        if where.to_office:
            query = query.where(TransitRow.to_office == where.to_office.upper())
        on_the_way = TransitRow.status.in_([s.value for s in IN_TRANSIT])
        query = query.order_by(
            on_the_way.desc(), TransitRow.due_at, TransitRow.opened_at.desc(), TransitRow.id
        )
        rows = uow.session.execute(query.limit(limit).offset(offset)).all()
        return [view(row, declaration, uow.now) for row, declaration in rows]


def counts(ctx: ServiceContext, actor: Actor) -> dict[str, int]:
    """How many transits stand in each status (the page's tabs)."""
    require(actor, Action.TRANSIT_READ)
    query = select(TransitRow.status, func.count()).where(transit_scope(actor))
    with ctx.uow(actor, write=False) as uow:
        found = dict(uow.session.execute(query.group_by(TransitRow.status)).all())
    return {status.value: int(found.get(status.value, 0)) for status in TransitStatus}


def awaiting(ctx: ServiceContext, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """Imports declared at an inland office, released and still at the port, without a transit:
    those customs may still put under seal (oldest release first)."""
    require(actor, Action.TRANSIT_OPEN)
    has_transit = select(TransitRow.declaration_id)
    query = (
        select(DeclarationRow)
        .where(
            DeclarationRow.direction == Direction.IMPORT.value,
            DeclarationRow.declaration_office != DeclarationRow.release_port,
            DeclarationRow.status == DeclarationStatus.RELEASED.value,
            DeclarationRow.id.not_in(has_transit),
        )
        .order_by(DeclarationRow.released_at, DeclarationRow.id)
        .limit(limit)
    )
    with ctx.uow(actor, write=False) as uow:
        limit_default = ctx.settings.transit_default_hours
        return [
            {
                "id": row.id,
                "reference": row.reference,
                "trader_name": row.trader_name,
                "declaration_office": row.declaration_office,
                "release_port": row.release_port,
                "released_at": _iso(row.released_at),
                "limit_hours": rules.time_limit(
                    row.release_port, row.declaration_office, limit_default
                ),
            }
            for row in uow.session.scalars(query)
        ]


# --- the life cycle ---------------------------------------------------------------------------


def _when(uow: UnitOfWork, at: datetime | None, after: datetime | None, what: str) -> datetime:
    when = at or uow.now
    if when.tzinfo is None:
        raise ValidationFailed.one("at", str(when), "an aware date and time")
    if when > uow.now + _CLOCK_SKEW:
        raise InvalidTransition(f"at: {when.isoformat()} is in the future")
    if after and when < after:
        raise InvalidTransition(f"at: {when.isoformat()} is before {what} at {after.isoformat()}")
    return when


def open_transit(
    ctx: ServiceContext,
    actor: Actor,
    declaration_id: int,
    seals: list[str] | None = None,
) -> dict[str, Any]:
    """Customs at the port puts an inland-declared import's goods under a transit to the office
    that took the declaration, with the route's time limit (seals may be known already)."""
    require(actor, Action.TRANSIT_OPEN)
    sealed = rules.seals_of(seals or [])
    with ctx.uow(actor) as uow:
        declaration = find_declaration(uow, declaration_id, for_update=True)
        _require_office(uow, declaration.release_port, "open transits at")
        if declaration.direction != Direction.IMPORT.value:
            raise InvalidTransition(f"declaration {declaration_id} is an export: no transit inland")
        if declaration.declaration_office == declaration.release_port:
            raise InvalidTransition(
                f"declaration {declaration_id} was taken at the port {declaration.release_port}: "
                "there is no inland office to transit to"
            )
        if DeclarationStatus(declaration.status) not in _OPENABLE:
            raise InvalidTransition(
                f"declaration {declaration_id} is {declaration.status}: its goods are no longer "
                "under customs' control at the port"
            )
        found = uow.session.scalar(
            select(TransitRow.id).where(TransitRow.declaration_id == declaration_id)
        )
        if found is not None:
            raise Conflict(f"declaration {declaration_id} is under transit {found} already")
        row = TransitRow(
            declaration_id=declaration_id,
            broker_org_id=declaration.broker_org_id,
            from_port=declaration.release_port,
            to_office=declaration.declaration_office,
            limit_hours=rules.time_limit(
                declaration.release_port,
                declaration.declaration_office,
                ctx.settings.transit_default_hours,
            ),
            status=TransitStatus.OPENED.value,
            seals=sealed,
            opened_at=uow.now,
            opened_by=actor.user_id or None,
            note="",
        )
        uow.session.add(row)
        uow.session.flush()
        record = {
            "declaration_id": declaration_id,
            "from_port": row.from_port,
            "to_office": row.to_office,
            "limit_hours": row.limit_hours,
            **_state(row),
        }
        uow.audit("transit.opened", SUBJECT, row.id, None, record)
        shown = view(row, declaration, uow.now)
        uow.commit()
    return shown


def record_departure(
    ctx: ServiceContext,
    actor: Actor,
    transit_id: int,
    *,
    seals: list[str] | None,
    conveyance: str,
    conveyance_id: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The goods leave the port under seal (recorded by customs at the port or the terminal):
    the seals (those given replace those known), the truck or wagon; the time limit starts."""
    require(actor, Action.TRANSIT_DEPART)
    kind, ident = rules.conveyance_of(conveyance, conveyance_id)
    given = rules.seals_of(seals or [])
    with ctx.uow(actor) as uow:
        row = _find(uow, transit_id, for_update=True)
        _require_office(uow, row.from_port, "record departures from")
        if row.status != TransitStatus.OPENED:
            raise InvalidTransition(f"transit {transit_id} is {row.status}: it has left already")
        declaration = uow.session.get_one(DeclarationRow, row.declaration_id)
        if declaration.released_at is None or declaration.status not in (
            DeclarationStatus.RELEASED,
            DeclarationStatus.GATED_OUT,
        ):
            raise InvalidTransition(
                f"declaration {declaration.id} is {declaration.status}: goods leave under seal "
                "only once released for transit"
            )
        sealed = given or list(row.seals)
        if not sealed:
            raise ValidationFailed.one("seals", [], "the seal numbers the goods leave under")
        when = _when(uow, at, declaration.released_at, "the release")
        before = _state(row)
        row.seals, row.conveyance, row.conveyance_id = sealed, kind.value, ident
        row.departed_at, row.departed_by = when, actor.user_id or None
        row.due_at = rules.deadline(when, row.limit_hours)
        row.status = TransitStatus.DEPARTED.value
        uow.audit("transit.departed", SUBJECT, row.id, before, _state(row))
        shown = view(row, declaration, uow.now)
        uow.commit()
    return shown


def acknowledge_arrival(
    ctx: ServiceContext,
    actor: Actor,
    transit_id: int,
    *,
    seals_found: list[str],
    at: datetime | None = None,
    note: str = "",
) -> dict[str, Any]:
    """The inland office's customs acknowledges the goods' arrival with the seals it found:
    intact, the transit closes; not, the goods are held there with the reason."""
    require(actor, Action.TRANSIT_ARRIVE)
    found = rules.seals_of(seals_found, "seals_found")
    if not found:
        raise ValidationFailed.one("seals_found", [], "the seal numbers found on the goods")
    note = note.strip()
    if len(note) > 2000:
        raise ValidationFailed.one("note", f"{len(note)} characters", "at most 2000 characters")
    with ctx.uow(actor) as uow:
        row = _find(uow, transit_id, for_update=True)
        _require_office(uow, row.to_office, "acknowledge arrivals at")
        if TransitStatus(row.status) not in IN_TRANSIT:
            raise InvalidTransition(
                f"transit {transit_id} is {row.status}: only goods on their way arrive"
            )
        when = _when(uow, at, row.departed_at, "the departure")
        before = _state(row)
        check = rules.check_seals(row.seals, found)
        row.arrived_at, row.arrived_by, row.seals_found = when, actor.user_id or None, found
        row.note = note
        if check.intact:
            row.status, row.closed_at = TransitStatus.CLOSED.value, uow.now
        else:
            row.status, row.hold = TransitStatus.ARRIVED.value, check.reason().as_dict()
        uow.audit("transit.arrived", SUBJECT, row.id, before, _state(row))
        shown = _view_in(uow, row)
        uow.commit()
    return shown


def release_held(ctx: ServiceContext, actor: Actor, transit_id: int, note: str) -> dict[str, Any]:
    """The inland office releases goods it held at arrival (after examining them): closed,
    with the officer's note on record."""
    require(actor, Action.TRANSIT_ARRIVE)
    note = note.strip()
    if not note:
        raise ValidationFailed.one("note", note, "what the examination found")
    if len(note) > 2000:
        raise ValidationFailed.one("note", f"{len(note)} characters", "at most 2000 characters")
    with ctx.uow(actor) as uow:
        row = _find(uow, transit_id, for_update=True)
        _require_office(uow, row.to_office, "release goods at")
        if row.status != TransitStatus.ARRIVED:
            raise InvalidTransition(f"transit {transit_id} is {row.status}: nothing is held")
        before = _state(row)
        row.status, row.closed_at = TransitStatus.CLOSED.value, uow.now
        row.note = note
        uow.audit("transit.closed", SUBJECT, row.id, before, _state(row))
        shown = _view_in(uow, row)
        uow.commit()
    return shown


# --- overdue ----------------------------------------------------------------------------------


def _port_time(value: datetime) -> str:
    return value.astimezone(PORT_ZONE).strftime("%Y-%m-%d %H:%M")


def _customs_of(uow: UnitOfWork, row: TransitRow) -> list[int]:
    """The customs organisations of the transit's two ends: the inland office's and the port's
    (customs registered for no other office)."""
    customs = uow.session.scalars(
        select(Organisation.id).where(Organisation.type == OrgType.CUSTOMS.value)
    ).all()
    registered = dict(uow.session.execute(select(TransitOffice.org_id, TransitOffice.office)).all())
    ends = {row.from_port, row.to_office}
    return [org for org in customs if registered.get(org, PORT) in ends]


def check_overdue(ctx: ServiceContext, now: datetime | None = None) -> list[int]:
    """Find every transit on its way past its time limit, mark it overdue and raise one alert
    to customs at both ends (escalated to the port office if not acknowledged in time); the
    transits' ids. A transit is found overdue once: its status says so, and the rows are locked
    so that two runs at once alert once."""
    with ctx.uow(SYSTEM) as uow:
        at = now or uow.now
        query = (
            select(TransitRow)
            .where(TransitRow.status == TransitStatus.DEPARTED.value, TransitRow.due_at < at)
            .order_by(TransitRow.due_at, TransitRow.id)
            .with_for_update()
        )
        found = list(uow.session.scalars(query))
        for row in found:
            _alert_overdue(uow, row, at)
        uow.commit()
    return [row.id for row in found]


def _alert_overdue(uow: UnitOfWork, row: TransitRow, at: datetime) -> None:
    assert row.due_at is not None and row.departed_at is not None
    declaration = uow.session.get_one(DeclarationRow, row.declaration_id)
    before = _state(row)
    title = rules.reason(
        "transit.overdue",
        transit=row.id,
        declaration=declaration.reference or declaration.id,
        from_port=row.from_port,
        to_office=row.to_office,
        due_at=_port_time(row.due_at),
    )
    body = rules.reason(
        "transit.overdue_body",
        departed_at=_port_time(row.departed_at),
        conveyance=row.conveyance or "",
        conveyance_id=row.conveyance_id or "",
        seals=", ".join(row.seals),
        hours=f"{row.limit_hours:g}",
    )
    customs = _customs_of(uow, row)
    alert_id = alerts.raise_in(
        uow,
        kind=alerts.TRANSIT_OVERDUE,
        level=2,
        subject_type=SUBJECT,
        subject_id=row.id,
        title=title,
        body=body,
        payload={
            "transit": row.id,
            "declaration": declaration.id,
            "reference": declaration.reference,
            "to_office": row.to_office,
            "due_at": row.due_at.isoformat(),
            "found_at": at.isoformat(),
        },
        to_orgs=customs,
        to_types=() if customs else (OrgType.CUSTOMS,),
        ack_due_at=uow.now + timedelta(minutes=uow.settings.transit_ack_minutes),
    )
    row.status, row.overdue_alert_id = TransitStatus.OVERDUE.value, alert_id
    uow.audit("transit.overdue", SUBJECT, row.id, before, _state(row))


def my_office(ctx: ServiceContext, actor: Actor) -> str | None:
    """The customs office the actor works at (None for anyone but customs): what the pages
    offer them to do."""
    with ctx.uow(actor, write=False) as uow:
        return office_of(uow, actor)
