"""Cargo manifests (舱单): a carrier's agent files a voyage's import or export manifest (JSON, a
spreadsheet of the template or a CUSCAR), amends it whole or one bill of lading at a time;
customs reads every amendment as a diff. Each filing is one unit of work: a manifest with any
error is refused whole, naming each place, and nothing of it is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, true, update

from kouan.adapters.db.goods_tables import BillOfLading, Manifest, ManifestAmendment
from kouan.adapters.db.goods_tables import ManifestContainer as ContainerRow
from kouan.adapters.db.tables import PortCall
from kouan.config import Settings
from kouan.domain import manifest as domain
from kouan.domain.agency import ENTERPRISE_TYPES
from kouan.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from kouan.domain.identifiers import valid_id
from kouan.domain.manifest import Bill, ManifestDocument
from kouan.services.goods import writeoff
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_plain, new_row

ENTITY = "manifest"


def manifest_scope(actor: Actor) -> ColumnElement[bool]:
    """The manifests this actor may see: an agent those it filed; customs, the port office and the
    terminals all."""
    require(actor, Action.MANIFEST_READ)
    if actor.org_type in ENTERPRISE_TYPES:
        return Manifest.agent_org_id == actor.org_id
    return true()


def deadline(
    settings: Settings, call: PortCall, direction: str, loading_at: datetime | None
) -> datetime:
    """When the manifest is due: hours before the ETA (import) or before loading (export), as
    the port's settings say."""
    port = settings.manifest_deadlines.get(call.port, {})
    if direction == "import":
        return call.eta - timedelta(hours=port.get("import", settings.manifest_import_hours))
    hours = port.get("export", settings.manifest_export_hours)
    return (loading_at or call.eta) - timedelta(hours=hours)


def _call_of(uow: UnitOfWork, document: ManifestDocument) -> PortCall:
    """The port call the manifest names (any agent's: a carrier's agent files for the ships its
    carrier loads, whoever is the ship's agent), refused as input when there is none."""
    session = uow.session
    if document.port_call_id is not None:
        call = session.get(PortCall, document.port_call_id)
        if call is None:
            raise ValidationFailed.one(
                "port_call_id", document.port_call_id, "the id of a port call filed in Kouan"
            )
        if document.imo is not None and document.imo != call.imo:
            raise ValidationFailed.one("imo", document.imo, f"{call.imo}, the port call's ship")
        return call
    query = (
        select(PortCall)
        .where(PortCall.imo == document.imo, PortCall.voyage == document.voyage)
        .order_by(PortCall.eta.desc())
        .limit(1)
    )
    call = session.scalar(query)
    if call is None:
        raise ValidationFailed.one(
            "voyage",
            f"{document.imo} {document.voyage}",
            "the IMO number and voyage of a port call filed in Kouan",
        )
    return call


def _checked(document: ManifestDocument) -> None:
    errors = domain.problems(document)
    if errors:
        _refuse(errors)


def _refuse(errors: list[FieldError]) -> None:
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise ValidationFailed(
        f"manifest: {first.field} {first.value!r} is not {first.expected}{more}", errors
    )


def file_manifest(
    ctx: ServiceContext, actor: Actor, document: ManifestDocument, source: str = "api"
) -> dict[str, Any]:
    """The agent files a manifest; late (after its deadline) is accepted and flagged."""
    require(actor, Action.MANIFEST_FILE)
    _checked(document)
    with ctx.uow(actor) as uow:
        call = _call_of(uow, document)
        taken = uow.session.scalar(
            select(Manifest.id).where(
                Manifest.agent_org_id == actor.org_id,
                Manifest.port_call_id == call.id,
                Manifest.direction == document.direction.value,
            )
        )
        if taken is not None:
            raise Conflict(
                f"manifest {taken} is already this call's {document.direction.value} manifest: "
                f"amend it (PUT /api/v1/manifests/{taken})"
            )
        due = deadline(ctx.settings, call, document.direction.value, document.loading_at)
        row = Manifest(
            agent_org_id=actor.org_id,
            filed_by=actor.user_id,
            port_call_id=call.id,
            direction=document.direction.value,
            imo=call.imo,
            voyage=call.voyage,
            port=call.port,
            reference=document.reference,
            source=source,
            deadline=due,
            late=uow.now > due,
            filed_at=uow.now,
            amended_at=None,
            version=1,
            **_totals(document),
        )
        uow.session.add(row)
        uow.session.flush()
        _store_bills(uow, row.id, document.bills_of_lading, {})
        uow.audit("manifest.filed", ENTITY, row.id, None, _state(row))
        writeoff.recheck(uow, {b.number for b in document.bills_of_lading})
        view = _view(uow, row)
        uow.commit()
    return view


