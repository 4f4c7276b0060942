"""The ship's port call: file once, four agencies review in parallel, permits without waiting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect

from kouan.adapters.db import plain
from kouan.adapters.db.tables import Organisation, PortCall, Review, Ship
from kouan.adapters.paxlst import split_roles
from kouan.domain.agency import Agency, Phase
from kouan.domain.canonical import stored_json
from kouan.domain.errors import InvalidTransition, NotFound
from kouan.domain.filing import ArrivalNotice, DepartureNotice, affected_agencies
from kouan.domain.identifiers import valid_id
from kouan.domain.portcall import (
    CallStatus,
    TimelineEvent,
    all_approved,
    check_event,
    derive_status,
    zero_wait,
)
from kouan.rules.portcall import CallFacts, aboard
from kouan.services.passengers import cruises, watchlist
from kouan.services.platform import outbox
from kouan.services.platform.idempotency import Answer, run_idempotent
from kouan.services.platform.permissions import Action, Actor, port_call_scope, require
from kouan.services.platform.unit_of_work import (
    ServiceContext,
    UnitOfWork,
    insert_plain,
    new_row,
)
from kouan.services.review import reviews
from kouan.services.review.rulesets import active_rule_sets
from kouan.services.review.subjects import SubjectKind
from kouan.services.screening.watchlist import WatchListIndex
from kouan.services.stats import rollups

if TYPE_CHECKING:
    from kouan.adapters.paxlst import PassengerList

SUBJECT = "port_call"
AMENDABLE = frozenset({CallStatus.FILED, CallStatus.REJECTED, CallStatus.CLEARED})
# A stored call, or a new one's row read as attributes (filing builds no ORM objects).
CallRecord = PortCall | SimpleNamespace


def _timeline(call: CallRecord) -> dict[TimelineEvent, datetime | None]:
    return {event: getattr(call, event.column) for event in TimelineEvent}


def _call_state(call: CallRecord) -> dict[str, Any]:
    """What the audit log keeps of a port call before and after a change."""
    return {
        "status": call.status,
        "eta": call.eta.isoformat(),
        "etd": call.etd.isoformat(),
        "berth": call.berth,
        "entry_permit_at": call.entry_permit_at.isoformat() if call.entry_permit_at else None,
        "departure_permit_at": (
            call.departure_permit_at.isoformat() if call.departure_permit_at else None
        ),
        **{e.value: (t.isoformat() if t else None) for e, t in _timeline(call).items()},
    }


def _upsert_ship(uow: UnitOfWork, notice: ArrivalNotice) -> int:
    """Remember the ship as filed (one statement); returns its detentions on record."""
    ship = notice.ship
    conn = uow.connection()
    values = {
        "imo": ship.imo,
        "mmsi": ship.mmsi,
        "name": ship.name,
        "call_sign": ship.call_sign,
        "flag": ship.flag,
        "detentions": 0,
    }
    [(detentions,)] = plain.fetch(conn, _ship_upsert(conn.dialect), values)
    return int(detentions)


@lru_cache(maxsize=4)
def _ship_upsert(dialect: Dialect) -> plain.PlainStatement:
    """INSERT ... ON CONFLICT (imo) DO UPDATE, compiled once per dialect (SQLite and
    PostgreSQL) and run on the driver: every filing runs it."""
    statement = (sqlite_insert if dialect.name == "sqlite" else pg_insert)(Ship)
    refreshed = {c: statement.excluded[c] for c in ("mmsi", "name", "call_sign", "flag")}
    upsert = statement.on_conflict_do_update(index_elements=[Ship.imo], set_=refreshed)
    values: dict[str, Any] = {
        c: bindparam(c) for c in ("imo", "mmsi", "name", "call_sign", "flag", "detentions")
    }
    return plain.compile_plain(upsert.values(values).returning(Ship.detentions), dialect)


def _facts(uow: UnitOfWork, call: PortCall, phase: Phase) -> CallFacts:
    ship = uow.session.get(Ship, call.imo)
    facts = CallFacts(
        arrival=ArrivalNotice.model_validate(call.arrival),
        departure=DepartureNotice.model_validate(call.departure) if call.departure else None,
        phase=phase,
        now=uow.now,
        ship_detentions=ship.detentions if ship else 0,
    )
    return _screened(uow, facts)


def _screened(uow: UnitOfWork, facts: CallFacts) -> CallFacts:
    """The facts with the watch-list hits of the active version (none aboard: no question)."""
    if not aboard(facts):
        return facts
    return screened(facts, watchlist.active_index(uow)[1])


def screened(facts: CallFacts, index: WatchListIndex) -> CallFacts:
    """The facts with the watch-list hits of the crew and passengers (FAL 5 and 6) in the
    phase: the same matcher as flights' and cruises' lists."""
    people = ((target, person) for _, target, person in aboard(facts))
    found = watchlist.screen(index, people)
    return replace(facts, hits=watchlist.watch_hits(found)) if found else facts


def _reviews_of(uow: UnitOfWork, call_ids: list[int]) -> dict[int, list[Review]]:
    return reviews.reviews_of(uow, SUBJECT, call_ids)


def find_port_call(uow: UnitOfWork, call_id: int, for_update: bool = False) -> PortCall:
    """The port call if this unit's actor may see it; NotFound otherwise (also for an id no
    row can have), so a call outside the actor's scope is indistinguishable from none."""
    if not valid_id(call_id):
        raise NotFound(f"port call {call_id} not found")
    query = select(PortCall).where(PortCall.id == call_id, port_call_scope(uow.actor))
    call = uow.session.scalar(query.with_for_update() if for_update else query)
    if call is None:
        raise NotFound(f"port call {call_id} not found")
    return call


