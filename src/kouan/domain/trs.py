"""The WCO Time Release Study (TRS, WTO TFA art. 7.6) over Kouan's own records.

A record (a declaration, a port call) went through stages at recorded times; the study measures
the intervals between consecutive stages that happened and, over many records, which interval
holds the most time. Pure: the services read the times, this module measures them. Minutes are
kept exact here and rounded where they are shown.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise


@dataclass(frozen=True)
class StageModel:
    """The stages of one kind of record in the order they normally happen. A floating stage (a
    permit, the goods' arrival) has no fixed place: it is put where its time falls."""

    name: str
    stages: tuple[str, ...]
    floating: frozenset[str] = frozenset()

    def index(self, stage: str) -> int:
        try:
            return self.stages.index(stage)
        except ValueError:
            raise ValueError(f"{stage!r} is not a stage of a {self.name}") from None


DECLARATION = StageModel(
    "declaration",
    ("arrived", "filed", "lane_decided", "reviewed", "inspected", "released", "gated_out"),
    # Goods may arrive before the declaration or after it (filed before arrival).
    frozenset({"arrived"}),
)
PORT_CALL = StageModel(
    "port_call",
    (
        "filed",
        "entry_permit",
        "ata",
        "all_fast",
        "ops_start",
        "ops_complete",
        "departure_permit",
        "atd",
    ),
    # A permit is issued when the reviews allow, before the ship arrives or after it berthed.
    frozenset({"entry_permit", "departure_permit"}),
)

# Upper bounds (inclusive) of the distribution's time bands, in minutes; a last band is open.
BANDS: tuple[int, ...] = (15, 30, 60, 120, 240, 480, 1440, 2880, 4320)


@dataclass(frozen=True)
class Interval:
    """The time between two consecutive stages of one record; `out_of_order` when the later
    stage was recorded before the earlier one (counted as 0 minutes)."""

    start: str
    end: str
    minutes: float
    out_of_order: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.start, self.end


@dataclass(frozen=True)
class Timeline:
    """One record's stages as recorded, as placed (name and time counted, in order), and the
    intervals between the placed stages."""

    recorded: dict[str, datetime]
    placed: tuple[tuple[str, datetime], ...]
    intervals: tuple[Interval, ...]
    out_of_order: tuple[str, ...]

    def at(self, stage: str) -> datetime | None:
        """When the stage counts as having happened (None: it did not)."""
        return dict(self.placed).get(stage)

    def span(self, start: str, end: str) -> float | None:
        """Minutes from `start` to `end` when both happened; 0 when `end` came first."""
        first, last = self.at(start), self.at(end)
        if first is None or last is None:
            return None
        return max(0.0, _minutes(first, last))


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def timeline(model: StageModel, happened: Iterable[tuple[str, datetime | None]]) -> Timeline:
    """Place a record's stages and measure the intervals between consecutive ones.

    Stages without a time did not happen and are skipped. The fixed stages keep the model's
    order: one recorded before the stage before it counts as happening with that stage, flagged,
    so no interval is negative and the intervals still add up to the record's whole time. A
    floating stage goes where its time falls; equal times keep the model's order.
    """
    recorded = _recorded(model, happened)
    fixed: list[tuple[str, datetime]] = []
    late: list[str] = []
    for stage in model.stages:
        if stage in model.floating or stage not in recorded:
            continue
        at = recorded[stage]
        if fixed and at < fixed[-1][1]:
            late.append(stage)
            at = fixed[-1][1]
        fixed.append((stage, at))
    floating = [(s, recorded[s]) for s in model.stages if s in model.floating and s in recorded]
    placed = sorted(fixed + floating, key=lambda p: (p[1], model.index(p[0])))
    intervals = tuple(
        Interval(a, b, _minutes(at_a, at_b), b in late) for (a, at_a), (b, at_b) in pairwise(placed)
    )
    return Timeline(recorded, tuple(placed), intervals, tuple(late))


def _recorded(
    model: StageModel, happened: Iterable[tuple[str, datetime | None]]
) -> dict[str, datetime]:
    recorded: dict[str, datetime] = {}
    seen: set[str] = set()
    for stage, at in happened:
        model.index(stage)
        if stage in seen:
            raise ValueError(f"{stage!r} is given twice")
        seen.add(stage)
        if at is not None:
            recorded[stage] = at
    return recorded


# --- figures over many records ------------------------------------------------------------------


def percentile(ordered: Sequence[float], p: int) -> float:
    """Nearest-rank percentile of sorted values: a value that occurred, never an interpolation
    (as kouan.services.cargo.clearance reports clearance times). Integer arithmetic for the rank,
    so that 90 % of 70 values is rank 63 and not 64."""
    if not ordered:
        raise ValueError("no values")
    rank = max(1, -(-p * len(ordered) // 100))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Figures:
    """Count, mean, median (the middle value, or the mean of the two middle ones), p90
    (nearest rank), the sum and the count per time band, in minutes."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None
    total: float
    bands: tuple[int, ...]


def figures(values: Iterable[float]) -> Figures:
    ordered = sorted(values)
    bands = [0] * (len(BANDS) + 1)
    for value in ordered:
        bands[band_of(value)] += 1
    if not ordered:
        return Figures(0, None, None, None, 0.0, tuple(bands))
    total = sum(ordered)
    return Figures(
        count=len(ordered),
        mean=total / len(ordered),
        median=statistics.median(ordered),
        p90=percentile(ordered, 90),
        total=total,
        bands=tuple(bands),
    )


def band_of(minutes: float) -> int:
    """The index of the time band the minutes fall in (the last one: beyond every bound)."""
    return next((i for i, bound in enumerate(BANDS) if minutes <= bound), len(BANDS))


@dataclass(frozen=True)
class IntervalFigures:
    """One interval's figures over many records, and its share of all their intervals' time
    (None when no time passed at all)."""

    start: str
    end: str
    figures: Figures
    share: float | None


@dataclass(frozen=True)
class Summary:
    """The study of a set of records: each interval that occurred, in stage order, and the one
    holding the most time (None when no time passed); `out_of_order` counts the records with a
    stage recorded before the one before it."""

    records: int
    out_of_order: int
    intervals: tuple[IntervalFigures, ...]
    longest: IntervalFigures | None


def summarise(model: StageModel, timelines: Sequence[Timeline]) -> Summary:
    by_key: dict[tuple[str, str], list[float]] = defaultdict(list)
    for line in timelines:
        for interval in line.intervals:
            by_key[interval.key].append(interval.minutes)
    grand = sum(sum(values) for values in by_key.values())
    ordered = sorted(by_key, key=lambda k: (model.index(k[0]), model.index(k[1])))
    intervals = tuple(
        IntervalFigures(a, b, figures(by_key[a, b]), sum(by_key[a, b]) / grand if grand else None)
        for a, b in ordered
    )
    # The first of equals, in stage order: where the time is spent first.
    longest = max(intervals, key=lambda i: i.figures.total, default=None) if grand else None
    return Summary(
        records=len(timelines),
        out_of_order=sum(1 for line in timelines if line.out_of_order),
        intervals=intervals,
        longest=longest,
    )


def span_figures(timelines: Iterable[Timeline], start: str, end: str) -> Figures:
    """Figures of the time from `start` to `end`, over the records where both happened."""
    spans = (line.span(start, end) for line in timelines)
    return figures(s for s in spans if s is not None)


@dataclass(frozen=True)
class Share:
    """How many of `of` records did something; `share` None when `of` is 0."""

    count: int
    of: int

    @property
    def share(self) -> float | None:
        return self.count / self.of if self.of else None


def share_before(timelines: Iterable[Timeline], first: str, second: str) -> Share:
    """Of the records where `second` happened, those where `first` had happened by then (at the
    same instant counts: nothing waited), by the recorded times."""
    count = of = 0
    for line in timelines:
        reference = line.recorded.get(second)
        if reference is None:
            continue
        of += 1
        done = line.recorded.get(first)
        if done is not None and done <= reference:
            count += 1
    return Share(count, of)


def cleared_before_arrival(timelines: Iterable[Timeline]) -> Share:
    """Of the port calls that arrived, those whose entry permit was issued by the ATA: what
    zero waiting time (零待时) aims for."""
    return share_before(timelines, "entry_permit", "ata")
