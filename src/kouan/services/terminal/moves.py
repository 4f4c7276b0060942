"""The terminal's reports: containers discharged and loaded (a COARRI, or JSON), bay plans (BAPLIE)
and goods-arrival reports (运抵报告), each stored in one unit of work and audited.

A report names its ship's voyage; the moves are put on the port call Kouan knows of that voyage
and ship at the reporting terminal's berths (kept without one, with a warning, when it knows
none). A terminal reports only for its own terminals (`operators`): a call at another terminal's
berth is refused. A container that is on no manifest of its call is kept with a warning: customs
sees it among the discrepancies (`discrepancies`). The statistics' rollups are told of each
batch (`rollups.moves_recorded`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select

from kouan.adapters import baplie, coarri
from kouan.adapters.coarri import Move, Problem, Voyage
from kouan.adapters.db.goods_tables import Manifest, ManifestContainer
from kouan.adapters.db.tables import PortCall, Ship
from kouan.adapters.db.terminal_tables import BayPlanRow, GoodsArrival, TerminalMove
from kouan.adapters.edifact_envelope import cycle_collection_paused
from kouan.domain.errors import Forbidden
from kouan.domain.identifiers import MAX_ID, validate_container
from kouan.domain.values import Plain, PortTime, Real, Whole
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_plain, new_row
from kouan.services.stats import rollups
from kouan.services.terminal import operators
from kouan.site import PORT, PORT_ZONE

# Warnings a move may carry (their English text is the catalogue's message id: terminal.po).
NO_CALL = "no port call of this voyage and ship is known at the terminal"
NOT_ON_MANIFEST = "the container is on no manifest of the ship's call"
UNKNOWN_LENGTH = "the size-type code gives no length: not counted in TEU"
# At most this many warnings are answered (all are counted).
_ANSWERED = 200

Container = Annotated[str, AfterValidator(validate_container)]
Text35 = Annotated[Plain, Field(max_length=35)]


class MoveIn(BaseModel):
    """One move as the API takes it."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["discharged", "loaded"]
    container: Container
    size_type: Annotated[str, Field(pattern=r"^[0-9A-Z]{4}$")]
    at: PortTime
    gross_kg: Annotated[Real, Field(ge=0, lt=200_000)] | None = None
    seals: Annotated[list[Text35], Field(max_length=10)] = []
    position: Annotated[Plain, Field(max_length=12)] = ""
    port_call_id: Annotated[Whole, Field(ge=1, le=MAX_ID)] | None = None
    voyage: Text35 | None = None
    vessel: Annotated[Plain, Field(max_length=200)] | None = None  # IMO, call sign or name


class ArrivalIn(BaseModel):
    """A container arrived in the yard (goods-arrival report)."""

    model_config = ConfigDict(extra="forbid")

    container: Container
    arrived_at: PortTime
    port_call_id: Annotated[Whole, Field(ge=1, le=MAX_ID)] | None = None


@dataclass
class _Call:
    id: int
    terminal: str
    voyage: str
    vessel: str


def _local(at: datetime | None, fallback: datetime) -> datetime:
    """A message's local time at the port as an instant (the report's time when it has none)."""
    if at is None:
        return fallback
    return at.replace(tzinfo=PORT_ZONE).astimezone(UTC)


def _find_call(uow: UnitOfWork, voyage: Voyage, call_id: int | None) -> tuple[_Call | None, str]:
    """The port call a report is about: by id, or by voyage and ship (IMO, call sign or name)."""
    query = select(PortCall.id, PortCall.berth, PortCall.voyage, PortCall.ship_name).join(
        Ship, Ship.imo == PortCall.imo, isouter=True
    )
    if call_id is not None:
        query = query.where(PortCall.id == call_id)
    else:
        ids = {v.upper() for v in (voyage.vessel_id, voyage.vessel_name) if v}
        if not voyage.voyage or not ids:
            return None, ""
        query = query.where(
            PortCall.port == PORT,
            func.upper(PortCall.voyage) == voyage.voyage.upper(),
            or_(
                PortCall.imo.in_(ids),
                func.upper(Ship.call_sign).in_(ids),
                func.upper(PortCall.ship_name).in_(ids),
            ),
        )
    row = uow.session.execute(query.order_by(PortCall.eta.desc()).limit(1)).first()
    if row is None:
        return None, ""
    terminal = operators.berth_terminals().get(row.berth or "", "")
    return _Call(row.id, terminal, row.voyage, row.ship_name), terminal


