"""Write-off (核销): each sea declaration names the bill of lading it covers; its mass and its
containers are taken off what the manifest's B/L holds. A declaration naming containers the B/L
does not hold, or taking more than it holds (with the declarations before it), is flagged to
customs; one whose B/L is on no manifest yet waits as `no_manifest` and is checked again when the
manifest comes.

The results are kept on `manifest_writeoffs` (one row per declaration) and shown to customs
(`flagged`). A declaration that does not fit the manifest when it is filed is not released by
the rules: its customs review gets the hit MANIFEST-WRITEOFF (at least the document lane, where
an officer looks), whatever customs' risk rules say (`AtFiling`). Goods on an import manifest
that no declaration names some days after their discharge (or the ship's arrival, when the
terminal reported no discharge) are listed as undeclared (`undeclared`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, exists, func, select

from kouan.adapters.coarri import DISCHARGED
from kouan.adapters.db.goods_tables import BillOfLading, Manifest, WriteOff
from kouan.adapters.db.goods_tables import ManifestContainer as ContainerRow
from kouan.adapters.db.tables import DeclarationRow, PortCall
from kouan.adapters.db.terminal_tables import TerminalMove
from kouan.domain.declaration import Declaration, SeaTransport
from kouan.domain.manifest import BillHeld, Claim, claim_of, write_off
from kouan.domain.reasons import Reason
from kouan.rules.base import Action, Hit
from kouan.services.platform.permissions import Action as Permission
from kouan.services.platform.permissions import Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_plain, new_row

_CHUNK = 500


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


WRITEOFF_RULE = "MANIFEST-WRITEOFF"
# Its title beside the risk rules' (English, Chinese): a check of customs', not a rule of theirs.
WRITEOFF_TITLES = (
    "Manifest write-off: the declaration does not fit its bill of lading",
    "舱单核销：报关单与舱单提单不符",
)


@dataclass
class AtFiling:
    """A batch's sea declarations written off before the rules decide them: the bills of lading
    they name and the claims filed on those before, read once for the whole batch."""

    bills: dict[str, BillHeld]
    claims: dict[str, list[Claim]]
    _provisional: int = 0  # ids of the batch's claims before they are stored: -1, -2, ...

    def problems(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        """The problems of one declaration of the batch (its document as it will be stored),
        counting what the batch's earlier declarations took. [] when it fits or when its B/L is
        on no manifest yet (it is checked again when the manifest comes)."""
        transport = document.get("transport", {})
        bill = self.bills.get(transport.get("bill_of_lading", ""))
        if transport.get("mode") != "sea" or bill is None:
            return []
        self._provisional -= 1
        claim = claim_of(self._provisional, document)
        numbered = self.claims.setdefault(bill.number, [])
        numbered.append(claim)
        return write_off(bill, numbered)[claim.declaration_id]


def at_filing(uow: UnitOfWork, batch: Sequence[Declaration]) -> AtFiling:
    numbers = {d.transport.bill_of_lading for d in batch if isinstance(d.transport, SeaTransport)}
    bills = _bills(uow, numbers) if numbers else {}
    return AtFiling(bills, _claims(uow, set(bills)) if bills else {})


def hit_of(bl_number: str, problems: list[dict[str, Any]]) -> Hit:
    """The write-off's problems as a hit of customs' review (an officer looks: document lane)."""
    found = [problem_reason(p) for p in problems]
    why = Reason("customs.writeoff", {"bl": bl_number, "problems": found})
    return Hit(WRITEOFF_RULE, Action.REFER, why)


def problem_reason(problem: dict[str, Any]) -> Reason:
    """One problem of the write-off (as `manifest_writeoffs` keeps it) as a message."""
    code = problem["code"]
    if code == "containers_not_on_bl":
        params: dict[str, Any] = {"containers": list(problem["containers"])}
    elif code == "weight_exceeds_bl":
        params = {"declared": f"{problem['declared_kg']:,.1f}", "held": f"{problem['bl_kg']:,.1f}"}
    elif code == "packages_exceed_bl":
        params = {"declared": f"{problem['declared']:,}", "held": f"{problem['bl_packages']:,}"}
    else:
        params = {}
    return Reason(f"writeoff.{code}", params)


def declarations_filed(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    """The hook of filing: the write-off of the B/Ls the new sea declarations name."""
    numbers = {
        row["transport_document"]
        for row in rows
        if row["document"].get("transport", {}).get("mode") == "sea"
    }
    if numbers:
        recheck(uow, numbers)


def recheck(uow: UnitOfWork, numbers: set[str]) -> None:
    """Write off again every sea declaration naming one of these B/L numbers, against the latest
    manifest's B/L of that number; the results replace the ones kept."""
    if not numbers:
        return
    claims = _claims(uow, numbers)
    if not claims:
        return
    bills = _bills(uow, set(claims))
    rows, ids = [], []
    for number, numbered in claims.items():
        bill = bills.get(number)
        results = write_off(bill, numbered)
        for claim in numbered:
            problems = results[claim.declaration_id]
            status = "no_manifest" if bill is None else ("flagged" if problems else "matched")
            ids.append(claim.declaration_id)
            rows.append(
                new_row(
                    WriteOff,
                    declaration_id=claim.declaration_id,
                    bl_number=number,
                    bl_id=bill.bl_id if bill else None,
                    status=status,
                    problems=[] if bill is None else problems,
                    declared_kg=float(claim.kilograms),
                    checked_at=uow.now,
                )
            )
    conn = uow.connection()
    for start in range(0, len(ids), _CHUNK):
        conn.execute(
            delete(WriteOff).where(WriteOff.declaration_id.in_(ids[start : start + _CHUNK]))
        )
    insert_plain(uow, WriteOff, rows)