def _totals(document: ManifestDocument) -> dict[str, Any]:
    return {
        "bills": len(document.bills_of_lading),
        "containers": document.container_count,
        "gross_weight_kg": float(document.gross_weight_kg),
        "document": document.model_dump(mode="json", exclude_none=True),
    }


def _state(row: Manifest) -> dict[str, Any]:
    return {
        "port_call_id": row.port_call_id,
        "direction": row.direction,
        "version": row.version,
        "bills": row.bills,
        "containers": row.containers,
        "gross_weight_kg": row.gross_weight_kg,
        "late": row.late,
        "source": row.source,
    }


def _bill_values(manifest_id: int, bill: Bill) -> dict[str, Any]:
    return {
        "manifest_id": manifest_id,
        "number": bill.number,
        "shipper": bill.shipper,
        "consignee": bill.consignee,
        "notify_party": bill.notify_party,
        "goods_description": bill.goods_description,
        "hs_code": bill.hs_code,
        "packages": bill.packages,
        "package_type": bill.package_type,
        "gross_weight_kg": float(bill.gross_weight_kg),
        "dangerous_goods": bill.dangerous_goods,
        "un_number": bill.un_number,
    }


def _store_bills(
    uow: UnitOfWork, manifest_id: int, bills: list[Bill], kept: dict[str, int]
) -> None:
    """Insert the bills (updating those whose number is in `kept`, keeping their ids) and all
    their container lines, as plain rows."""
    fresh = [
        new_row(BillOfLading, **_bill_values(manifest_id, b)) for b in bills if b.number not in kept
    ]
    if fresh:
        insert_plain(uow, BillOfLading, fresh)
    ids = {**kept, **{row["number"]: row["id"] for row in fresh}}
    conn = uow.connection()
    for bill in bills:
        if bill.number in kept:
            values = _bill_values(manifest_id, bill)
            conn.execute(
                update(BillOfLading).where(BillOfLading.id == kept[bill.number]).values(**values)
            )
    lines = [
        new_row(
            ContainerRow,
            bl_id=ids[bill.number],
            manifest_id=manifest_id,
            container_number=line.number,
            seal=line.seal,
            gross_weight_kg=float(line.gross_weight_kg),
        )
        for bill in bills
        for line in bill.containers
    ]
    if lines:
        insert_plain(uow, ContainerRow, lines)


def _find(uow: UnitOfWork, manifest_id: int) -> Manifest:
    if not valid_id(manifest_id):
        raise NotFound(f"manifest {manifest_id} not found")
    row = uow.session.scalar(
        select(Manifest).where(Manifest.id == manifest_id, manifest_scope(uow.actor))
    )
    if row is None:
        raise NotFound(f"manifest {manifest_id} not found")
    return row


def amend_manifest(
    ctx: ServiceContext, actor: Actor, manifest_id: int, document: ManifestDocument
) -> dict[str, Any]:
    """The whole manifest again; what changed is kept as a diff and audited."""
    require(actor, Action.MANIFEST_FILE)
    _checked(document)
    with ctx.uow(actor) as uow:
        row = _find(uow, manifest_id)
        if document.direction.value != row.direction:
            raise ValidationFailed.one(
                "direction", document.direction.value, f"{row.direction}, as filed"
            )
        if document.port_call_id is not None and document.port_call_id != row.port_call_id:
            raise ValidationFailed.one(
                "port_call_id", document.port_call_id, f"{row.port_call_id}, as filed"
            )
        view = _amend(uow, row, document)
        uow.commit()
    return view