def _call_for(
    uow: UnitOfWork, terminals: Sequence[str], voyage: Voyage, call_id: int | None
) -> tuple[_Call | None, str]:
    call, terminal = _find_call(uow, voyage, call_id)
    if call is None and call_id is not None:
        raise Forbidden(f"port call {call_id} is not at one of your terminals")
    if call is not None and terminal not in terminals:
        raise Forbidden(
            f"port call {call.id} is at {terminal or 'no terminal'}, not at "
            f"{', '.join(terminals)}: a terminal reports only for its own berths"
        )
    return call, (terminal if call is not None else terminals[0])


def manifested(uow: UnitOfWork, containers: Iterable[str]) -> dict[str, set[int]]:
    """The port calls whose import manifests hold each of these containers."""
    found: dict[str, set[int]] = defaultdict(set)
    wanted = sorted(set(containers))
    for start in range(0, len(wanted), 5000):
        rows = uow.session.execute(
            select(ManifestContainer.container_number, Manifest.port_call_id)
            .join(Manifest, Manifest.id == ManifestContainer.manifest_id)
            .where(ManifestContainer.container_number.in_(wanted[start : start + 5000]))
        )
        for number, call_id in rows:
            found[number].add(call_id)
    return found


@dataclass
class _Batch:
    voyage: Voyage
    moves: list[Move]
    call_id: int | None = None


