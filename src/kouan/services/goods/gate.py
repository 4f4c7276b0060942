"""The terminal's gate: may this container go through? Yes only when it is on a bill of lading
(the latest manifest line of that number) whose declaration covering it is released and none
covering it is held or seized. One indexed statement answers; every refusal is kept and listed
for customs.
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

from kouan.adapters.db.goods_tables import BillOfLading, GateRefusal
from kouan.adapters.db.goods_tables import ManifestContainer as ContainerRow
from kouan.adapters.db.tables import DeclarationRow
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
    "held": "its declaration is held by customs",
    "seized": "its goods are seized",
    "rejected": "its declaration was rejected",
}
_LET_THROUGH = ("released", "gated_out")


@cache
def _lookup() -> Select[Any]:
    """The container's lines, the latest first, with the declarations of their B/L: one statement
    on the container number's index, the B/L's key and the declarations' B/L index."""
    return (
        select(
            ContainerRow.id,
            BillOfLading.number,
            DeclarationRow.id,
            DeclarationRow.status,
            DeclarationRow.document["containers"],
        )
        .join(BillOfLading, BillOfLading.id == ContainerRow.bl_id)
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


def decide(rows: list[tuple[Any, ...]], number: str) -> Answer:
    """The answer from the lookup's rows (pure: the tests give it rows)."""
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
    """Yes or no for the container, with the reason and how long the answer took."""
    started = time.perf_counter()
    require(actor, Action.GATE_CHECK)
    try:
        number = validate_container(container)
    except ValueError as exc:
        raise ValidationFailed.one("container_number", container, str(exc)) from None
    with ctx.uow(actor, write=False) as uow:
        found = uow.connection().execute(_lookup(), {"number": number}).all()
        now = uow.now
    rows = [(a, b, c, d, _containers(e)) for a, b, c, d, e in found]
    answer = decide(rows, number)
    if not answer.allowed:
        _recorder(ctx).add(
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
    flush(ctx)
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


# --- refusals, written beside the answers ------------------------------------------------------
#
# The clerk's answer never waits for a write: a refusal is handed to the context's recorder, whose
# thread writes whatever has gathered in one unit of work (on SQLite a commit costs more than the
# whole lookup). A refusal is on the table a few milliseconds after its answer; one the process
# had not written when it died is lost with it.

_log = logging.getLogger("kouan.gate")
_IDLE_SECONDS = 5.0
_GATHER_SECONDS = 0.05


class _Recorder:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._rows: list[dict[str, Any]] = []
        self._pending = 0
        self._cond = threading.Condition()
        self._running = False

    def add(self, row: dict[str, Any]) -> None:
        with self._cond:
            self._rows.append(row)
            self._pending += 1
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="gate-refusals", daemon=True).start()
            self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every refusal handed in so far is written."""
        with self._cond:
            self._cond.wait_for(lambda: self._pending == 0, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._cond.wait_for(lambda: bool(self._rows), _IDLE_SECONDS):
                    self._running = False
                    return
            time.sleep(_GATHER_SECONDS)  # a commit for many: fewer syncs beside the lookups
            with self._cond:
                rows, self._rows = self._rows, []
            try:
                with self._ctx.uow(SYSTEM) as uow:
                    insert_plain(uow, GateRefusal, rows)
                    uow.commit()
            except Exception:  # kept running: the next refusals may well be written
                _log.exception("%d gate refusals could not be written", len(rows))
            finally:
                with self._cond:
                    self._pending -= len(rows)
                    self._cond.notify_all()


_RECORDERS = threading.Lock()


def _recorder(ctx: ServiceContext) -> _Recorder:
    recorder = ctx.cache.get("gate.refusals")
    if recorder is None:
        with _RECORDERS:
            recorder = ctx.cache.setdefault("gate.refusals", _Recorder(ctx))
    assert isinstance(recorder, _Recorder)
    return recorder


def flush(ctx: ServiceContext) -> None:
    """Every refusal answered so far, written (the refusals' readers and the tests wait here)."""
    recorder = ctx.cache.get("gate.refusals")
    if isinstance(recorder, _Recorder):
        recorder.flush()
