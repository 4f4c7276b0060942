"""The demo's statistics history imported into a test database, for the bulletin's and the
statistics pages' tests."""

from __future__ import annotations

from kouan.demo.history import HistoryRow, history_csv, history_rows
from kouan.domain.stats.periods import Month
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.stats import imports

LAST = Month(2026, 10)


def import_history(ctx: ServiceContext, last: Month = LAST) -> list[HistoryRow]:
    """Import 24 months of the history ending with `last`; the rows imported."""
    rows = history_rows(last)
    imports.import_file(ctx, SYSTEM, history_csv(rows).encode("utf-8"), "history.csv")
    return rows