def _store_moves(
    uow: UnitOfWork, actor: Actor, terminals: Sequence[str], batches: list[_Batch], source: str
) -> dict[str, Any]:
    now = uow.now
    rows: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    calls: set[int] = set()
    on_manifests = manifested(uow, (m.container for b in batches for m in b.moves))
    for batch in batches:
        call, terminal = _call_for(uow, terminals, batch.voyage, batch.call_id)
        voyage = call.voyage if call else batch.voyage.voyage
        vessel = call.vessel if call else (batch.voyage.vessel_name or batch.voyage.vessel_id)
        call_id = call.id if call else None
        if call_id is not None:
            calls.add(call_id)
        times: dict[datetime | None, datetime] = {}
        for move in batch.moves:
            said = []
            if call_id is None:
                said.append(NO_CALL)
            if move.kind == coarri.DISCHARGED:
                listed = on_manifests.get(move.container)
                if not listed or (call_id is not None and call_id not in listed):
                    said.append(NOT_ON_MANIFEST)
            if move.teu is None:
                said.append(UNKNOWN_LENGTH)
            at = times.get(move.at)
            if at is None:
                at = times[move.at] = _local(move.at, now)
            rows.append(
                new_row(
                    TerminalMove,
                    kind=move.kind,
                    container=move.container,
                    size_type=move.size_type[:4],
                    teu=move.teu,
                    full=move.full,
                    gross_kg=move.gross_kg,
                    seals=move.seals,
                    position=move.position[:12],
                    port=PORT,
                    terminal=terminal,
                    port_call_id=call_id,
                    voyage=voyage[:35],
                    vessel=vessel[:200],
                    at=at,
                    source=source,
                    reported_by_org=actor.org_id,
                    recorded_at=now,
                    warnings=said,
                )
            )
            if said and len(warnings) < _ANSWERED:
                warnings.extend({"container": move.container, "warning": w} for w in said)
    if rows:
        insert_plain(uow, TerminalMove, rows)
        rollups.moves_recorded(uow, rows)
    summary = _summary(rows)
    uow.audit(
        "terminal.moves_recorded",
        "terminal_moves",
        f"{rows[0]['id']}-{rows[-1]['id']}" if rows else "-",
        None,
        {**summary, "source": source, "port_calls": sorted(calls)},
    )
    return {
        "status": "accepted",
        **summary,
        "port_calls": sorted(calls),
        "warnings": warnings[:_ANSWERED],
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    kinds: dict[str, int] = defaultdict(int)
    for row in rows:
        kinds[row["kind"]] += 1
    return {
        "moves": len(rows),
        "discharged": kinds[coarri.DISCHARGED],
        "loaded": kinds[coarri.LOADED],
        "teu": sum(row["teu"] or 0 for row in rows),
        "tonnes": round(sum(row["gross_kg"] or 0 for row in rows) / 1000, 1),
        "not_on_manifest": sum(NOT_ON_MANIFEST in row["warnings"] for row in rows),
        "without_call": sum(row["port_call_id"] is None for row in rows),
    }


def _problems(problems: list[Problem]) -> list[dict[str, Any]]:
    return [p.as_dict() for p in problems[:_ANSWERED]]


def record_coarri(ctx: ServiceContext, actor: Actor, text: str) -> dict[str, Any]:
    """A COARRI's moves, read, checked and stored; ValidationFailed naming segment and element
    when it cannot be trusted (nothing is then kept)."""
    require(actor, Action.TERMINAL_REPORT)
    terminals = operators.require_terminals(ctx.settings, actor)
    with cycle_collection_paused():
        result = coarri.read_coarri(text)
        result.raise_if_refused()
        batches = [_Batch(m.voyage, m.moves) for m in result.messages]
        with ctx.uow(actor) as uow:
            answer = _store_moves(uow, actor, terminals, batches, "COARRI")
            uow.commit()
    answer["reader_warnings"] = _problems(result.warnings)
    answer["reader_warning_count"] = len(result.warnings)
    return answer


def record_moves(ctx: ServiceContext, actor: Actor, moves: list[MoveIn]) -> dict[str, Any]:
    """Moves sent as JSON, grouped by the call or voyage and ship each names."""
    require(actor, Action.TERMINAL_REPORT)
    terminals = operators.require_terminals(ctx.settings, actor)
    groups: dict[tuple[int | None, str, str], list[Move]] = defaultdict(list)
    for m in moves:
        teu = coarri.teu_of(m.size_type)
        local = m.at.astimezone(PORT_ZONE).replace(tzinfo=None)
        move = Move(
            m.kind,
            m.container,
            m.size_type,
            teu,
            None,
            local,
            m.gross_kg,
            None,
            list(m.seals),
            "",
            m.position,
        )
        groups[(m.port_call_id, m.voyage or "", m.vessel or "")].append(move)
    batches = [
        _Batch(Voyage(voyage=voyage, vessel_id=vessel, vessel_name=vessel), chosen, call_id)
        for (call_id, voyage, vessel), chosen in groups.items()
    ]
    with ctx.uow(actor) as uow:
        answer = _store_moves(uow, actor, terminals, batches, "API")
        uow.commit()
    return answer


def record_bay_plan(ctx: ServiceContext, actor: Actor, text: str) -> dict[str, Any]:
    """A BAPLIE's bay plans, kept as sent (slot by slot) on their port calls."""
    require(actor, Action.TERMINAL_REPORT)
    terminals = operators.require_terminals(ctx.settings, actor)
    result = baplie.read_baplie(text)
    result.raise_if_refused()
    answers = []
    with ctx.uow(actor) as uow:
        for plan in result.plans:
            call, terminal = _call_for(uow, terminals, plan.voyage, None)
            slots = [slot.as_dict() for slot in plan.slots]
            row = BayPlanRow(
                port_call_id=call.id if call else None,
                terminal=terminal,
                voyage=plan.voyage.voyage[:35],
                vessel=(plan.voyage.vessel_name or plan.voyage.vessel_id)[:200],
                reference=plan.reference[:35],
                containers=len(plan.containers),
                teu=sum(slot.teu or 0 for slot in plan.containers),
                slots=slots,
                warnings=[] if call else [NO_CALL],
                reported_by_org=actor.org_id,
                received_at=uow.now,
            )
            uow.session.add(row)
            uow.session.flush()
            uow.audit(
                "terminal.bay_plan",
                "bay_plans",
                row.id,
                None,
                {"containers": row.containers, "teu": row.teu, "port_call_id": row.port_call_id},
            )
            answers.append(
                {
                    "id": row.id,
                    "port_call_id": row.port_call_id,
                    "voyage": row.voyage,
                    "vessel": row.vessel,
                    "containers": row.containers,
                    "teu": row.teu,
                    "warnings": list(row.warnings),
                }
            )
        uow.commit()
    return {
        "status": "accepted",
        "bay_plans": answers,
        "reader_warnings": _problems(result.warnings),
        "reader_warning_count": len(result.warnings),
    }


def record_arrivals(ctx: ServiceContext, actor: Actor, arrivals: list[ArrivalIn]) -> dict[str, Any]:
    """Goods-arrival reports: each container is in the terminal's yard from its time on (a
    container reported again is not added twice)."""
    require(actor, Action.TERMINAL_REPORT)
    terminals = operators.require_terminals(ctx.settings, actor)
    with ctx.uow(actor) as uow:
        numbers = [a.container for a in arrivals]
        known = set(
            uow.session.scalars(
                select(GoodsArrival.container).where(
                    GoodsArrival.container.in_(numbers), GoodsArrival.terminal.in_(terminals)
                )
            )
        )
        last_call = _last_discharge_calls(uow, numbers)
        rows, again = [], 0
        for arrival in arrivals:
            if arrival.container in known:
                again += 1
                continue
            known.add(arrival.container)
            call_id = arrival.port_call_id or last_call.get(arrival.container)
            terminal = terminals[0]
            if call_id is not None:
                _, terminal = _call_for(uow, terminals, Voyage(), call_id)
            rows.append(
                new_row(
                    GoodsArrival,
                    container=arrival.container,
                    port_call_id=call_id,
                    port=PORT,
                    terminal=terminal,
                    arrived_at=arrival.arrived_at,
                    reported_by_org=actor.org_id,
                    recorded_at=uow.now,
                )
            )
        if rows:
            insert_plain(uow, GoodsArrival, rows)
        uow.audit(
            "terminal.goods_arrived",
            "goods_arrivals",
            len(rows),
            None,
            {"containers": [r["container"] for r in rows[:100]], "count": len(rows)},
        )
        uow.commit()
    return {"status": "accepted", "arrived": len(rows), "already_reported": again}


def _last_discharge_calls(uow: UnitOfWork, numbers: list[str]) -> dict[str, int]:
    rows = uow.session.execute(
        select(TerminalMove.container, TerminalMove.port_call_id)
        .where(
            TerminalMove.container.in_(numbers),
            TerminalMove.kind == coarri.DISCHARGED,
            TerminalMove.port_call_id.is_not(None),
        )
        .order_by(TerminalMove.at)
    )
    return {number: call_id for number, call_id in rows if call_id is not None}


def has_arrived(uow: UnitOfWork, container: str) -> bool:
    """Whether a goods-arrival report says the container is in a terminal's yard: what release
    waits for."""
    found = uow.session.scalar(
        select(GoodsArrival.id).where(GoodsArrival.container == container).limit(1)
    )
    return found is not None


def _scope(ctx: ServiceContext, actor: Actor) -> Any:
    require(actor, Action.TERMINAL_READ)
    terminals = operators.terminals_of(ctx.settings, actor)
    if actor.org_type.value == "TERMINAL":
        return TerminalMove.terminal.in_(terminals)
    return TerminalMove.id.is_not(None)


def move_view(row: TerminalMove) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "container": row.container,
        "size_type": row.size_type,
        "teu": row.teu,
        "gross_kg": row.gross_kg,
        "seals": list(row.seals),
        "terminal": row.terminal,
        "port_call_id": row.port_call_id,
        "voyage": row.voyage,
        "vessel": row.vessel,
        "at": row.at.isoformat(),
        "source": row.source,
        "warnings": list(row.warnings),
    }


