"""The port area that brings ships in is configurable (KOUAN_PORT_AREA_FILE, a GeoJSON Feature)."""

from __future__ import annotations

import json
from pathlib import Path

import pyais

from kouan.bootstrap import service_context
from kouan.config import Settings
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import ais, portcalls
from tests.conftest import Clock, People
from tests.factories import arrival_notice

# Dongjiakou (董家口), the new port area being prepared for opening, about 35.60 N 119.80 E.
DONGJIAKOU_AREA = {
    "type": "Feature",
    "properties": {"code": "CNDJK", "name": "Dongjiakou", "name_zh": "董家口"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[119.7, 35.5], [119.9, 35.5], [119.9, 35.7], [119.7, 35.7], [119.7, 35.5]]
        ],
    },
}


def _position(lat: float, lon: float) -> str:
    return str(pyais.encode_dict({"type": 1, "mmsi": 351759000, "lat": lat, "lon": lon})[0])


def test_a_configured_area_replaces_the_default(
    ctx: ServiceContext, people: People, clock: Clock, tmp_path: Path
) -> None:
    area_file = tmp_path / "dongjiakou.geojson"
    area_file.write_text(json.dumps(DONGJIAKOU_AREA))
    settings = Settings(database_url=ctx.settings.database_url, port_area_file=area_file)
    configured = service_context(ctx.engine, settings, clock)
    assert ais.port_area(configured).code == "CNDJK"
    _, call = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    at_qianwan = ais.ingest(configured, people["terminal"], [_position(36.00, 120.21)])
    assert at_qianwan.accepted == 1 and at_qianwan.arrivals == []
    at_dongjiakou = ais.ingest(configured, people["terminal"], [_position(35.60, 119.80)])
    assert at_dongjiakou.arrivals == [call["id"]]


def test_the_default_area_is_qingdao(ctx: ServiceContext) -> None:
    area = ais.port_area(ctx)
    assert area.code == "CNTAO"
    assert area.contains(36.00, 120.21) and not area.contains(35.60, 119.80)
