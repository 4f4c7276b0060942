"""Valid filings as plain dicts, for ArrivalNotice.model_validate and for JSON API bodies.

Everything is derived from `now`, so the same `now` always gives the same filing. The ship is
EVER DIADEM, IMO 9134270, MMSI 351759000, call sign 3FOF8, as broadcast in the real AIS type 5
message of shared/data/ais/gpsd_sample.aivdm; the call is at Qingdao (CNTAO).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from typing import Any

from kouan.domain.declaration import Declaration
from kouan.domain.filing import ArrivalNotice, DepartureNotice

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)


def merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """`base` with `overrides`: nested dicts merge key by key; lists and values replace."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def person_data(
    family_name: str,
    given_names: str,
    nationality: str,
    date_of_birth: date,
    document_number: str,
    expiry: date,
    **extra: Any,
) -> dict[str, Any]:
    """A crew member (pass rank=...) or passenger with a passport issued by their nationality."""
    return {
        "family_name": family_name,
        "given_names": given_names,
        "nationality": nationality,
        "date_of_birth": date_of_birth.isoformat(),
        "document": {
            "type": "P",
            "number": document_number,
            "issuing_state": nationality,
            "expiry": expiry.isoformat(),
        },
        **extra,
    }


# family name, given names, nationality, born, passport, rank, sex
_CREW = (
    ("WANG", "Jianguo", "CN", date(1972, 3, 14), "E23815467", "Master", "M"),
    ("SANTOS", "Mark Anthony", "PH", date(1985, 7, 2), "P4521873A", "Chief Officer", "M"),
    ("LI", "Hong", "CN", date(1979, 11, 21), "E48203316", "Chief Engineer", "F"),
    ("DELA CRUZ", "Juan Miguel", "PH", date(1992, 1, 30), "P6630921B", "Able Seaman", "M"),
)


def crew_data(now: datetime = NOW) -> list[dict[str, Any]]:
    """FAL 5: four crew members whose passports stay valid for years after `now`."""
    valid = now.date() + timedelta(days=1500)
    return [
        person_data(family, given, state, born, passport, valid, rank=rank, sex=sex)
        for family, given, state, born, passport, rank, sex in _CREW
    ]


def passengers_data(now: datetime = NOW) -> list[dict[str, Any]]:
    """FAL 6: one passenger (a supernumerary), her passport valid for years after `now`."""
    valid = now.date() + timedelta(days=2000)
    return [person_data("KIM", "Minji", "KR", date(1990, 5, 19), "M35207841", valid, sex="F")]


def dangerous_good_data(**overrides: Any) -> dict[str, Any]:
    """FAL 7: paint, IMDG class 3 (flammable liquid), packing group II."""
    good: dict[str, Any] = {
        "un_number": "UN1263",
        "imdg_class": "3",
        "proper_shipping_name": "PAINT",
        "quantity_kg": 12000.0,
        "packing_group": "II",
        "stowage": "034-06-82",
    }
    return merged(good, overrides)


def _cargo(items: list[dict[str, Any]]) -> dict[str, Any]:
    """FAL 2 with totals that add up (the tonnages are exact binary fractions)."""
    return {
        "items": items,
        "total_packages": sum(i["packages"] for i in items),
        "total_gross_tonnes": sum(i["gross_tonnes"] for i in items),
        "total_teu": sum(i["teu"] for i in items),
    }


def _item(description: str, packages: int, tonnes: float, teu: int, bl: str) -> dict[str, Any]:
    return {
        "description": description,
        "packages": packages,
        "gross_tonnes": tonnes,
        "teu": teu,
        "bill_of_lading": bl,
    }


