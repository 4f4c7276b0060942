"""The wiring, in one place: which kinds of subject the review engine knows and which handlers
follow which domain events. Every entry point (web app, command line, benchmarks, tests) makes its
service context here; importing any other module registers nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from kouan.config import Settings
from kouan.domain import health, names, transit
from kouan.rules import person_list
from kouan.services.cargo import release
from kouan.services.passengers import baggage, lists
from kouan.services.platform import outbox
from kouan.services.platform.messagebus import (
    ReviewDecided,
    ReviewsOpened,
    TargetDecided,
    Wiring,
)
from kouan.services.platform.unit_of_work import ServiceContext, utcnow
from kouan.services.review import inspections, reviews
from kouan.services.review.subjects import SubjectKind
from kouan.services.ships import portcalls

# The messages of the later rooms join the reasons' catalogue here, at import: every entry point
# (and the catalogue's own test) imports this module before it renders one.
health.register_templates()
transit.register_templates()
names.register_templates()
person_list.register_templates()
baggage.register_templates()

SUBJECT_KINDS: tuple[SubjectKind, ...] = (portcalls.KIND, release.KIND, lists.KIND)


def wiring(extra_kinds: tuple[SubjectKind, ...] = ()) -> Wiring:
    """The subject kinds and the event handlers, in the order they run."""
    wired = Wiring()
    for kind in (*SUBJECT_KINDS, *extra_kinds):
        wired.register(kind.name, kind)
    wired.subscribe(ReviewsOpened, inspections.on_reviews_opened)
    # A decision first books or frees its inspection, then the subject settles.
    wired.subscribe(ReviewDecided, inspections.on_review_decided)
    # Announced before the subject settles, so a permit or a release follows the decision.
    wired.subscribe(ReviewDecided, outbox.on_review_decided)
    wired.subscribe(ReviewDecided, reviews.settle_subject)
    wired.subscribe(TargetDecided, inspections.on_target_decided)
    # A referred person's own status follows each decision on them.
    wired.subscribe(TargetDecided, lists.on_target_decided)
    return wired


def service_context(
    engine: Engine,
    settings: Settings,
    clock: Callable[[], datetime] = utcnow,
    extra_kinds: tuple[SubjectKind, ...] = (),
) -> ServiceContext:
    """A service context wired as Kouan runs (tests may add kinds of their own)."""
    return ServiceContext(engine, settings, wiring(extra_kinds), clock)