def amend_bill(
    ctx: ServiceContext, actor: Actor, manifest_id: int, number: str, bill: Bill
) -> dict[str, Any]:
    """One bill of lading replaced (or added, when the manifest has none of that number)."""
    require(actor, Action.MANIFEST_FILE)
    if bill.number != number:
        raise ValidationFailed.one("number", bill.number, f"{number}, the B/L of the address")
    with ctx.uow(actor) as uow:
        row = _find(uow, manifest_id)
        current = dict(row.document)
        bills = [b for b in current["bills_of_lading"] if b["number"] != number]
        position = next(
            (n for n, b in enumerate(current["bills_of_lading"]) if b["number"] == number),
            len(bills),
        )
        bills.insert(position, bill.model_dump(mode="json", exclude_none=True))
        document = ManifestDocument.model_validate({**current, "bills_of_lading": bills})
        errors = domain.problems(document)
        if errors:
            _refuse(errors)
        view = _amend(uow, row, document)
        uow.commit()
    return view


def _amend(uow: UnitOfWork, row: Manifest, document: ManifestDocument) -> dict[str, Any]:
    before_doc, before = row.document, _state(row)
    after_doc = document.model_dump(mode="json", exclude_none=True)
    change = domain.diff(before_doc, after_doc)
    if domain.is_empty(change):
        return _view(uow, row)
    conn = uow.connection()
    existing = dict(
        conn.execute(
            select(BillOfLading.number, BillOfLading.id).where(BillOfLading.manifest_id == row.id)
        ).all()
    )
    numbers = {b.number for b in document.bills_of_lading}
    conn.execute(delete(ContainerRow).where(ContainerRow.manifest_id == row.id))
    removed = [bl_id for number, bl_id in existing.items() if number not in numbers]
    if removed:
        conn.execute(delete(BillOfLading).where(BillOfLading.id.in_(removed)))
    kept = {number: bl_id for number, bl_id in existing.items() if number in numbers}
    _store_bills(uow, row.id, document.bills_of_lading, kept)
    late = uow.now > row.deadline
    for name, value in _totals(document).items():
        setattr(row, name, value)
    row.reference = document.reference
    row.version += 1
    row.amended_at = uow.now
    uow.session.add(
        ManifestAmendment(
            manifest_id=row.id,
            version=row.version,
            amended_by=uow.actor.user_id,
            amended_at=uow.now,
            late=late,
            diff=change,
        )
    )
    uow.session.flush()
    uow.audit("manifest.amended", ENTITY, row.id, before, {**_state(row), "diff": change})
    writeoff.recheck(uow, numbers | set(existing))
    return _view(uow, row)


def _view(uow: UnitOfWork, row: Manifest) -> dict[str, Any]:
    amendments = uow.session.scalars(
        select(ManifestAmendment)
        .where(ManifestAmendment.manifest_id == row.id)
        .order_by(ManifestAmendment.version)
    ).all()
    return {
        **summary(row),
        "document": row.document,
        "amendments": [
            {
                "version": a.version,
                "amended_at": a.amended_at.isoformat(),
                "late": a.late,
                "diff": a.diff,
            }
            for a in amendments
        ],
    }


def summary(row: Manifest) -> dict[str, Any]:
    return {
        "id": row.id,
        "port_call_id": row.port_call_id,
        "direction": row.direction,
        "imo": row.imo,
        "voyage": row.voyage,
        "port": row.port,
        "reference": row.reference,
        "source": row.source,
        "bills": row.bills,
        "containers": row.containers,
        "gross_weight_kg": row.gross_weight_kg,
        "deadline": row.deadline.isoformat(),
        "late": row.late,
        "filed_at": row.filed_at.isoformat(),
        "amended_at": row.amended_at.isoformat() if row.amended_at else None,
        "version": row.version,
    }


def get_manifest(ctx: ServiceContext, actor: Actor, manifest_id: int) -> dict[str, Any]:
    with ctx.uow(actor, write=False) as uow:
        return _view(uow, _find(uow, manifest_id))


def list_manifests(
    ctx: ServiceContext, actor: Actor, search: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """The manifests the actor may see, the latest first; `search` a B/L or container number."""
    query = select(Manifest).where(manifest_scope(actor))
    needle = search.strip().upper().replace(" ", "")
    if needle:
        query = query.where(
            or_(
                Manifest.id.in_(
                    select(BillOfLading.manifest_id).where(BillOfLading.number == needle)
                ),
                Manifest.id.in_(
                    select(ContainerRow.manifest_id).where(ContainerRow.container_number == needle)
                ),
                Manifest.reference == needle,
            )
        )
    query = query.order_by(Manifest.filed_at.desc(), Manifest.id.desc()).limit(limit).offset(offset)
    with ctx.uow(actor, write=False) as uow:
        return [summary(row) for row in uow.session.scalars(query)]
