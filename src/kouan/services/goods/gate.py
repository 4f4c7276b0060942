"""The terminal's gate: may this container go through? Yes only when it is on a bill of lading
(the latest manifest line of that number) whose declaration covering it is released and none
covering it is held or seized, and, for an import, when the terminal has reported its arrival
in the yard (运抵). One indexed statement answers; every refusal is kept (committed before the
answer) and listed for customs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select

from kouan.adapters.db.goods_tables import BillOfLading, GateRefusal, Manifest
from kouan.adapters.db.goods_tables import ManifestContainer as ContainerRow
from kouan.adapters.db.group_commit import CommitFailed
from kouan.adapters.db.tables import DeclarationRow
from kouan.adapters.db.terminal_tables import GoodsArrival
from kouan.domain.agency import OrgType
from kouan.domain.errors import ValidationFailed
from kouan.domain.identifiers import validate_container
from kouan.services.platform.permissions import SYSTEM, Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, insert_plain, new_row

# Why, as a code: its English sentence here, both languages on the pages (words.GATE_REASONS).
REASONS = {
    "released": "released: the goods may go through",
    "not_on_manifest": "on no bill of lading of a manifest",
    "not_declared": "its bill of lading has no declaration yet",
    "not_covered": "the declarations of its bill of lading name other containers",
    "not_released": "its declaration is not released yet",
    "not_arrived": "no goods-arrival report for it yet",
    "held": "its declaration is held by customs",
    "seized": "its goods are seized",
    "rejected": "its declaration was rejected",
}
_LET_THROUGH = ("released", "gated_out")


@cache
def _lookup() -> Select[Any]:
    """The container's lines, the latest first, with their manifest's direction, whether a
    goods-arrival report names the container (what moves.has_arrived asks) and the declarations
    of their B/L: one statement on the container number's index, the B/L's and the manifest's
    keys, the declarations' B/L index and, once for the statement (it is not correlated), the
    arrivals' container index."""
    arrived = select(GoodsArrival.id).where(GoodsArrival.container == bindparam("number"))
    return (
        select(
            ContainerRow.id,
            BillOfLading.number,
            Manifest.direction,
            arrived.exists().label("arrived"),
            DeclarationRow.id,
            DeclarationRow.status,
            DeclarationRow.document["containers"],
        )
        .join(BillOfLading, BillOfLading.id == ContainerRow.bl_id)
        .join(Manifest, Manifest.id == ContainerRow.manifest_id)
        .outerjoin(DeclarationRow, DeclarationRow.transport_document == BillOfLading.number)
        .where(ContainerRow.container_number == bindparam("number"))
        .order_by(ContainerRow.id.desc())
    )


@dataclass(frozen=True)
class Answer:
    allowed: bool
    reason: str
    bl_number: str | None = None
    declaration_id: int | None = None
    status: str | None = None


def decide(
    rows: list[tuple[Any, ...]], number: str, *, direction: str | None, arrived: bool
) -> Answer:
    """The answer from the lookup's rows (line, B/L, declaration, status, its containers), the
    direction of the latest line's manifest and whether the container's arrival was reported
    (pure: the tests give them)."""
    if not rows:
        return Answer(False, "not_on_manifest")
    line, bl_number = rows[0][0], rows[0][1]
    declared = [(d, s, c) for ln, _, d, s, c in rows if ln == line and d is not None]
    if not declared:
        return Answer(False, "not_declared", bl_number)
    covering = [(d, s) for d, s, c in declared if not c or number in c]
    if not covering:
        return Answer(False, "not_covered", bl_number, declared[0][0], declared[0][1])
    for bad in ("seized", "held"):
        for d, s in covering:
            if s == bad:
                return Answer(False, bad, bl_number, d, s)
    for d, s in covering:
        if s in _LET_THROUGH:
            # Imported goods leave only from the yard: released, they still wait for the
            # terminal's goods-arrival report. An export box comes in through the gate to be
            # loaded, so there is no arrival to wait for.
            if direction == "import" and not arrived:
                return Answer(False, "not_arrived", bl_number, d, s)
            return Answer(True, "released", bl_number, d, s)
    live = [(d, s) for d, s in covering if s != "rejected"]
    if live:
        return Answer(False, "not_released", bl_number, live[0][0], live[0][1])
    return Answer(False, "rejected", bl_number, covering[0][0], covering[0][1])


def _containers(value: Any) -> list[str]:
    if isinstance(value, str):  # a JSON extraction may give the text of the array
        value = json.loads(value)
    return list(value or [])


