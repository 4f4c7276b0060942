"""The demo's play: what people did, as steps at their instants, run in time order on the demo's
own clock so that every service call and audit entry carries the instant it happened."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kouan.services.platform import users
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext

if TYPE_CHECKING:
    from rich.progress import Progress

# Every random choice of the demo is seeded from it: the same clock gives the same port.
SEED = 2009


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


class Clock:
    """The demo's own clock: each step runs at the instant it happened."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(order=True)
class Step:
    """Something someone does at an instant; steps at the same instant keep their order."""

    at: datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


class Ticker:
    """Moves the progress bar; the play tells what is still pending, as its steps add steps."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.done = 0
        if progress is not None:
            self.task = progress.add_task("Building the demo port of Qingdao", total=total)

    def __call__(self, pending: int | None = None) -> None:
        self.done += 1
        if self.progress is not None:
            total = None if pending is None else self.done + pending
            self.progress.update(self.task, completed=self.done, total=total)


class Play:
    """The demo's past: steps at their instants, run in order on the demo's clock. A step may
    schedule later ones (an officer's decision once a declaration's lane is known)."""

    def __init__(self, ctx: ServiceContext, now: datetime) -> None:
        self.now = now  # the end of the play: nothing later happens
        self.clock = Clock(now)
        self.ctx = ServiceContext(ctx.engine, ctx.settings, ctx.wiring, self.clock)
        self.steps: list[Step] = []  # a heap, earliest first
        self.actors: dict[str, Actor] = {}
        self._seq = itertools.count()
        self._running = False

    def at(self, moment: datetime | None, run: Callable[[], None]) -> None:
        """Schedule `run` at `moment` if it has happened by now."""
        if moment is not None and moment <= self.now:
            assert not self._running or moment >= self.clock.now, "a step in the past"
            # In UTC, as the real clock gives: the audit log hashes the instant as it is stored.
            moment = moment.astimezone(UTC)
            heapq.heappush(self.steps, Step(moment, next(self._seq), run))

    def actor(self, username: str) -> Actor:
        if username not in self.actors:
            self.actors[username] = users.actor_for(self.ctx, users.find_user(self.ctx, username))
        return self.actors[username]

    def begins(self) -> datetime:
        return min(step.at for step in self.steps)

    def run(self, tick: Ticker) -> None:
        self._running = True
        while self.steps:
            step = heapq.heappop(self.steps)
            self.clock.now = step.at
            step.run()
            tick(pending=len(self.steps))
        self._running = False
