"""A big, realistic PAXLST for `kouan bench paxlst`, and the time Kouan's reader takes over it
against pydifact's bare parse of the same text.

`generate_paxlst(passengers, seed)` writes one flight's passenger list (100,000 passengers is
fine) as a multi-part interchange, with the imperfections real messages have at about the rates
they have them: a passport without expiry, a passenger without a document, a role code outside
the guidelines. `time_parse(text)` reads it with `kouan.adapters.paxlst.read_paxlst` (tokenise,
envelope, every person into the model, warnings, multi-part assembly) and with pydifact's
`Interchange.from_str` (tokens and segments only), best of `repeat` runs each.
"""

from __future__ import annotations

import gc
import math
import random
import string
import time
import warnings
from datetime import date, datetime, timedelta
from typing import Any

from kouan.adapters.edifact_envelope import cycle_collection_paused
from kouan.adapters.paxlst import MAX_PARTS, read_paxlst, write_person_list
from kouan.domain.person_list import (
    Leg,
    ListedPerson,
    ListKind,
    PersonList,
    Role,
    TravelDocument,
)

_FAMILY = [
    "WANG",
    "LI",
    "ZHANG",
    "LIU",
    "CHEN",
    "YANG",
    "ZHAO",
    "HUANG",
    "ZHOU",
    "WU",
    "KIM",
    "PARK",
    "LEE",
    "CHOI",
    "SATO",
    "SUZUKI",
    "TANAKA",
    "MUELLER",
    "SCHMIDT",
    "SMITH",
    "JONES",
    "GARCIA",
    "MARTIN",
    "ROSSI",
    "SILVA",
    "NGUYEN",
    "TRAN",
    "KOWALSKI",
    "OSEI",
]
_GIVEN = [
    "WEI",
    "FANG",
    "NA",
    "MIN",
    "JING",
    "LEI",
    "JUN",
    "YAN",
    "HAO",
    "XIN",
    "JISOO",
    "MINJUN",
    "YUKI",
    "HARUTO",
    "ANNA",
    "LUKAS",
    "EMMA",
    "NOAH",
    "MARIA",
    "JOSE",
    "SOFIA",
    "LUCA",
    "MINH",
    "LAN",
    "PIOTR",
    "KWAME",
]
# Nationalities, roughly as a flight into Qingdao carries them.
_NATIONALITIES = ("CN",) * 12 + ("KR",) * 4 + ("JP",) * 2 + ("DE", "US", "GB", "FR", "VN", "RU")
_ORIGINS = ("FRA", "ICN", "NRT", "SIN", "LHR")


def generate_paxlst(passengers: int, seed: int) -> str:
    """One flight to Qingdao (TAO) with `passengers` passengers, as parts of at most as many
    persons as 99 parts need (and 1,000 or more)."""
    rng = random.Random(seed)
    departure = datetime(2026, 12, 1, 9, 30) + timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
    origin = rng.choice(_ORIGINS)
    flight = f"CA{rng.randrange(100, 999)}"
    person_list = PersonList(
        kind=ListKind.PASSENGERS,
        sender="AIR CHINA",
        reference=f"{flight}{departure:%m%d}",
        carrier="CA",
        transport_id=flight,
        legs=[
            Leg(flight, origin, departure, "TAO", departure + timedelta(hours=rng.randrange(2, 12)))
        ],
        persons=[_passenger(rng, origin, n) for n in range(passengers)],
    )
    part_size = max(1000, math.ceil(passengers / MAX_PARTS))
    return write_person_list(
        person_list,
        sender="CAAPI",
        recipient="CNTAOAPI",
        reference=person_list.reference,
        part_size=part_size,
        when=departure - timedelta(hours=1),
    )


def _passenger(rng: random.Random, origin: str, n: int) -> ListedPerson:
    nationality = rng.choice(_NATIONALITIES)
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
    roll = rng.random()
    # About 1 in 50 passports without expiry, 1 in 200 passengers without a document, 1 in
    # 1,000 with a role code outside the guidelines: what real lists have.
    documents = [] if roll < 0.005 else [_passport(rng, nationality, without_expiry=roll < 0.025)]
    row, seat = rng.randrange(1, 70), rng.choice("ABCDEFGHJK")
    bags = rng.choice((0, 0, 1, 1, 1, 2))
    tag = f"CA{rng.randrange(100000, 999999)}"
    return ListedPerson(
        role=Role.OTHER if roll > 0.999 else Role.PASSENGER,
        qualifier="ZZ" if roll > 0.999 else "FL",
        family_name=rng.choice(_FAMILY),
        given_names=rng.choice(_GIVEN),
        date_of_birth=born,
        sex=rng.choice(("M", "F")),
        nationality=nationality,
        documents=documents,
        seat=f"{row}{seat}",
        booking_reference="".join(rng.choices(string.ascii_uppercase + string.digits, k=6)),
        bag_tags=[f"{tag[:2]}{int(tag[2:]) + b:06d}" for b in range(bags)],
        embarkation=origin,
        disembarkation="TAO",
        transit=n % 97 == 0,
    )


def _passport(rng: random.Random, nationality: str, *, without_expiry: bool) -> TravelDocument:
    number = rng.choice(string.ascii_uppercase) + "".join(rng.choices(string.digits, k=8))
    expiry = None if without_expiry else date(2027, 1, 1) + timedelta(days=rng.randrange(3650))
    return TravelDocument("P", number, nationality, expiry)


def time_parse(text: str, repeat: int = 3) -> dict[str, Any]:
    """Seconds (best of `repeat`) for Kouan's read and pydifact's bare parse of `text`; `ratio`
    is Kouan's rate over pydifact's (above 1: Kouan reads faster). Both run with the cycle
    collector paused, as Kouan's importers run."""
    from pydifact.segmentcollection import Interchange

    result = read_paxlst(text)
    kouan = _best(lambda: read_paxlst(text), repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns about segments it has no schema for
        bare = _best(lambda: Interchange.from_str(text), repeat)
    return {
        "bytes": len(text.encode()),
        "segments": text.count("'") - text.count("?'"),
        "persons": result.persons,
        "status": result.status,
        "warnings": len(result.warnings),
        "kouan_s": round(kouan, 3),
        "pydifact_s": round(bare, 3),
        "ratio": round(bare / kouan, 2),
    }


def _best(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        with cycle_collection_paused():
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
    return min(times)


if __name__ == "__main__":
    import json
    import sys

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(json.dumps(time_parse(generate_paxlst(size, 2026), repeat=1)))
