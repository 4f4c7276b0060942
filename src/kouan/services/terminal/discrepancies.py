"""What customs is shown where the terminal's moves and the manifests disagree: a container
discharged that no import manifest of its call lists, and a container an import manifest lists
that was never discharged once its ship has left (ATD) or the grace time after the manifest's
filing (Settings.discharge_grace_hours) has passed. Read from the records each time, so a
manifest filed late clears what it covers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select

from kouan.adapters.db.goods_tables import Manifest, ManifestContainer
from kouan.adapters.db.tables import PortCall
from kouan.adapters.db.terminal_tables import TerminalMove
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext

DISCHARGED_NOT_MANIFESTED = "discharged_not_manifested"
MANIFESTED_NOT_DISCHARGED = "manifested_not_discharged"


def discrepancies(ctx: ServiceContext, actor: Actor, limit: int = 500) -> dict[str, Any]:
    """Both lists, the oldest first, at most `limit` of each, with their full counts."""
    require(actor, Action.DISCREPANCY_READ)
    with ctx.uow(actor, write=False) as uow:
        listed = exists().where(
            ManifestContainer.container_number == TerminalMove.container,
            Manifest.id == ManifestContainer.manifest_id,
            Manifest.direction == "import",
            or_(
                TerminalMove.port_call_id.is_(None),
                Manifest.port_call_id == TerminalMove.port_call_id,
            ),
        )
        unlisted = and_(TerminalMove.kind == "discharged", ~listed)
        moves = uow.session.execute(
            select(TerminalMove)
            .where(unlisted)
            .order_by(TerminalMove.at, TerminalMove.id)
            .limit(limit)
        ).scalars()
        first = [
            {
                "kind": DISCHARGED_NOT_MANIFESTED,
                "container": m.container,
                "port_call_id": m.port_call_id,
                "voyage": m.voyage,
                "vessel": m.vessel,
                "terminal": m.terminal,
                "at": m.at.isoformat(),
                "move_id": m.id,
            }
            for m in moves
        ]
        first_count = uow.session.scalar(
            select(func.count()).select_from(TerminalMove).where(unlisted)
        )
        cutoff = uow.now - timedelta(hours=ctx.settings.discharge_grace_hours)
        discharged = exists().where(
            TerminalMove.container == ManifestContainer.container_number,
            TerminalMove.kind == "discharged",
            or_(
                TerminalMove.port_call_id.is_(None),
                TerminalMove.port_call_id == Manifest.port_call_id,
            ),
        )
        missing = and_(
            Manifest.direction == "import",
            or_(PortCall.atd.is_not(None), Manifest.filed_at < cutoff),
            ~discharged,
        )
        base = (
            select(
                ManifestContainer.container_number,
                Manifest.port_call_id,
                Manifest.voyage,
                PortCall.ship_name,
                PortCall.atd,
                Manifest.filed_at,
            )
            .join(Manifest, Manifest.id == ManifestContainer.manifest_id)
            .join(PortCall, PortCall.id == Manifest.port_call_id)
            .where(missing)
        )
        second = [
            {
                "kind": MANIFESTED_NOT_DISCHARGED,
                "container": number,
                "port_call_id": call_id,
                "voyage": voyage,
                "vessel": vessel,
                "atd": atd.isoformat() if atd else None,
                "manifest_filed_at": filed.isoformat(),
            }
            for number, call_id, voyage, vessel, atd, filed in uow.session.execute(
                base.order_by(Manifest.filed_at, ManifestContainer.id).limit(limit)
            )
        ]
        second_count = uow.session.scalar(select(func.count()).select_from(base.subquery()))
    return {
        DISCHARGED_NOT_MANIFESTED: first,
        MANIFESTED_NOT_DISCHARGED: second,
        "counts": {
            DISCHARGED_NOT_MANIFESTED: int(first_count or 0),
            MANIFESTED_NOT_DISCHARGED: int(second_count or 0),
        },
        "grace_hours": ctx.settings.discharge_grace_hours,
    }
