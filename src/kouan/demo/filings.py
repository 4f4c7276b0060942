"""What the shipping agents of the demo file for a call: the arrival notice (FAL 1, 2, 5, 6, 7 and
the health declaration) and the departure, with the same crew on every call of a ship."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from kouan.demo import content
from kouan.demo.content import ContainerCargo, DangerousGoods, ShipSpec, Visit
from kouan.demo.schedule import SEED, hours
from kouan.demo.timeline import Times
from kouan.domain.portcall import TimelineEvent
from kouan.site import PORT_ZONE


def _number(rng: Random, pattern: str) -> str:
    """A document number of the pattern ("#" a digit, "@" a letter)."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return "".join(
        str(rng.randrange(10)) if c == "#" else rng.choice(letters) if c == "@" else c
        for c in pattern
    )


def _person(
    rng: Random, nationality: str, today: date, age: tuple[int, int], woman: bool
) -> dict[str, Any]:
    names = content.people().nationalities[nationality]
    born = date(today.year - rng.randint(*age), rng.randint(1, 12), rng.randint(1, 28))
    return {
        "family_name": rng.choice(names.family_names),
        "given_names": rng.choice(names.women if woman else names.men),
        "nationality": nationality,
        "date_of_birth": born.isoformat(),
        "sex": "F" if woman else "M",
        "document": {
            "type": "P",
            "number": _number(rng, names.passport),
            "issuing_state": nationality,
            "expiry": (today + timedelta(days=rng.randint(400, 3400))).isoformat(),
        },
    }


def _age(rank: str) -> tuple[int, int]:
    """The range of ages a seafarer of this rank is likely to have."""
    if rank in ("Master", "Chief Engineer"):
        return 45, 62
    return (25, 50) if rank in content.people().officer_ranks else (20, 55)


def crew_of(ship: ShipSpec, today: date, size: int | None = None) -> list[dict[str, Any]]:
    """FAL 5: the ship's crew, the same on every call (seeded by the ship), no name twice."""
    officer_ranks, rating_ranks = content.people().officer_ranks, content.people().rating_ranks
    rng = Random(f"{SEED}:{ship.imo}")
    count = size or ship.kind.crew
    ratings = (rating_ranks[n % len(rating_ranks)] for n in range(count - len(officer_ranks)))
    crew: list[dict[str, Any]] = []
    names: set[tuple[str, str]] = set()
    for rank in (*officer_ranks, *ratings):
        pool = ship.officers if rank in officer_ranks else ship.ratings
        person = _person(rng, rng.choice(pool), today, _age(rank), False)
        while (person["family_name"], person["given_names"]) in names:
            person = _person(rng, person["nationality"], today, _age(rank), False)
        names.add((person["family_name"], person["given_names"]))
        crew.append({**person, "rank": rank})
    return crew


def _crew_change(ship: ShipSpec, today: date) -> list[dict[str, Any]]:
    """The departure's crew: two ratings sign off, two relievers sign on at Qingdao."""
    crew = crew_of(ship, today)
    relievers = crew_of(ship, today, len(crew) + 2)[-2:]
    return crew[:-2] + relievers


def _item(description: str, tonnes: float, packages: int, teu: int, bl: str) -> dict[str, Any]:
    return {
        "description": description,
        "packages": packages,
        "gross_tonnes": tonnes,
        "teu": teu,
        "bill_of_lading": bl,
    }


def totals(items: list[dict[str, Any]], **off: float) -> dict[str, Any]:
    """FAL 2 whose totals add up, or are off by `off` (total_packages=12, ...)."""
    return {
        "items": items,
        "total_packages": sum(i["packages"] for i in items) + int(off.get("total_packages", 0)),
        "total_gross_tonnes": sum(i["gross_tonnes"] for i in items)
        + off.get("total_gross_tonnes", 0.0),
        "total_teu": sum(i["teu"] for i in items) + int(off.get("total_teu", 0)),
    }


def _misdeclared(rng: Random, items: list[dict[str, Any]]) -> dict[str, float]:
    """A total that does not add up: the packages where there are any, else the tonnes (bulk)."""
    if any(i["packages"] for i in items):
        return {"total_packages": rng.randint(6, 40)}
    return {"total_gross_tonnes": rng.randint(2, 30) * 50.0}


