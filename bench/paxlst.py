"""kouan bench paxlst: one flight's PAXLST of N passengers ingested through the service layer —
read, put on its flight, every person screened against a watch list of M entries, stored with
its reviews — in persons per second, and its ratio to pydifact's bare parse of the same text in
the same run (pydifact only tokenises it: no envelope checks, no persons, no database)."""

from __future__ import annotations

import csv
import io
import sys
import time
import warnings
from pathlib import Path
from typing import Annotated

import typer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
import paxlst_gen
from kouan.domain.agency import OrgType
from kouan.services.passengers import imports, watchlist
from kouan.services.platform import users
from kouan.services.screening.synthetic import watch_list
from kouan.services.screening.watchlist import Entry


def _csv(entries: list[Entry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ("id", "name", "aliases", "date_of_birth", "nationality", "document_number", "reason")
    )
    for e in entries:
        writer.writerow(
            (e.id, e.name, ";".join(e.aliases), e.date_of_birth or "", e.nationality or "",
             e.document_number or "", e.reason)
        )  # fmt: skip
    return out.getvalue().encode()


def main(
    passengers: Annotated[int, typer.Option(help="Passengers on the flight's list.")] = 100_000,
    watchlist_size: Annotated[
        int, typer.Option("--watchlist", help="Entries on the watch list.")
    ] = 100_000,
    database_url: common.DatabaseUrl = None,
    as_json: common.AsJson = False,
) -> None:
    url, dialect = common.scratch_database(database_url)
    ctx = common.context(url)
    border = users.actor_for(
        ctx, users.create_user(ctx, "bench_border", common.PASSWORD, OrgType.BORDER, "Border")
    )
    airline = users.actor_for(
        ctx, users.create_user(ctx, "bench_air", common.PASSWORD, OrgType.AIRLINE, "Air China")
    )
    started = time.perf_counter()
    watchlist.import_file(ctx, border, _csv(watch_list(watchlist_size)), "bench.csv")
    with ctx.uow(border, write=False) as uow:  # the index is built once a process, not per list
        watchlist.active_index(uow)
    prepared_s = time.perf_counter() - started
    text = paxlst_gen.generate_paxlst(passengers, 2026)
    started = time.perf_counter()
    answer = imports.import_paxlst(ctx, airline, text.encode())
    ingest_s = time.perf_counter() - started
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = paxlst_gen.time_parse(text, repeat=1)
    common.emit(
        {
            "name": "paxlst",
            "database": dialect,
            "passengers": passengers,
            "watchlist": watchlist_size,
            "status": answer["status"],
            "warnings": len(answer["warnings"]),
            "referred": answer["lists"][0]["referred"] if answer["lists"] else None,
            "watchlist_import_and_index_s": round(prepared_s, 1),
            "ingest_s": round(ingest_s, 2),
            "persons_per_s": round(passengers / ingest_s),
            "read_only_s": parsed["kouan_s"],
            "pydifact_parse_s": parsed["pydifact_s"],
            "ratio_to_pydifact": round(parsed["pydifact_s"] / ingest_s, 2),
            "ratio_against": "pydifact Interchange.from_str of the same text, same run",
        },
        as_json,
    )


if __name__ == "__main__":
    typer.run(main)
