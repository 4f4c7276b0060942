"""The demo's passengers as people acted: border inspection imports its watch list and CIQ
declares the week's epidemic alert; each airline sends its flight's passenger and crew lists
before the flight (with the travellers' health declarations), each cruise line its ship's; the
officers decide the persons referred to them, except on the last hours' flights, whose referrals
wait in their queues."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from random import Random

from sqlalchemy import select

from kouan.adapters.db.passenger_tables import ListedPersonRow
from kouan.adapters.db.tables import Review, ReviewTarget
from kouan.demo import calls, passengers
from kouan.demo.passengers import DemoCruise, DemoFlight
from kouan.demo.schedule import Play, hours
from kouan.domain.agency import Decision, ReviewStatus
from kouan.domain.health import HealthDeclaration
from kouan.domain.person_list import Direction, ListResult
from kouan.services.passengers import baggage, cases, crossings, epidemics, lists, watchlist
from kouan.services.platform import alerts
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
CUSTOMS_OFFICER = "customs.wang"
BAGS_BEFORE = hours(0.7)  # the baggage message comes as the flight approaches
CROSSINGS_WITHIN = hours(30)  # counters record the crossings of the last day's flights
AIRPORT_CODE = "TAO"
CASE_WINDOW = hours(30)  # CIQ confirms a case among the travellers of the last day's flights
ACKNOWLEDGED_BY = (("border.liu", 0.3), ("customs.li", 0.6))  # the port office has not yet


def week_start(now: datetime) -> date:
    return now.astimezone(PORT_ZONE).date() - timedelta(days=DAYS_BEFORE)


def stage(play: Play, scale: float = 1.0) -> None:
    """Schedule the week's passengers; `scale` shrinks the lists (tests build a smaller week)."""
    start = week_start(play.now)
    flights = passengers.flight_lists(start, scale=scale)
    cruises = passengers.cruise_lists(start, scale=scale)
    opening = play.now - timedelta(days=DAYS_BEFORE + 1)
    # Before anything is filed: ships' crews are screened against it as flights' lists are.
    play.at(
        min(opening, play.begins()) - timedelta(minutes=1),
        partial(_import_watch_list, play, flights, cruises),
    )
    play.at(opening, partial(_declare_alert, play, start))
    for flight in flights:
        play.at(flight.scheduled_at - SENT_BEFORE, partial(_send_flight, play, flight))
    for cruise in cruises:
        play.at(cruise.eta - hours(24), partial(_send_cruise, play, cruise))


def _import_watch_list(play: Play, flights: list[DemoFlight], cruises: list[DemoCruise]) -> None:
    today = play.now.date()
    rows = calls.clear_of_crews(passengers.watch_list(flights, cruises).rows, today)
    rows += calls.watch_list_rows(today)
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
    list_id = int(answer["list_id"])
    _decide_later(play, list_id)
    if flight.direction is Direction.ARRIVING:
        flight_id = int(answer["lists"][0]["flight_id"])
        landed = flight.scheduled_at
        play.at(landed - BAGS_BEFORE, partial(_send_bags, play, flight, flight_id))
        if landed > play.now - CROSSINGS_WITHIN:
            play.at(landed + hours(0.25), partial(_cross, play, list_id, landed))
        feverish = [i for i, d in flight.health.items() if d.temperature and d.temperature >= 38]
        if feverish and play.now - CASE_WINDOW < landed < play.now - hours(2):
            play.at(landed + hours(1), partial(_confirm_case, play, list_id, feverish[0] + 1))


def _send_bags(play: Play, flight: DemoFlight, flight_id: int) -> None:
    """The airline's baggage message; customs checks the selected bags once the flight is in."""
    sender = play.actor(AIRLINE_USERS[flight.airline])
    bags = [{"tag": bag.tag, "owner": bag.owner + 1} for bag in flight.bags]
    answer = baggage.receive_bags(play.ctx, sender, flight_id, bags)
    selected = [bag["id"] for bag in answer["bags"] if bag["status"] == "selected"]
    play.at(flight.scheduled_at + hours(0.5), partial(_check_bags, play, selected))


def _check_bags(play: Play, bag_ids: list[int]) -> None:
    officer = play.actor(CUSTOMS_OFFICER)
    for n, bag_id in enumerate(bag_ids):
        baggage.call_owner(play.ctx, officer, bag_id)
        held = n % 12 == 11  # now and then the X-ray finds what must be declared
        note = "undeclared goods over the allowance: to be declared" if held else ""
        baggage.decide_bag(play.ctx, officer, bag_id, cleared=not held, note=note)


def _cross(play: Play, list_id: int, landed: datetime) -> None:
    """Each passenger at a counter or an e-gate, each crossing at its own instant: queued on
    reaching the hall, crossed after their turn; a referred person is held at the counter."""
    rng = Random(list_id)
    with play.ctx.sessions() as session:
        persons = session.scalars(
            select(ListedPersonRow.id).where(
                ListedPersonRow.list_id == list_id, ListedPersonRow.role == "passenger"
            )
        ).all()
    for n, person_id in enumerate(persons):
        queued = landed + timedelta(minutes=16 + n * 0.2 + rng.uniform(0, 6))
        crossed = queued + timedelta(minutes=rng.uniform(0.5, 9))
        counter = f"E-GATE-{1 + n % 8:02d}" if n % 3 else f"COUNTER-{1 + n % 12:02d}"
        play.at(crossed, partial(_crossing, play, person_id, counter, queued))


def _crossing(play: Play, person_id: int, counter: str, queued: datetime) -> None:
    crossings.record_crossing(
        play.ctx, play.actor(BORDER_OFFICER), AIRPORT_CODE, counter, "arriving",
        person_id=person_id, queued_at=queued,
    )  # fmt: skip


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


def _confirm_case(play: Play, list_id: int, seq: int) -> None:
    """CIQ confirms a case: the joint alert goes out with its contact list; border inspection
    and customs acknowledge it, the port office's acknowledgement is still awaited."""
    with play.ctx.sessions() as session:
        person_id = session.scalars(
            select(ListedPersonRow.id).where(
                ListedPersonRow.list_id == list_id, ListedPersonRow.seq == seq
            )
        ).one()

    alert = cases.confirm_case(
        play.ctx,
        play.actor(CIQ_OFFICER),
        person_id,
        "influenza A(H1N1) confirmed by the port clinic",
    )
    for username, after in ACKNOWLEDGED_BY:
        play.at(play.clock.now + hours(after), partial(_acknowledge, play, username, alert["id"]))


def _acknowledge(play: Play, username: str, alert_id: int) -> None:
    alerts.acknowledge(play.ctx, play.actor(username), alert_id)
