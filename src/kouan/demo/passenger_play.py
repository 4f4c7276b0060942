"""The demo's passengers as people acted: border inspection imports its watch list and CIQ
declares the week's epidemic alert; each airline sends its flight's passenger and crew lists
before the flight (with the travellers' health declarations), each cruise line its ship's; the
officers decide the persons referred to them, except on the last hours' flights, whose referrals
wait in their queues."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy import select

from kouan.adapters.db.tables import Review, ReviewTarget
from kouan.demo import passengers
from kouan.demo.passengers import DemoCruise, DemoFlight
from kouan.demo.schedule import Play, hours
from kouan.domain.agency import Decision, ReviewStatus
from kouan.domain.health import HealthDeclaration
from kouan.domain.person_list import Direction, ListResult
from kouan.services.passengers import epidemics, lists, watchlist
from kouan.services.review import reviews
from kouan.site import PORT_ZONE

# Who sends each carrier's lists (the demo's users, kouan/demo/data/users.csv).
AIRLINE_USERS = {
    "KE": "koreanair", "OZ": "asiana", "7C": "jejuair", "SC": "sdair", "JL": "jal", "NH": "ana",
    "MU": "ceair", "TG": "thaiairways", "FD": "thaiairasia", "CI": "chinaairlines",
    "BR": "evaair", "CX": "cathay", "HX": "hkairlines",
}  # fmt: skip
CRUISE_USERS = {"Costa Crociere Asia": "costa", "Yellow Sea Cruises": "yellowsea"}
BORDER_OFFICER = "border.liu"
CIQ_OFFICER = "ciq.zhang"
DAYS_BEFORE = 5  # the week begins this many days before today: the rest is still to come
SENT_BEFORE = hours(2.5)  # an airline sends its lists when the flight leaves its origin
DECIDED_AFTER = hours(1.5)  # officers decide referrals this long after the list came
WAITING = hours(8)  # but the referrals of the lists of the last hours wait in their queues
CONFIRMED_REFUSALS = frozenset({"BORDER-LIST-WATCH"})  # the rest are cleared after a check


def week_start(now: datetime) -> date:
    return now.astimezone(PORT_ZONE).date() - timedelta(days=DAYS_BEFORE)


def stage(play: Play, scale: float = 1.0) -> None:
    """Schedule the week's passengers; `scale` shrinks the lists (tests build a smaller week)."""
    start = week_start(play.now)
    flights = passengers.flight_lists(start, scale=scale)
    cruises = passengers.cruise_lists(start, scale=scale)
    opening = play.now - timedelta(days=DAYS_BEFORE + 1)
    play.at(opening, partial(_import_watch_list, play, flights, cruises))
    play.at(opening, partial(_declare_alert, play, start))
    for flight in flights:
        play.at(flight.scheduled_at - SENT_BEFORE, partial(_send_flight, play, flight))
    for cruise in cruises:
        play.at(cruise.eta - hours(24), partial(_send_cruise, play, cruise))


def _import_watch_list(
    play: Play, flights: list[DemoFlight], cruises: list[DemoCruise]
) -> None:
    rows = passengers.watch_list(flights, cruises).rows
    data = passengers.watch_list_csv(rows).encode()
    watchlist.import_file(play.ctx, play.actor(BORDER_OFFICER), data, "watch-list.csv")


def _declare_alert(play: Play, start: date) -> None:
    alert = passengers.epidemic_alert(start)
    epidemics.declare(play.ctx, play.actor(CIQ_OFFICER), alert, level=alert.level)


def _health(declared: dict[int, HealthDeclaration]) -> dict[int, HealthDeclaration]:
    """By place in the list (from 1), as lists number their persons."""
    return {index + 1: declaration for index, declaration in declared.items()}


def _send_flight(play: Play, flight: DemoFlight) -> None:
    sender = play.actor(AIRLINE_USERS[flight.airline])
    health = _health(flight.health) if flight.direction is Direction.ARRIVING else {}
    answer = lists.receive(
        play.ctx, sender, ListResult(lists=[flight.passengers]), b"", health=health
    )
    lists.receive(play.ctx, sender, ListResult(lists=[flight.crew]), b"")
    _decide_later(play, int(answer["list_id"]))


def _send_cruise(play: Play, cruise: DemoCruise) -> None:
    sender = play.actor(CRUISE_USERS[cruise.cruise_line])
    answer = lists.receive(
        play.ctx, sender, ListResult(lists=[cruise.passengers]), b"", health=_health(cruise.health)
    )
    lists.receive(play.ctx, sender, ListResult(lists=[cruise.crew]), b"")
    _decide_later(play, int(answer["list_id"]))


def _decide_later(play: Play, list_id: int) -> None:
    if play.clock.now < play.now - WAITING:
        play.at(play.clock.now + DECIDED_AFTER, partial(_decide_referrals, play, list_id))


def _decide_referrals(play: Play, list_id: int) -> None:
    """Each agency's officer decides the persons referred on the list: the watch-list matches
    confirmed are refused, the others cleared after a check."""
    for agency_user in (BORDER_OFFICER, CIQ_OFFICER):
        officer = play.actor(agency_user)
        for review_id, target_id, rules_hit in _open_targets(play, list_id, officer.org_type.value):
            refuse = bool(CONFIRMED_REFUSALS & set(rules_hit))
            decision = Decision.REJECT if refuse else Decision.APPROVE
            note = "confirmed against the watch-list entry" if refuse else ""
            reviews.decide_target(play.ctx, officer, review_id, target_id, decision, note)


def _open_targets(play: Play, list_id: int, agency: str) -> list[tuple[int, int, list[str]]]:
    with play.ctx.sessions() as session:
        rows = session.execute(
            select(Review.id, ReviewTarget.id, ReviewTarget.rules_hit)
            .join(ReviewTarget, ReviewTarget.review_id == Review.id)
            .where(
                Review.subject_type == lists.SUBJECT,
                Review.subject_id == list_id,
                Review.agency == agency,
                ReviewTarget.status == ReviewStatus.PENDING.value,
            )
            .order_by(ReviewTarget.id)
        ).all()
    return [(review_id, target_id, list(rules)) for review_id, target_id, rules in rows]
