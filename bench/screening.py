"""kouan bench screening: a synthetic watch list (Chinese, Korean, Japanese, Russian, European,
Arabic-origin and Thai names in their scripts) indexed in memory, then flights' passenger lists
screened against it on one core; a few passengers per list are listed people under another
spelling. Reports build time, per-list and per-person latency, persons/s (no database)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from kouan.services.screening.benchmark import run


def main(
    passengers: Annotated[int, typer.Option(help="Passengers on one flight's list.")] = 500,
    watchlist: Annotated[int, typer.Option(help="Entries on the watch list.")] = 100_000,
    lists: Annotated[int, typer.Option(help="Flights' lists to screen.")] = 10,
    planted: Annotated[int, typer.Option(help="Listed people per flight.")] = 5,
    as_json: common.AsJson = False,
) -> None:
    common.emit(run(passengers, watchlist, lists, planted), as_json)


if __name__ == "__main__":
    typer.run(main)
