"""kouan bench coarri: one ship's COARRI of N container moves ingested through the service layer
(read, checked, matched to its port call and the manifests, stored with its rollups) in moves per
second, and its ratio to pydifact's bare parse of the same text in the same run (pydifact only
tokenises it: no envelope checks, no moves, no database). Both run with the cycle collector
paused, as Kouan's importers run."""

from __future__ import annotations

import gc
import os
import random
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from stdnum import iso6346

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from kouan.adapters import coarri
from kouan.adapters.coarri import Move, Voyage
from kouan.adapters.edifact_envelope import cycle_collection_paused
from kouan.domain.agency import OrgType
from kouan.domain.filing import ArrivalNotice
from kouan.services.platform import users
from kouan.services.ships import portcalls
from kouan.services.terminal import moves as terminal_moves
from kouan.site import PORT_ZONE

SEED = 2026
OWNERS = ("COSU", "CBHU", "TEMU", "MSKU", "OOLU", "TRLU", "FSCU", "SEGU")
SIZE_TYPES = ("22G1", "42G1", "45G1", "L5G1", "22R1", "45R1")


def container(serial: int) -> str:
    body = f"{OWNERS[serial % len(OWNERS)]}{serial % 1_000_000:06d}"
    return body + iso6346.calc_check_digit(body)


def generate(n: int, voyage: Voyage, start: object) -> str:
    rng = random.Random(SEED)
    local = start.astimezone(PORT_ZONE).replace(tzinfo=None)  # type: ignore[attr-defined]
    batch = [
        Move(
            "discharged" if i % 3 else "loaded",
            container(i),
            rng.choice(SIZE_TYPES),
            full=rng.random() > 0.1,
            at=local + timedelta(seconds=20 * i),
            gross_kg=float(rng.randrange(2200, 30480)),
            tare_kg=2200.0,
            seals=[f"SL{rng.randrange(10**6, 10**7)}"],
            position=f"{rng.randrange(1, 99):02d}{rng.randrange(20):02d}{rng.randrange(2, 98):02d}",
        )
        for i in range(n)
    ]
    return coarri.write_coarri(batch, voyage, sender="BENCHTERM", reference="9001")


def main(
    moves: Annotated[int, typer.Option(help="Container moves in the COARRI.")] = 100_000,
    database_url: common.DatabaseUrl = None,
    as_json: common.AsJson = False,
) -> None:
    url, dialect = common.scratch_database(database_url)
    ctx = common.context(url)
    agent = common.agent(ctx)
    terminal = users.actor_for(
        ctx,
        users.create_user(
            ctx, "bench_qqct", common.PASSWORD, OrgType.TERMINAL, "Bench Container Terminal (QQCT)"
        ),
    )
    now = common.utcnow()
    filing = common.filing(random.Random(SEED), 1, now - timedelta(days=3))
    filing["eta"] = (now - timedelta(hours=30)).isoformat()
    filing["etd"] = (now + timedelta(days=2)).isoformat()
    _, call = portcalls.file_arrival(ctx, agent, ArrivalNotice.model_validate(filing))
    ship = filing["ship"]
    voyage = Voyage(filing["voyage"], ship["call_sign"], "103", ship["name"], "BEN", "CNTAO")
    text = generate(moves, voyage, now - timedelta(hours=24))

    gc.collect()
    with cycle_collection_paused():
        started = time.perf_counter()
        answer = terminal_moves.record_coarri(ctx, terminal, text)
        ingest_s = time.perf_counter() - started
        read_started = time.perf_counter()
        coarri.read_coarri(text)
        read_s = time.perf_counter() - read_started
    from pydifact.segmentcollection import Interchange

    gc.collect()
    with cycle_collection_paused(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        Interchange.from_str(text)
        pydifact_s = time.perf_counter() - started
    common.emit(
        {
            "name": "coarri",
            "database": dialect,
            "moves": moves,
            "interchange_bytes": len(text.encode()),
            "segments": text.count("'"),
            "status": answer["status"],
            "stored": answer["moves"],
            "port_calls": answer["port_calls"] == [call["id"]],
            "teu": answer["teu"],
            "tonnes": answer["tonnes"],
            "ingest_s": round(ingest_s, 3),
            "moves_per_s": round(moves / ingest_s),
            "read_only_s": round(read_s, 3),
            "pydifact_parse_s": round(pydifact_s, 3),
            "ratio_to_pydifact": round(pydifact_s / ingest_s, 2),
            "ratio_against": "pydifact Interchange.from_str of the same text, same run",
            "load_average": [round(n, 2) for n in os.getloadavg()],
        },
        as_json,
    )


if __name__ == "__main__":
    typer.run(main)
