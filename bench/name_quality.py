"""kouan bench name-quality: recall and precision of the name matcher on the labelled pairs
(tests/data/screening/name_pairs.csv: every romanization family, order, joined and split
parts, diacritics, typos, initials, and look-alike names of different people)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from kouan.domain.names import Policy
from kouan.services.screening.benchmark import quality

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "screening" / "name_pairs.csv"


def main(
    pairs: Annotated[Path, typer.Option(help="Labelled pairs: name1,name2,match.")] = PAIRS,
    threshold: Annotated[float, typer.Option(help="Where a match begins.")] = Policy().threshold,
    as_json: common.AsJson = False,
) -> None:
    result = quality(pairs, threshold)
    if not as_json:
        for row in result["wrong"]:
            print(f"{row['match']:>5} {row['score']:.3f}  {row['name1']} | {row['name2']}")
    result["wrong"] = len(result["wrong"])
    common.emit(result, as_json)


if __name__ == "__main__":
    typer.run(main)
