"""The command line of screening (mounted as `kouan screen`): `pairs` scores name pairs with the
matcher alone. `run_benchmark` and `run_quality` are the figures `kouan bench screening` and
`kouan bench name-quality` print."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console

from kouan.domain.names import Policy, score

app = typer.Typer(help="Screening people against the watch list.", no_args_is_help=True)
console = Console(stderr=True)
# The labelled pairs live with the tests (a checkout's file, not part of the package).
QUALITY_SET = Path(__file__).resolve().parents[2] / "tests/data/screening/name_pairs.csv"


@app.callback()
def _screen() -> None:
    """Screening people against the watch list."""


@app.command("pairs")
def pairs(
    source: Annotated[Path, typer.Argument(help="CSV with a header and name1,name2 rows.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write here, not to stdout.")] = None,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Where a match begins.")
    ] = Policy().threshold,
) -> None:
    """Score each pair of names: writes name1,name2,score,match (score 0..1, 3 decimals; match
    true or false at the threshold). Names are read in every romanization, Han as Chinese."""
    if not source.is_file():
        console.print(f"[red]no file {source}[/red]")
        raise typer.Exit(2)
    with source.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["name1", "name2"]:
        console.print("[red]the first line must be the header name1,name2[/red]")
        raise typer.Exit(2)
    target: TextIO = sys.stdout if out is None else out.open("w", encoding="utf-8", newline="")
    try:
        write_pairs(rows[1:], target, threshold)
    finally:
        if out is not None:
            target.close()


def write_pairs(rows: list[list[str]], target: TextIO, threshold: float) -> None:
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(["name1", "name2", "score", "match"])
    for row in rows:
        if len(row) < 2 or not (row[0].strip() or row[1].strip()):
            continue
        value = score(row[0], row[1]).score
        writer.writerow([row[0], row[1], f"{value:.3f}", str(value >= threshold).lower()])


def run_benchmark(
    passengers: int = 500, watchlist: int = 100_000, lists: int = 10, planted: int = 5
) -> dict[str, Any]:
    """Index a synthetic watch list and screen flights against it (see
    kouan.services.screening.benchmark.run)."""
    from kouan.services.screening import benchmark

    return benchmark.run(passengers, watchlist, lists, planted)


def run_quality(path: Path = QUALITY_SET, threshold: float = Policy().threshold) -> dict[str, Any]:
    """Recall and precision on the labelled name pairs."""
    from kouan.services.screening import benchmark

    return benchmark.quality(path, threshold)


@app.command("quality")
def quality_command(
    path: Annotated[Path, typer.Argument(help="Labelled pairs: name1,name2,match.")] = QUALITY_SET,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0)] = Policy().threshold,
) -> None:
    """Recall and precision of the matcher on labelled pairs, and the pairs it got wrong."""
    print(json.dumps(run_quality(path, threshold), ensure_ascii=False, indent=1))
