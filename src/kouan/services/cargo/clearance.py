"""Clearance time (filing to release) of declarations: by lane, by declaration office and by day,
with percentiles. The port office and customs see every broker's; a broker sees its own."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from kouan.adapters.db.tables import DeclarationRow
from kouan.domain.errors import ValidationFailed
from kouan.services.platform.calendar import check_day
from kouan.services.platform.permissions import Actor, broker_scope
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.site import PORT_ZONE

PERCENTILES = (50, 90, 99)


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of a sorted list (a value that occurred, never an interpolation)."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def figures(seconds: Iterable[float]) -> dict[str, Any]:
    """Count, mean and percentiles of clearance times, in seconds."""
    ordered = sorted(seconds)
    if not ordered:
        return {"count": 0, "mean_s": None, **{f"p{p}_s": None for p in PERCENTILES}}
    return {
        "count": len(ordered),
        "mean_s": round(sum(ordered) / len(ordered), 3),
        **{f"p{p}_s": round(percentile(ordered, p), 3) for p in PERCENTILES},
    }


def clearance_times(
    ctx: ServiceContext, actor: Actor, first: date | None = None, last: date | None = None
) -> dict[str, Any]:
    """Declarations released between `first` and `last` (port dates, inclusive; the last 30 days
    by default) grouped by lane, by declaration office and by day of filing."""
    scope = broker_scope(actor)
    check_day("first", first)
    check_day("last", last)
    with ctx.uow(actor, write=False) as uow:
        last = last or uow.now.astimezone(PORT_ZONE).date()
        first = first or last - timedelta(days=29)
        if first > last:
            raise ValidationFailed.one("first", first.isoformat(), f"a day on or before {last}")
        start = datetime.combine(first, datetime.min.time(), PORT_ZONE)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), PORT_ZONE)
        rows = uow.session.execute(
            select(
                DeclarationRow.lane,
                DeclarationRow.declaration_office,
                DeclarationRow.filed_at,
                DeclarationRow.released_at,
            ).where(
                scope,
                DeclarationRow.released_at.is_not(None),
                DeclarationRow.filed_at >= start,
                DeclarationRow.filed_at < end,
            )
        ).all()
    groups: dict[str, dict[str, list[float]]] = {
        "lane": defaultdict(list),
        "office": defaultdict(list),
        "day": defaultdict(list),
    }
    everything = []
    for lane, office, filed_at, released_at in rows:
        seconds = (released_at - filed_at).total_seconds() if released_at else 0.0
        everything.append(seconds)
        groups["lane"][lane].append(seconds)
        groups["office"][office].append(seconds)
        groups["day"][filed_at.astimezone(PORT_ZONE).date().isoformat()].append(seconds)
    return {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "all": figures(everything),
        **{
            f"by_{name}": [{name: key, **figures(values)} for key, values in sorted(by.items())]
            for name, by in groups.items()
        },
    }