def _claims(uow: UnitOfWork, numbers: set[str]) -> dict[str, list[Claim]]:
    """The claims of the sea declarations naming these B/L numbers, the earliest filed first."""
    conn = uow.connection()
    claims: dict[str, list[Claim]] = {}
    for chunk in _chunks(numbers):
        found = conn.execute(
            select(DeclarationRow.id, DeclarationRow.transport_document, DeclarationRow.document)
            .where(DeclarationRow.transport_document.in_(chunk))
            .order_by(DeclarationRow.filed_at, DeclarationRow.id)
        )
        for declaration_id, number, document in found:
            if document.get("transport", {}).get("mode") != "sea":
                continue
            claims.setdefault(number, []).append(claim_of(declaration_id, document))
    return claims


def _bills(uow: UnitOfWork, numbers: set[str]) -> dict[str, BillHeld]:
    """The latest manifest's B/L of each number, with its containers."""
    conn = uow.connection()
    held: dict[str, tuple[int, Decimal, int]] = {}
    for chunk in _chunks(numbers):
        found = conn.execute(
            select(
                BillOfLading.id,
                BillOfLading.number,
                BillOfLading.gross_weight_kg,
                BillOfLading.packages,
            )
            .where(BillOfLading.number.in_(chunk))
            .order_by(BillOfLading.id)
        )
        for bl_id, number, weight, packages in found:
            held[number] = (bl_id, Decimal(str(weight)), packages)  # the latest wins
    containers: dict[int, set[str]] = {bl_id: set() for bl_id, _, _ in held.values()}
    ids = sorted(containers)
    for start in range(0, len(ids), _CHUNK):
        lines = conn.execute(
            select(ContainerRow.bl_id, ContainerRow.container_number).where(
                ContainerRow.bl_id.in_(ids[start : start + _CHUNK])
            )
        )
        for bl_id, container in lines:
            containers[bl_id].add(container)
    return {
        number: BillHeld(bl_id, number, weight, frozenset(containers[bl_id]), packages)
        for number, (bl_id, weight, packages) in held.items()
    }


def flagged(ctx: ServiceContext, actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
    """Customs' list: the declarations whose write-off found a problem, the latest first."""
    require(actor, Permission.WRITEOFF_READ)
    query = (
        select(
            WriteOff, DeclarationRow.reference, DeclarationRow.trader_name, DeclarationRow.status
        )
        .join(DeclarationRow, DeclarationRow.id == WriteOff.declaration_id)
        .where(WriteOff.status == "flagged")
        .order_by(WriteOff.checked_at.desc(), WriteOff.id.desc())
        .limit(limit)
    )
    with ctx.uow(actor, write=False) as uow:
        return [
            {
                "declaration_id": w.declaration_id,
                "reference": reference,
                "trader_name": trader,
                "declaration_status": status,
                "bl_number": w.bl_number,
                "status": w.status,
                "problems": w.problems,
                "declared_kg": w.declared_kg,
                "checked_at": w.checked_at.isoformat(),
            }
            for w, reference, trader, status in uow.session.execute(query)
        ]


def of_declaration(ctx: ServiceContext, actor: Actor, declaration_id: int) -> dict[str, Any] | None:
    require(actor, Permission.WRITEOFF_READ)
    with ctx.uow(actor, write=False) as uow:
        w = uow.session.scalar(select(WriteOff).where(WriteOff.declaration_id == declaration_id))
        if w is None:
            return None
        return {
            "declaration_id": w.declaration_id,
            "bl_number": w.bl_number,
            "status": w.status,
            "problems": w.problems,
            "declared_kg": w.declared_kg,
        }


def undeclared(ctx: ServiceContext, actor: Actor, limit: int = 500) -> list[dict[str, Any]]:
    """B/Ls of import manifests that no declaration names `undeclared_days` after their goods
    were discharged (the first discharge the terminal reported of one of their containers, in
    the manifest's call; the ship's arrival when none was reported), the longest waiting first."""
    require(actor, Permission.WRITEOFF_READ)
    with ctx.uow(actor, write=False) as uow:
        days = ctx.settings.undeclared_days
        cutoff = uow.now - timedelta(days=days)
        named = exists().where(DeclarationRow.transport_document == BillOfLading.number)
        discharged = (
            select(func.min(TerminalMove.at))
            .join(ContainerRow, ContainerRow.container_number == TerminalMove.container)
            .where(
                ContainerRow.bl_id == BillOfLading.id,
                TerminalMove.kind == DISCHARGED,
                TerminalMove.port_call_id == Manifest.port_call_id,
            )
            .correlate(BillOfLading, Manifest)
            .scalar_subquery()
        )
        since = func.coalesce(discharged, PortCall.ata, type_=PortCall.ata.type)
        query = (
            select(BillOfLading, Manifest.id, Manifest.voyage, PortCall.ship_name, since)
            .join(Manifest, Manifest.id == BillOfLading.manifest_id)
            .join(PortCall, PortCall.id == Manifest.port_call_id)
            .where(Manifest.direction == "import", since.is_not(None), since <= cutoff, ~named)
            .order_by(since, BillOfLading.id)
            .limit(limit)
        )
        out = []
        for bill, manifest_id, voyage, ship, at in uow.session.execute(query):
            out.append(
                {
                    "bl_number": bill.number,
                    "manifest_id": manifest_id,
                    "ship_name": ship,
                    "voyage": voyage,
                    "consignee": bill.consignee,
                    "goods_description": bill.goods_description,
                    "packages": bill.packages,
                    "gross_weight_kg": bill.gross_weight_kg,
                    "arrived_at": at.isoformat(),
                    "days": (uow.now - at).days,
                }
            )
        return out