def arrival_notice_data(now: datetime = NOW, **overrides: Any) -> dict[str, Any]:
    """A clean arrival notice: ETA 3 days after `now`, ETD 2 days after ETA; see `merged`."""
    eta = now + timedelta(days=3)
    notice: dict[str, Any] = {
        "ship": {
            "imo": "9134270",
            "mmsi": "351759000",
            "name": "EVER DIADEM",
            "call_sign": "3FOF8",
            "flag": "PA",
            "ship_type": "container ship",
        },
        "voyage": "0521-012W",
        "port": "CNTAO",
        "eta": eta.isoformat(),
        "etd": (eta + timedelta(days=2)).isoformat(),
        "last_ports": ["KRPUS", "CNSHA", "HKHKG", "SGSIN"],
        "general_declaration": {
            "master_name": "WANG Jianguo",
            "next_port": "JPTYO",
            "cargo_brief": "containers",
        },
        "cargo": _cargo(
            [
                _item("Furniture and parts", 1240, 3150.25, 120, "EGLV143700012345"),
                _item("Motor vehicle parts", 860, 5420.5, 210, "EGLV143700012346"),
                _item("Paint", 400, 12.5, 1, "EGLV143700012347"),
            ]
        ),
        "crew": crew_data(now),
        "passengers": passengers_data(now),
        "dangerous_goods": [dangerous_good_data()],
        "health": {
            "ill_persons": 0,
            "deaths": 0,
            "suspected_infectious": False,
            "sanitation_certificate_expiry": (now.date() + timedelta(days=150)).isoformat(),
        },
        "security_level": 1,
    }
    return merged(notice, overrides)


def departure_notice_data(now: datetime = NOW, **overrides: Any) -> dict[str, Any]:
    """The clean departure for `arrival_notice_data(now)`: same people, export cargo, no DG."""
    notice: dict[str, Any] = {
        "etd": (now + timedelta(days=5)).isoformat(),
        "next_port": "JPTYO",
        "crew": None,
        "passengers": None,
        "cargo": _cargo(
            [
                _item("Tyres", 2100, 4630.75, 180, "EGLV143700012801"),
                _item("Empty containers", 0, 1012.0, 460, "EGLV143700012802"),
            ]
        ),
        "dangerous_goods": [],
    }
    return merged(notice, overrides)


def arrival_notice(now: datetime = NOW, **overrides: Any) -> ArrivalNotice:
    """`arrival_notice_data` validated into the domain object."""
    return ArrivalNotice.model_validate(arrival_notice_data(now, **overrides))


def departure_notice(now: datetime = NOW, **overrides: Any) -> DepartureNotice:
    """`departure_notice_data` validated into the domain object."""
    return DepartureNotice.model_validate(departure_notice_data(now, **overrides))


# Traders every declaration test can declare for: one per credit class.
TRADERS = {
    "3702960001": ("Qingdao Haier Trading", "AA"),
    "3702960002": ("Shandong Textile Export", "A"),
    "3702960003": ("Jinan Machinery Import", "B"),
    "3702960004": ("Weifang Food Trading", "C"),
    "3702960005": ("Linyi Small Goods", "D"),
}


def trader(credit_class: str) -> dict[str, str]:
    """The declaration fields naming the trader of TRADERS with that credit class."""
    [code] = [code for code, (_, c) in TRADERS.items() if c == credit_class]
    return {"trader": code, "trader_name": TRADERS[code][0]}


def declaration_item(**overrides: Any) -> dict[str, Any]:
    """A plain item no default risk rule selects: cotton knitted shirts at a usual price."""
    return merged(
        {
            "hs_code": "610910",
            "description": "cotton T-shirts",
            "quantity": "1000",
            "unit": "PCE",
            "value": "4500",
            "currency": "USD",
            "origin": "CN",
        },
        overrides,
    )


def declaration_data(**overrides: Any) -> dict[str, Any]:
    """An export declaration by a B-class trader, declared in Jinan and released at Qingdao."""
    return merged(
        {
            "trader": "3702960003",
            "trader_name": "Jinan Machinery Import",
            "direction": "export",
            "trade_mode": "0110",
            "transport": {
                "mode": "sea",
                "vessel": "COSCO SHIPPING ARIES",
                "imo": "9783502",
                "voyage": "051E",
                "bill_of_lading": "COSU6300112233",
            },
            "declaration_office": "CNJNA",
            "release_port": "CNTAO",
            "containers": ["CSQU3054383"],
            "items": [declaration_item()],
        },
        overrides,
    )


def declaration(**overrides: Any) -> Declaration:
    return Declaration.model_validate(declaration_data(**overrides))