def check(ctx: ServiceContext, actor: Actor, container: str) -> dict[str, Any]:
    """Yes or no for the container, with the reason and how long the answer took. A refusal is
    committed before the answer is given (RefusalNotKept when it could not be), in a unit of
    work of its own: not to be asked inside a writing one (on SQLite its writer would wait for
    the turn that unit holds)."""
    started = time.perf_counter()
    require(actor, Action.GATE_CHECK)
    try:
        number = validate_container(container)
    except ValueError as exc:
        raise ValidationFailed.one("container_number", container, str(exc)) from None
    with ctx.uow(actor, write=False) as uow:
        found = uow.connection().execute(_lookup(), {"number": number}).all()
        now = uow.now
    rows = [(ln, bl, d, s, _containers(c)) for ln, bl, _, _, d, s, c in found]
    direction, arrived = (found[0][2], bool(found[0][3])) if found else (None, False)
    answer = decide(rows, number, direction=direction, arrived=arrived)
    if not answer.allowed:
        _recorder(ctx).record(
            new_row(
                GateRefusal,
                container_number=number,
                at=now,
                asked_by=actor.user_id,
                org_id=actor.org_id,
                reason=answer.reason,
                bl_number=answer.bl_number,
                declaration_id=answer.declaration_id,
                detail={"status": answer.status},
            )
        )
    return {
        "container_number": number,
        "allowed": answer.allowed,
        "reason": answer.reason,
        "message": REASONS[answer.reason],
        "bl_number": answer.bl_number,
        "declaration_id": answer.declaration_id,
        "declaration_status": answer.status,
        "checked_at": now.isoformat(),
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 3),
    }


def refusals(ctx: ServiceContext, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """The last refusals: a terminal its own, customs and the port office every terminal's."""
    require(actor, Action.GATE_REFUSALS_READ)
    query = select(GateRefusal)
    if actor.org_type is OrgType.TERMINAL:
        query = query.where(GateRefusal.org_id == actor.org_id)
    query = query.order_by(GateRefusal.at.desc(), GateRefusal.id.desc()).limit(limit)
    with ctx.uow(actor, write=False) as uow:
        return [
            {
                "id": r.id,
                "container_number": r.container_number,
                "at": r.at.isoformat(),
                "reason": r.reason,
                "message": REASONS[r.reason],
                "bl_number": r.bl_number,
                "declaration_id": r.declaration_id,
            }
            for r in uow.session.scalars(query)
        ]


# --- refusals, committed before their answers (group commit) ----------------------------------
#
# Every refusal is kept: the clerk hears "no" only once its row is committed, so a refusal
# answered is never lost with the process. A commit costs more than the lookup (on SQLite in WAL
# with synchronous=NORMAL it appends the transaction's pages to the log without an fsync, some
# tens of microseconds to a few hundred; on PostgreSQL it waits for the WAL flush), so the
# refusals asked at the same moment share one: each request thread queues its row and waits;
# whichever waiting thread finds no commit in progress becomes the writer, takes everything
# queued and writes it in one unit of work (one INSERT of all its rows, one COMMIT), then wakes
# every thread whose row it wrote. There is no gathering pause: rows queued while a commit runs
# go into the next one, so a lone clerk pays one commit and a crowd shares them (eight threads
# refusing at once on two cores: some three rows a commit). A failed commit wrote none of its
# rows (the unit of work rolls back whole) and every caller whose row was in it is told
# (RefusalNotKept), none silently dropped.

_log = logging.getLogger("kouan.gate")


class RefusalNotKept(CommitFailed):
    """A refusal could not be written (nor any other of its commit): the caller gets no answer,
    since every refusal answered is kept. A failed commit, as anywhere else: a server error."""


class _Queued:
    """One refusal waiting for its commit."""

    __slots__ = ("done", "error", "row")

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.done = False
        self.error: BaseException | None = None


class _Recorder:
    """The refusals' group commit for one service context."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._cond = threading.Condition()
        self._queue: list[_Queued] = []
        self._writing = False  # a thread is committing a batch taken from the queue

    def record(self, row: dict[str, Any]) -> None:
        """Return once `row` is committed; RefusalNotKept if its commit failed."""
        mine = _Queued(row)
        batch: list[_Queued] | None = None
        with self._cond:
            self._queue.append(mine)
            self._cond.wait_for(lambda: mine.done or not self._writing)
            if not mine.done:  # no commit in progress: this thread writes all that is queued
                self._writing = True
                batch, self._queue = self._queue, []
        if batch is not None:
            self._write(batch)
        error = mine.error
        if error is not None:
            raise RefusalNotKept(f"the gate refusal could not be kept: {error}") from error

    def _write(self, batch: list[_Queued]) -> None:
        error: BaseException | None = None
        try:
            with self._ctx.uow(SYSTEM) as uow:
                insert_plain(uow, GateRefusal, [q.row for q in batch])
                uow.commit()
        except Exception as exc:  # told to every caller of the batch, not swallowed
            error = exc
            _log.exception("%d gate refusals could not be written", len(batch))
        except BaseException as exc:  # interrupted: the callers are told, the writer stops
            error = exc
            raise
        finally:
            with self._cond:
                for queued in batch:
                    queued.error, queued.done = error, True
                self._writing = False
                self._cond.notify_all()  # the batch's callers, and the next writer


_RECORDERS = threading.Lock()


def _recorder(ctx: ServiceContext) -> _Recorder:
    recorder = ctx.cache.get("gate.refusals")
    if recorder is None:
        with _RECORDERS:
            recorder = ctx.cache.setdefault("gate.refusals", _Recorder(ctx))
    assert isinstance(recorder, _Recorder)
    return recorder


def flush(ctx: ServiceContext) -> None:
    """Nothing to wait for: every refusal answered is committed already (kept for the callers
    that waited here when refusals were written after their answers)."""
