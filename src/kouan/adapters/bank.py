"""Banks that collect duties: what a bank adapter does, and the simulated bank of the demo and
the tests.

A real bank's system notifies Kouan of each payment (`POST /api/v1/payments`, once per bank
reference; Kouan answers a repeated notification as it did the first). An adapter for a bank
Kouan calls out to would implement `Bank`: ask for the payment of a declaration's duties, and
hand each payment it hears of to `notify`.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class Payment:
    """A payment as a bank notifies it."""

    bank: str
    bank_reference: str
    declaration_id: int
    amount: Decimal  # CNY
    paid_at: datetime


Notify = Callable[[Payment], object]


class Bank(Protocol):
    name: str

    def request(self, declaration_id: int, amount: Decimal, at: datetime) -> None:
        """The trader's bank is asked to pay a declaration's duties."""

    def due(self, now: datetime, notify: Notify) -> int:
        """Notify every payment made by `now`; how many were notified."""


@dataclass(order=True)
class _Scheduled:
    pays_at: datetime
    order: int
    declaration_id: int = field(compare=False)
    amount: Decimal = field(compare=False)


class SimulatedBank:
    """Pays every request `delay` after it is made, each under a reference of its own."""

    def __init__(self, name: str = "SIMBANK", delay: timedelta = timedelta(minutes=5)) -> None:
        self.name = name
        self.delay = delay
        self._queue: list[_Scheduled] = []
        self._count = itertools.count(1)

    def request(self, declaration_id: int, amount: Decimal, at: datetime) -> None:
        heapq.heappush(
            self._queue, _Scheduled(at + self.delay, next(self._count), declaration_id, amount)
        )

    def due(self, now: datetime, notify: Notify) -> int:
        done = 0
        while self._queue and self._queue[0].pays_at <= now:
            s = heapq.heappop(self._queue)
            reference = f"{self.name}-{s.pays_at:%Y%m%d}-{s.order:08d}"
            notify(Payment(self.name, reference, s.declaration_id, s.amount, s.pays_at))
            done += 1
        return done