def _apply_permits(
    uow: UnitOfWork, call: CallRecord, call_reviews: Sequence[reviews.ReviewRecord]
) -> None:
    """Issue or withdraw permits as the reviews and the timeline now allow; refresh the status."""
    entry = [r for r in call_reviews if r.phase == Phase.ENTRY]
    departure = [r for r in call_reviews if r.phase == Phase.DEPARTURE]
    entry_ok = all_approved(r.status for r in entry)
    if entry_ok and call.entry_permit_at is None:
        call.entry_permit_at = uow.now
    elif not entry_ok and call.entry_permit_at is not None and call.ata is None:
        call.entry_permit_at = None  # an amendment re-opened a review: cleared again when decided
    departure_ok = all_approved(r.status for r in departure)
    if departure_ok and call.ops_complete is not None and call.departure_permit_at is None:
        # Issued the moment operations complete, or at the last approval if that came later.
        last_approval = max(r.decided_at for r in departure if r.decided_at)
        call.departure_permit_at = max(call.ops_complete, last_approval)
    call.status = derive_status(_timeline(call), call.entry_permit_at, (r.status for r in entry))


def settle(uow: UnitOfWork, call: PortCall, call_reviews: list[Review]) -> None:
    """Bring the call's permits and status up to date with its reviews, in the audit log too."""
    before = _call_state(call)
    _apply_permits(uow, call, call_reviews)
    after = _call_state(call)
    if after != before:
        uow.audit("port_call.settled", SUBJECT, call.id, before, after)
        _announce_permits(uow, call, before)


def _announce_permits(uow: UnitOfWork, call: CallRecord, before: dict[str, Any] | None) -> None:
    """Put each permit issued since the state `before` (None: a new call) in the outbox."""
    if not outbox.enabled(uow):
        return
    for permit, prefix, column in _PERMITS:
        at = getattr(call, column)
        if at is not None and (before is None or before[column] is None):
            number = _permit(prefix, call, at)
            assert number is not None
            outbox.permit_issued(uow, call, permit, number["number"], at)


# Each permit: its name in events, its number's prefix, its column.
_PERMITS = (
    ("entry", "EP", "entry_permit_at"),
    ("departure", "DP", "departure_permit_at"),
)


KIND = SubjectKind(
    name=SUBJECT,
    table=PortCall,
    phases=(Phase.ENTRY, Phase.DEPARTURE),
    find=lambda uow, call_id, for_update: find_port_call(uow, call_id, for_update),
    settle=settle,
    summary=lambda call: f"{call.ship_name} ({call.imo}) {call.voyage}",
    facts_of=lambda uow, calls, phase: [_facts(uow, call, phase) for call in calls],
)


