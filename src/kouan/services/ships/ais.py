"""AIS: ships reporting their position bring their calls in (ATA on entering the port area)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from kouan.adapters.ais import AisReport, decode_lines
from kouan.adapters.db.tables import PortCall, Ship
from kouan.domain.geo import PortArea, port_area_from_geojson
from kouan.domain.portcall import CallStatus, TimelineEvent
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.ships import portcalls
from kouan.site import port_areas

# Calls a position report can bring in: filed or cleared, not yet arrived.
AWAITING_ARRIVAL = (CallStatus.FILED.value, CallStatus.CLEARED.value, CallStatus.REJECTED.value)


def port_area(ctx: ServiceContext) -> PortArea:
    """The configured port area (KOUAN_PORT_AREA_FILE, GeoJSON) or Qingdao's default; read once."""
    area = ctx.cache.get("port_area")
    if not isinstance(area, PortArea):
        path = ctx.settings.port_area_file
        area = (
            port_area_from_geojson(json.loads(path.read_text("utf-8")))
            if path is not None
            else port_areas()[0]
        )
        ctx.cache["port_area"] = area
    return area


@dataclass
class IngestResult:
    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    arrivals: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rejected": self.rejected, "arrivals": self.arrivals}


def _awaiting_call(uow: UnitOfWork, report: AisReport) -> PortCall | None:
    imo_of_mmsi = select(Ship.imo).where(Ship.mmsi == report.mmsi).scalar_subquery()
    match = [PortCall.mmsi == report.mmsi, PortCall.imo == imo_of_mmsi]
    if report.imo:
        match.append(PortCall.imo == report.imo)
    return uow.session.scalar(
        select(PortCall)
        .where(or_(*match), PortCall.status.in_(AWAITING_ARRIVAL), PortCall.ata.is_(None))
        .order_by(PortCall.eta)
        .limit(1)
    )


def apply_reports(uow: UnitOfWork, area: PortArea, reports: Iterable[AisReport]) -> list[int]:
    """Record ATA for each awaited ship whose position lies inside the port area."""
    arrivals = []
    for report in reports:
        if report.lat is None or report.lon is None or not area.contains(report.lat, report.lon):
            continue
        call = _awaiting_call(uow, report)
        if call is not None:
            portcalls.record_event_in(uow, call.id, TimelineEvent.ATA, uow.now, "AIS")
            arrivals.append(call.id)
    return arrivals


def ingest(ctx: ServiceContext, actor: Actor, lines: Iterable[str]) -> IngestResult:
    """Decode NMEA lines (checksums enforced, multi-sentence messages joined) and apply them."""
    require(actor, Action.AIS_INGEST)
    reports, rejected = decode_lines(lines)
    result = IngestResult(
        accepted=len(reports),
        rejected=[{"line": r.line_no, "sentence": r.line, "reason": r.reason} for r in rejected],
    )
    with ctx.uow(actor) as uow:
        result.arrivals = apply_reports(uow, port_area(ctx), reports)
        uow.commit()
    return result