def list_moves(
    ctx: ServiceContext, actor: Actor, limit: int = 100, warned: bool = False
) -> list[dict[str, Any]]:
    """The last moves the actor may see (a terminal its own terminals'), newest first."""
    with ctx.uow(actor, write=False) as uow:
        query = select(TerminalMove).where(_scope(ctx, actor))
        rows = uow.session.scalars(
            query.order_by(TerminalMove.id.desc()).limit(limit * 5 if warned else limit)
        ).all()
        views = [move_view(r) for r in rows]
    if warned:
        views = [v for v in views if v["warnings"]][:limit]
    return views


def list_bay_plans(ctx: ServiceContext, actor: Actor, limit: int = 20) -> list[dict[str, Any]]:
    require(actor, Action.TERMINAL_READ)
    terminals = operators.terminals_of(ctx.settings, actor)
    with ctx.uow(actor, write=False) as uow:
        query = select(BayPlanRow)
        if actor.org_type.value == "TERMINAL":
            query = query.where(BayPlanRow.terminal.in_(terminals))
        rows = uow.session.scalars(query.order_by(BayPlanRow.id.desc()).limit(limit)).all()
        return [
            {
                "id": r.id,
                "port_call_id": r.port_call_id,
                "voyage": r.voyage,
                "vessel": r.vessel,
                "containers": r.containers,
                "teu": r.teu,
                "received_at": r.received_at.isoformat(),
            }
            for r in rows
        ]


def manifested_on_call(ctx: ServiceContext, actor: Actor, call_id: int) -> list[dict[str, Any]]:
    """The containers the import manifests of a call list (number, seal, weight): what the
    terminal expects to discharge."""
    require(actor, Action.TERMINAL_READ)
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.execute(
            select(
                ManifestContainer.container_number,
                ManifestContainer.seal,
                ManifestContainer.gross_weight_kg,
            )
            .join(Manifest, Manifest.id == ManifestContainer.manifest_id)
            .where(Manifest.port_call_id == call_id, Manifest.direction == "import")
            .order_by(ManifestContainer.id)
        ).all()
    return [{"container": n, "seal": s, "gross_kg": kg} for n, s, kg in rows]
