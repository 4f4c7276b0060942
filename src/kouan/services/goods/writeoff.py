"""Write-off (核销): each sea declaration names the bill of lading it covers; its mass and its
containers are taken off what the manifest's B/L holds. A declaration naming containers the B/L
does not hold, or taking more than it holds (with the declarations before it), is flagged to
customs; one whose B/L is on no manifest yet waits as `no_manifest` and is checked again when the
manifest comes.

The results are kept on `manifest_writeoffs` (one row per declaration) and shown to customs
(`flagged`); they are not facts of customs' risk rules, whose rule sets are data edited by risk
officers. Goods on an import manifest that no declaration names some days after the ship's
arrival are listed as undeclared (`undeclared`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, exists, select

from kouan.adapters.db.goods_tables import BillOfLading, Manifest, WriteOff
from kouan.adapters.db.goods_tables import ManifestContainer as ContainerRow
from kouan.adapters.db.tables import DeclarationRow, PortCall
from kouan.domain.manifest import BillHeld, Claim, claim_of, write_off
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_plain, new_row

_CHUNK = 500


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


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
    for start in range(0, len(ids), _CHUNK):
        conn.execute(
            delete(WriteOff).where(WriteOff.declaration_id.in_(ids[start : start + _CHUNK]))
        )
    insert_plain(uow, WriteOff, rows)


def _bills(uow: UnitOfWork, numbers: set[str]) -> dict[str, BillHeld]:
    """The latest manifest's B/L of each number, with its containers."""
    conn = uow.connection()
    held: dict[str, tuple[int, Decimal]] = {}
    for chunk in _chunks(numbers):
        found = conn.execute(
            select(BillOfLading.id, BillOfLading.number, BillOfLading.gross_weight_kg)
            .where(BillOfLading.number.in_(chunk))
            .order_by(BillOfLading.id)
        )
        for bl_id, number, weight in found:
            held[number] = (bl_id, Decimal(str(weight)))  # the latest wins
    containers: dict[int, set[str]] = {bl_id: set() for bl_id, _ in held.values()}
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
        number: BillHeld(bl_id, number, weight, frozenset(containers[bl_id]))
        for number, (bl_id, weight) in held.items()
    }


def flagged(ctx: ServiceContext, actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
    """Customs' list: the declarations whose write-off found a problem, the latest first."""
    require(actor, Action.WRITEOFF_READ)
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
    require(actor, Action.WRITEOFF_READ)
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
    """B/Ls of import manifests whose ship arrived more than `undeclared_days` ago and that no
    declaration names, the longest waiting first."""
    require(actor, Action.WRITEOFF_READ)
    with ctx.uow(actor, write=False) as uow:
        days = ctx.settings.undeclared_days
        cutoff = uow.now - timedelta(days=days)
        named = exists().where(DeclarationRow.transport_document == BillOfLading.number)
        query = (
            select(BillOfLading, Manifest.id, Manifest.voyage, PortCall.ship_name, PortCall.ata)
            .join(Manifest, Manifest.id == BillOfLading.manifest_id)
            .join(PortCall, PortCall.id == Manifest.port_call_id)
            .where(
                Manifest.direction == "import",
                PortCall.ata.is_not(None),
                PortCall.ata <= cutoff,
                ~named,
            )
            .order_by(PortCall.ata, BillOfLading.id)
            .limit(limit)
        )
        out = []
        for bill, manifest_id, voyage, ship, ata in uow.session.execute(query):
            assert ata is not None  # the query's
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
                    "arrived_at": ata.isoformat(),
                    "days": (uow.now - ata).days,
                }
            )
        return out