def _file(uow: UnitOfWork, ctx: ServiceContext, notice: ArrivalNotice) -> Answer:
    document, document_sha256 = stored_json(notice)
    detentions = _upsert_ship(uow, notice)
    deadline = notice.eta - timedelta(hours=ctx.settings.filing_deadline_hours)
    # The hot path of filing: the call and its reviews are plain rows, never ORM objects.
    call = SimpleNamespace(
        **new_row(
            PortCall,
            agent_org_id=uow.actor.org_id,
            filed_by=uow.actor.user_id,
            imo=notice.ship.imo,
            mmsi=notice.ship.mmsi,
            ship_name=notice.ship.name,
            voyage=notice.voyage,
            port=notice.port,
            berth=notice.berth,
            eta=notice.eta,
            etd=notice.etd,
            late=uow.now > deadline,
            filed_at=uow.now,
            arrival=document,
        )
    )
    facts = CallFacts(arrival=notice, phase=Phase.ENTRY, now=uow.now, ship_detentions=detentions)
    facts = _screened(uow, facts)
    # Decide first, write once: the call is inserted already cleared when the rules allow it.
    rule_sets = active_rule_sets(uow.connection(), ctx.cache)
    rows = reviews.open_rows(uow, SUBJECT, Phase.ENTRY, facts, rule_sets)
    _apply_permits(uow, call, [SimpleNamespace(**row) for row in rows])
    insert_plain(uow, PortCall, [vars(call)])  # gives the call its id
    if cruises.carries_passengers(notice.ship.ship_type):
        cruises.link_port_call(uow, call.id, notice.ship.name, notice.port, notice.eta)
    outbox.port_call_filed(uow, call)
    uow.audit(
        "port_call.filed",
        SUBJECT,
        call.id,
        None,
        {**_call_state(call), "late": call.late, "document_sha256": document_sha256},
    )
    reviews.store(uow, SUBJECT, [(vars(call), rows)])
    _announce_permits(uow, call, None)
    # The record holds its document as stored text: the view takes the ship from the notice.
    ship = notice.ship.model_dump(mode="json")
    return 201, _view(uow, call, [SimpleNamespace(**row) for row in rows], ship)


def file_arrival(
    ctx: ServiceContext,
    actor: Actor,
    notice: ArrivalNotice,
    idempotency_key: str | None = None,
    digest: str = "",
) -> Answer:
    """A shipping agent files the arrival notice; all four reviews open at once."""
    require(actor, Action.PORT_CALL_FILE)
    return run_idempotent(ctx, actor, idempotency_key, digest, lambda u: _file(u, ctx, notice))


def amend_arrival(
    ctx: ServiceContext, actor: Actor, call_id: int, notice: ArrivalNotice
) -> dict[str, Any]:
    """Replace the arrival notice; only the reviews of agencies whose sections changed re-open."""
    require(actor, Action.PORT_CALL_FILE)
    with ctx.uow(actor) as uow:
        view = _amend(uow, ctx, find_port_call(uow, call_id, for_update=True), notice)
        uow.commit()
    return view


def _amend(
    uow: UnitOfWork, ctx: ServiceContext, call: PortCall, notice: ArrivalNotice
) -> dict[str, Any]:
    if CallStatus(call.status) not in AMENDABLE:
        raise InvalidTransition(
            f"port call {call.id} is {call.status}; an arrival notice can be amended only "
            "before the ship arrives"
        )
    if notice.ship.imo != call.imo:
        raise InvalidTransition(
            f"ship.imo {notice.ship.imo} is not the call's ship {call.imo}; file a new call"
        )
    previous = ArrivalNotice.model_validate(call.arrival)
    affected = affected_agencies(previous, notice)
    before = _call_state(call)
    call.arrival = notice.model_dump(mode="json")
    document_sha256 = stored_json(notice)[1]
    call.eta, call.etd, call.berth = notice.eta, notice.etd, notice.berth
    call.voyage, call.port = notice.voyage, notice.port
    _upsert_ship(uow, notice)
    uow.audit(
        "port_call.amended",
        SUBJECT,
        call.id,
        before,
        {**_call_state(call), "affected": sorted(affected), "document_sha256": document_sha256},
    )
    call_reviews = _reviews_of(uow, [call.id])[call.id]
    rule_sets = active_rule_sets(uow.connection(), ctx.cache)
    facts = _facts(uow, call, Phase.ENTRY)
    for review in call_reviews:
        if review.phase == Phase.ENTRY and review.agency in affected:
            rule_set = rule_sets[(SUBJECT, Agency(review.agency))]
            reviews.reopen(uow, review, rule_set.evaluate(facts, Phase.ENTRY))
    settle(uow, call, call_reviews)
    return _view(uow, call, call_reviews)


