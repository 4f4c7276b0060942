"""The wiring a service context carries: the kinds of subject the review engine knows and the
handlers of domain events, both registered once by kouan.bootstrap. Handlers run in the same unit
of work as the change that raised the event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kouan.services.platform.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ReviewDecided:
    """A review changed to a decided or ordered state (by rules, an officer or an inspection)."""

    review_id: int
    subject_type: str
    subject_id: int
    phase: str


@dataclass(frozen=True)
class TargetDecided:
    """One target of a review (a person of a list) was decided or sent to inspection."""

    review_id: int
    target_id: int


@dataclass(frozen=True)
class OrderedInspection:
    """A review whose rules ordered an inspection as it opened."""

    review_id: int
    subject_type: str
    subject_id: int
    agency: str


@dataclass(frozen=True)
class ReviewsOpened:
    """Reviews were opened (one subject's or a batch's), some decided by the rules."""

    review_ids: tuple[int, ...]
    inspections_ordered: tuple[OrderedInspection, ...] = ()


Handler = Callable[["UnitOfWork", Any], None]


@dataclass
class Wiring:
    """Subject kinds by name and event handlers by event type, in the order registered."""

    subjects: dict[str, Any] = field(default_factory=dict)
    handlers: dict[type, list[Handler]] = field(default_factory=lambda: defaultdict(list))

    def register(self, name: str, kind: Any) -> None:
        if name in self.subjects:
            raise ValueError(f"subject kind {name!r} is registered already")
        self.subjects[name] = kind

    def subscribe(self, event_type: type, handler: Handler) -> None:
        self.handlers[event_type].append(handler)

    def publish(self, uow: UnitOfWork, event: object) -> None:
        for handler in self.handlers.get(type(event), ()):
            handler(uow, event)
