"""Domain events and their handlers, run in the same unit of work as the change that raised them.

A review engine serves ships today and declarations and passengers later: it announces a decided
review, and whoever owns the subject (the port call, the declaration) settles its consequences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kouan.services.platform.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ReviewDecided:
    review_id: int
    subject_type: str
    subject_id: int
    phase: str


Handler = Callable[[UnitOfWork, Any], None]
_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type, handler: Handler) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(uow: UnitOfWork, event: object) -> None:
    for handler in _handlers[type(event)]:
        handler(uow, event)
