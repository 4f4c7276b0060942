"""What the dashboards read: the port's live board, today's figures and short call summaries,
scoped like every other read (services/permissions.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from kouan.adapters.db.tables import DeclarationRow, PortCall, Review
from kouan.domain.declaration import DeclarationStatus, Lane
from kouan.domain.portcall import IN_PORT, CallStatus, zero_wait
from kouan.services.platform.permissions import (
    Action,
    Actor,
    declaration_scope,
    port_call_scope,
    require,
    review_scope,
)
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.site import PORT_ZONE

# The most ships one board table lists; a port has far fewer in it at once.
BOARD_ROWS = 300
AT_ANCHOR = (CallStatus.ARRIVED.value,)
AT_BERTH = tuple(s.value for s in IN_PORT if s is not CallStatus.ARRIVED)


@dataclass(frozen=True)
class CallSummary:
    """A port call in one line: what a queue or board row shows of it."""

    id: int
    ship_name: str
    imo: str
    voyage: str
    berth: str | None
    status: str
    eta: datetime
    etd: datetime
    late: bool
    ata: datetime | None
    all_fast: datetime | None
    atd: datetime | None
    wait_minutes: float  # non-working minutes waiting for a permit (a running wait counts to now)

    @property
    def is_zero_wait(self) -> bool:
        return self.wait_minutes == 0


@dataclass(frozen=True)
class Board:
    """The live board (口岸动态): where the ships are and today's zero-wait figures."""

    at_anchor: list[CallSummary]
    alongside: list[CallSummary]
    left_today: list[CallSummary]

    @property
    def zero_wait_today(self) -> int:
        return sum(1 for c in self.left_today if c.is_zero_wait)

    @property
    def zero_wait_rate(self) -> float | None:
        """Calls departed today that were zero-wait, of all departed today (None: none left)."""
        if not self.left_today:
            return None
        return self.zero_wait_today / len(self.left_today)

    @property
    def minutes_lost_today(self) -> float:
        return round(sum(c.wait_minutes for c in self.left_today), 1)


def start_of_day(now: datetime) -> datetime:
    """Midnight at the port on `now`'s date: where "today" begins for the board."""
    local = now.astimezone(PORT_ZONE)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _summary(call: PortCall, now: datetime) -> CallSummary:
    waits = zero_wait(
        call.all_fast, call.entry_permit_at, call.ops_complete, call.departure_permit_at, now
    )
    return CallSummary(
        id=call.id,
        ship_name=call.ship_name,
        imo=call.imo,
        voyage=call.voyage,
        berth=call.berth,
        status=call.status,
        eta=call.eta,
        etd=call.etd,
        late=call.late,
        ata=call.ata,
        all_fast=call.all_fast,
        atd=call.atd,
        wait_minutes=waits.non_working_minutes,
    )


def _calls(uow: UnitOfWork, *where: ColumnElement[bool]) -> list[CallSummary]:
    query = (
        select(PortCall)
        .where(port_call_scope(uow.actor), *where)
        .order_by(PortCall.ata, PortCall.eta, PortCall.id)
        .limit(BOARD_ROWS)
    )
    return [_summary(c, uow.now) for c in uow.session.scalars(query).all()]


def port_board(ctx: ServiceContext, actor: Actor) -> Board:
    require(actor, Action.BOARD_READ)
    with ctx.uow(actor, write=False) as uow:
        return Board(
            at_anchor=_calls(uow, PortCall.status.in_(AT_ANCHOR)),
            alongside=_calls(uow, PortCall.status.in_(AT_BERTH)),
            left_today=_calls(
                uow,
                PortCall.status == CallStatus.DEPARTED.value,
                PortCall.atd >= start_of_day(uow.now),
            ),
        )


def call_summaries(
    ctx: ServiceContext, actor: Actor, call_ids: Iterable[int]
) -> dict[int, CallSummary]:
    """The calls among `call_ids` the actor may see, by id (to name the ship beside a review)."""
    ids = sorted(set(call_ids))
    if not ids:
        return {}
    with ctx.uow(actor, write=False) as uow:
        calls = _calls(uow, PortCall.id.in_(ids))
    return {c.id: c for c in calls}


def decided_today(ctx: ServiceContext, actor: Actor) -> dict[str, int]:
    """The actor's agency's reviews decided since midnight, by who decided: rules or officer."""
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.execute(
            select(Review.decided_by, func.count())
            .where(review_scope(actor), Review.decided_at >= start_of_day(uow.now))
            .group_by(Review.decided_by)
        ).all()
    counts = {"rules": 0, "officer": 0}
    counts.update({str(decider): int(n) for decider, n in rows if decider})
    return counts


def cargo_counts(
    ctx: ServiceContext, actor: Actor, filed_since: datetime
) -> dict[str, dict[str, int]]:
    """Declarations filed since then, per lane and status (every lane and status, zeros too)."""
    query = (
        select(DeclarationRow.lane, DeclarationRow.status, func.count())
        .where(declaration_scope(actor), DeclarationRow.filed_at >= filed_since)
        .group_by(DeclarationRow.lane, DeclarationRow.status)
    )
    counts = {lane.value: {status.value: 0 for status in DeclarationStatus} for lane in Lane}
    with ctx.uow(actor, write=False) as uow:
        for lane, status, count in uow.session.execute(query):
            counts[lane][status] = int(count)
    return counts