def _containers(
    rng: Random, ship: ShipSpec, pool: tuple[ContainerCargo, ...]
) -> list[dict[str, Any]]:
    capacity = int(ship.gross_tonnage / 11)
    items = []
    for cargo in rng.sample(pool, 3):
        teu = rng.randint(capacity // 40 + 5, capacity // 12 + 10)
        bl = f"{ship.name[:4].replace(' ', '')}{rng.randrange(10**9, 10**10)}"
        tonnes, packages = teu * cargo.tonnes_per_teu, teu * cargo.packages_per_teu
        items.append(_item(cargo.description, tonnes, packages, teu, bl))
    return items


def _cargo_in(rng: Random, ship: ShipSpec) -> list[dict[str, Any]]:
    """What the ship discharges at Qingdao."""
    kind = ship.kind
    if kind.name == "container":
        return _containers(rng, ship, content.container_cargo("import"))
    if kind.bulk_cargo is not None:
        tonnes = round(ship.gross_tonnage * rng.uniform(1.5, 1.85), -1)
        return [_item(kind.bulk_cargo, tonnes, 0, 0, f"BL{rng.randrange(10**6, 10**7)}")]
    if kind.name == "roro":
        units = int(ship.gross_tonnage / 30)
        return [_item("New cars", units * 1.25, units, 0, f"RR{rng.randrange(10**6, 10**7)}")]
    if kind.name == "general":
        coils = rng.randint(180, 420)
        return [_item("Steel coils", coils * 20.5, coils, 0, f"GC{rng.randrange(10**6, 10**7)}")]
    return []


def _cargo_out(rng: Random, ship: ShipSpec) -> list[dict[str, Any]]:
    """What the ship loads; bulk carriers and tankers leave in ballast."""
    if ship.kind.name == "container":
        return _containers(rng, ship, content.container_cargo("export"))
    if ship.kind.name == "general":
        units = rng.randint(20, 60)
        return [_item("Excavators", units * 21.5, units, 0, f"GC{rng.randrange(10**6, 10**7)}")]
    return []


def _good(entry: DangerousGoods, kg: float) -> dict[str, Any]:
    """FAL 7: one entry of dangerous goods."""
    return {
        "un_number": entry.un_number,
        "imdg_class": entry.imdg_class,
        "proper_shipping_name": entry.proper_shipping_name,
        "quantity_kg": kg,
        "packing_group": entry.packing_group,
    }


def _goods_in(
    rng: Random, ship: ShipSpec, twists: frozenset[str], tonnes: float
) -> list[dict[str, Any]]:
    """FAL 7 on arrival: a container ship's usual few, a tanker's cargo, and the twists'."""
    goods = []
    if ship.kind.name == "container":
        goods = [
            _good(entry, rng.randint(2, 40) * 500.0)
            for entry in rng.sample(ship.kind.dangerous_goods, 2)
        ]
    elif ship.kind.bulk_cargo is not None:
        goods = [_good(entry, tonnes * 1000) for entry in ship.kind.dangerous_goods]
    twisted = content.week().twists.arrival_goods
    goods += [_good(t.goods, t.kg) for t in twisted if t.twist in twists]
    return goods


def _health(rng: Random, eta: datetime, twists: frozenset[str]) -> dict[str, Any]:
    """The Maritime Declaration of Health: a valid certificate and nobody ill, unless twisted."""
    arrival_day = eta.astimezone(PORT_ZONE).date()
    expiry = arrival_day + timedelta(days=rng.randint(20, 170))
    health: dict[str, Any] = {"sanitation_certificate_expiry": expiry.isoformat()}
    if "sanitation_expired" in twists:
        health["sanitation_certificate_expiry"] = (arrival_day - timedelta(days=12)).isoformat()
    if "ill" in twists:
        health["ill_persons"] = 1
        health["notes"] = content.week().twists.ill_note
    return health


def arrival(visit: Visit, ship: ShipSpec, times: Times, rng: Random) -> dict[str, Any]:
    """The arrival notice the agent files (FAL 1, 2, 5, 6, 7 and the health declaration)."""
    today = times.eta.date()
    crew = crew_of(ship, today)
    items = _cargo_in(rng, ship)
    twists = visit.twists
    off = _misdeclared(rng, items) if "cargo_mismatch" in twists else {}
    tonnes = sum(i["gross_tonnes"] for i in items)
    return {
        "ship": {
            "imo": ship.imo,
            "mmsi": ship.mmsi,
            "name": ship.name,
            "call_sign": ship.call_sign,
            "flag": ship.flag,
            "gross_tonnage": ship.gross_tonnage,
            "ship_type": ship.kind.ship_type,
        },
        "voyage": f"{rng.randint(1, 99):03d}{rng.choice('NESW')}",
        "port": content.week().port,
        "berth": visit.berth,
        "eta": times.eta.isoformat(),
        "etd": times.etd.isoformat(),
        "last_ports": list(visit.last_ports),
        "general_declaration": {
            "master_name": f"{crew[0]['family_name']} {crew[0]['given_names']}",
            "next_port": visit.next_port,
            "cargo_brief": ", ".join(i["description"] for i in items) or "passengers",
        },
        "cargo": totals(items, **off),
        "crew": crew,
        # A cruise ship's FAL 6 is its cruise line's list (kouan.services.passengers.cruises).
        "passengers": [],
        "dangerous_goods": _goods_in(rng, ship, twists, tonnes),
        "health": _health(rng, times.eta, twists),
        "security_level": 1,
    }


def departure(visit: Visit, ship: ShipSpec, times: Times, rng: Random) -> dict[str, Any]:
    """The departure the agent files while the ship works."""
    items = _cargo_out(rng, ship)
    off = {"total_teu": 24} if "export_mismatch" in visit.twists else {}
    twisted = content.week().twists.departure_goods
    goods = [_good(t.goods, t.kg) for t in twisted if t.twist in visit.twists]
    complete = times.event(TimelineEvent.OPS_COMPLETE) or times.etd
    return {
        "etd": (complete + hours(content.week().hours.unmooring)).isoformat(),
        "next_port": visit.next_port,
        "crew": _crew_change(ship, times.eta.date()) if "crew_change" in visit.twists else None,
        "cargo": totals(items, **off),
        "dangerous_goods": goods,
    }
