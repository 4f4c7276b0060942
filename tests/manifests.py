"""Manifests for the goods tests: the factory declaration's B/L (COSU6300112233) and container
(CSQU3054383) on the factory arrival's port call, with room for more."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kouan.domain.manifest import ManifestDocument
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from tests.conftest import People
from tests.factories import arrival_notice, merged

BL = "COSU6300112233"
CONTAINER = "CSQU3054383"
# More valid ISO 6346 numbers (python-stdnum's check digits).
OTHERS = ("MSCU6639870", "TGHU9767310", "OOLU1234567", "MAEU1234567")


def file_call(
    ctx: ServiceContext, people: People, now: datetime, berth: str | None = None
) -> dict[str, Any]:
    """The factory arrival notice (ETA three days after `now`), filed by the agent; at `berth`
    (e.g. QQCT-01, the test terminal's) when given."""
    notice = arrival_notice(now, berth=berth) if berth else arrival_notice(now)
    _, call = portcalls.file_arrival(ctx, people["agent"], notice)
    return call


def container(number: str, kg: str = "12000", seal: str | None = "SL0001") -> dict[str, Any]:
    line: dict[str, Any] = {"number": number, "gross_weight_kg": kg}
    if seal:
        line["seal"] = seal
    return line


def bill(
    number: str = BL, lines: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    lines = [container(CONTAINER)] if lines is None else lines
    weight = sum(float(line["gross_weight_kg"]) for line in lines) or 500
    return merged(
        {
            "number": number,
            "shipper": "Jinan Machinery Import",
            "consignee": "Busan Trading Co",
            "notify_party": "Busan Trading Co",
            "goods_description": "cotton T-shirts",
            "hs_code": "610910",
            "packages": 100,
            "package_type": "CT",
            "gross_weight_kg": str(weight),
            "containers": lines,
        },
        extra,
    )


def manifest_data(call_id: int, direction: str = "import", **extra: Any) -> dict[str, Any]:
    return merged(
        {
            "direction": direction,
            "port_call_id": call_id,
            "reference": "MF-0001",
            "carrier": "COSCO SHIPPING Lines",
            "bills_of_lading": [bill()],
        },
        extra,
    )


def manifest(call_id: int, **extra: Any) -> ManifestDocument:
    return ManifestDocument.model_validate(manifest_data(call_id, **extra))