def _depart(uow: UnitOfWork, ctx: ServiceContext, call_id: int, notice: DepartureNotice) -> Answer:
    call = find_port_call(uow, call_id, for_update=True)
    if call.entry_permit_at is None or call.status == CallStatus.DEPARTED:
        raise InvalidTransition(
            f"port call {call_id} is {call.status}; the departure can be filed once the entry "
            "permit is issued and before the ship leaves"
        )
    if call.departure is not None:
        raise InvalidTransition(f"port call {call_id} already has a departure filed")
    call.departure = notice.model_dump(mode="json")
    call.departure_filed_at = uow.now
    uow.audit(
        "port_call.departure_filed",
        SUBJECT,
        call.id,
        None,
        {"etd": notice.etd.isoformat(), "next_port": notice.next_port},
    )
    call.etd = notice.etd
    facts = _facts(uow, call, Phase.DEPARTURE)
    rule_sets = active_rule_sets(uow.connection(), ctx.cache)
    reviews.store(
        uow, SUBJECT, [(call, reviews.open_rows(uow, SUBJECT, Phase.DEPARTURE, facts, rule_sets))]
    )
    call_reviews = _reviews_of(uow, [call.id])[call.id]  # the entry reviews and the new ones
    settle(uow, call, call_reviews)
    return 201, _view(uow, call, call_reviews)


def file_departure(
    ctx: ServiceContext,
    actor: Actor,
    call_id: int,
    notice: DepartureNotice,
    idempotency_key: str | None = None,
    digest: str = "",
) -> Answer:
    """The agent files the departure while the ship works; the agencies pre-approve it."""
    require(actor, Action.PORT_CALL_FILE)
    return run_idempotent(
        ctx, actor, idempotency_key, digest, lambda u: _depart(u, ctx, call_id, notice)
    )


def record_event(
    ctx: ServiceContext,
    actor: Actor,
    call_id: int,
    event: TimelineEvent,
    at: datetime,
    source: str = "terminal",
) -> dict[str, Any]:
    """The terminal (or AIS) records an actual instant of the call."""
    require(actor, Action.PORT_CALL_EVENT)
    with ctx.uow(actor) as uow:
        view = record_event_in(uow, call_id, event, at, source)
        uow.commit()
    return view


def record_event_in(
    uow: UnitOfWork, call_id: int, event: TimelineEvent, at: datetime, source: str
) -> dict[str, Any]:
    call = find_port_call(uow, call_id, for_update=True)
    if at > uow.now + timedelta(minutes=5):
        raise InvalidTransition(f"{event.value} at {at.isoformat()} is in the future")
    check_event(_timeline(call), event, at, call.departure_permit_at)
    before = _call_state(call)
    previous = getattr(call, event.column)  # for the statistics' rollups
    setattr(call, event.column, at)
    if event is TimelineEvent.ATA:
        call.ata_source = source
    uow.audit("port_call.event", SUBJECT, call.id, before, {**_call_state(call), "source": source})
    call_reviews = _reviews_of(uow, [call.id])[call.id]
    settle(uow, call, call_reviews)
    rollups.call_event(uow, call, event, previous)
    return _view(uow, call, call_reviews)


def get_port_call(ctx: ServiceContext, actor: Actor, call_id: int) -> dict[str, Any]:
    with ctx.uow(actor, write=False) as uow:
        call = find_port_call(uow, call_id)
        view = _view(uow, call, _reviews_of(uow, [call.id])[call.id])
        view["arrival"] = call.arrival
        view["departure"] = call.departure
        return view


