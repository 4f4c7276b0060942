"""Changes between two figures (year on year, 同比; month on month, 环比) and a port's national
rank among the ports that reported a figure."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Note = Literal["ok", "no_base", "zero_base", "no_current", "both_zero"]


@dataclass(frozen=True)
class Change:
    """A figure against its base. `ratio` is current / base - 1 (0.064 for +6.4%), None unless
    `note` is "ok": "no_current" (no figure this period), "no_base" (none in the base period),
    "zero_base" (base 0 and current above it: no ratio can say by how much), "both_zero"."""

    current: float | None
    base: float | None
    ratio: float | None
    note: Note


def _checked(name: str, value: float | None) -> float | None:
    # The indicators count, weigh and time things: none is negative, and a NaN is a broken import.
    if value is not None and (math.isnan(value) or math.isinf(value) or value < 0):
        raise ValueError(f"{name} must be a finite figure of 0 or more, not {value!r}")
    return value


def change(current: float | None, base: float | None) -> Change:
    """How `current` compares with `base` (None for a missing figure)."""
    current, base = _checked("current", current), _checked("base", base)
    if current is None:
        return Change(current, base, None, "no_current")
    if base is None:
        return Change(current, base, None, "no_base")
    if base == 0:
        return Change(current, base, None, "both_zero" if current == 0 else "zero_base")
    # In decimal, so that 106.45 against 100 is exactly 0.0645 (a float division gives
    # 0.06449999...), which a bulletin then rounds half up to 6.5%, as by hand.
    ratio = Decimal(repr(float(current))) / Decimal(repr(float(base))) - 1
    return Change(current, base, float(ratio), "ok")


@dataclass(frozen=True)
class Rank:
    """A port's place among `of` ports with a figure, highest first; `tied` when another port has
    the same figure (and so the same position)."""

    position: int
    of: int
    tied: bool


def rank(values: Mapping[str, float | None], port: str) -> Rank | None:
    """`port`'s rank by standard competition ranking (1, 2, 2, 4): one more than the number of
    ports with a higher figure. Ports without a figure (None or NaN) are not ranked; None when
    `port` has none."""
    figures = {
        code: value for code, value in values.items() if value is not None and not math.isnan(value)
    }
    mine = figures.get(port)
    if mine is None:
        return None
    higher = sum(1 for value in figures.values() if value > mine)
    equal = sum(1 for value in figures.values() if value == mine)
    return Rank(position=higher + 1, of=len(figures), tied=equal > 1)