def list_port_calls(
    ctx: ServiceContext,
    actor: Actor,
    status: list[CallStatus] | None = None,
    limit: int = 50,
    offset: int = 0,
    order: str = "eta",
) -> list[dict[str, Any]]:
    query = select(PortCall).where(port_call_scope(actor))
    if status:
        query = query.where(PortCall.status.in_([s.value for s in status]))
    sort = {"eta": PortCall.eta, "filed": PortCall.filed_at.desc(), "id": PortCall.id.desc()}
    query = query.order_by(sort.get(order, PortCall.eta), PortCall.id).limit(limit).offset(offset)
    with ctx.uow(actor, write=False) as uow:
        calls = uow.session.scalars(query).all()
        by_call = _reviews_of(uow, [c.id for c in calls])
        return [_view(uow, c, by_call[c.id]) for c in calls]


def _permit(prefix: str, call: CallRecord, at: datetime | None) -> dict[str, Any] | None:
    if at is None:
        return None
    return {"number": f"{prefix}-{call.port}-{call.id:07d}", "issued_at": at.isoformat()}


def _view(
    uow: UnitOfWork,
    call: CallRecord,
    call_reviews: Sequence[reviews.ReviewRecord],
    ship: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The port call as the API answers it (names fixed by the contract in DESIGN.md); `ship`
    when the call's document is not at hand as a dict."""
    ship = ship or call.arrival["ship"]
    timestamps: dict[str, str | None] = {"ETA": call.eta.isoformat(), "ETD": call.etd.isoformat()}
    timestamps.update({e.value: (t.isoformat() if t else None) for e, t in _timeline(call).items()})
    officers = reviews.officer_names(uow, call_reviews)  # port calls' reviews have no targets
    return {
        "id": call.id,
        "status": call.status,
        "ship": ship,
        "voyage": call.voyage,
        "port": call.port,
        "berth": call.berth,
        "eta": call.eta.isoformat(),
        "etd": call.etd.isoformat(),
        "filed_at": call.filed_at.isoformat(),
        "late": call.late,
        "agent_org_id": call.agent_org_id,
        "reviews": [reviews.review_view(r, officers) for r in call_reviews],
        "entry_permit": _permit("EP", call, call.entry_permit_at),
        "departure_permit": _permit("DP", call, call.departure_permit_at),
        "departure_filed_at": (
            call.departure_filed_at.isoformat() if call.departure_filed_at else None
        ),
        "timestamps": timestamps,
        "ata_source": call.ata_source,
        # A cruise ship's FAL 6 is its cruise line's list, by reference.
        "passenger_lists": (
            cruises.passenger_lists(uow, call.id)
            if cruises.carries_passengers(ship.get("ship_type"))
            else []
        ),
        "zero_wait": zero_wait(
            call.all_fast,
            call.entry_permit_at,
            call.ops_complete,
            call.departure_permit_at,
            uow.now,
        ).as_dict(),
    }


def agent_names(ctx: ServiceContext, actor: Actor, org_ids: set[int]) -> dict[int, str]:
    if not org_ids:
        return {}
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
        ).all()
    return {row.id: row.name for row in rows}


def replace_persons(
    ctx: ServiceContext, actor: Actor, call_id: int, lists: list[PassengerList]
) -> dict[str, Any]:
    """Amend the crew and passenger lists from PAXLST messages (crew NAD+FM, passengers NAD+FL),
    reading and writing the call in one unit of work so no concurrent amendment is lost."""
    require(actor, Action.PORT_CALL_FILE)
    crew, passengers = split_roles(lists)
    changes: dict[str, Any] = {}
    if crew:
        changes["crew"] = crew
    if passengers:
        changes["passengers"] = passengers
    with ctx.uow(actor) as uow:
        call = find_port_call(uow, call_id, for_update=True)
        notice = ArrivalNotice.model_validate(call.arrival).model_copy(update=changes)
        view = _amend(uow, ctx, call, notice)
        uow.commit()
    return view
