"""The demo week of port calls on the play: agents file and amend, officers decide, the terminals
and AIS record the timeline, and the border watches the demo's people."""

from __future__ import annotations

from datetime import date
from functools import partial
from random import Random
from typing import Any

from kouan.adapters import watchlist_csv
from kouan.demo import content, passengers
from kouan.demo.content import Decide, Visit
from kouan.demo.filings import arrival, crew_of, departure, totals
from kouan.demo.schedule import SEED, Play
from kouan.demo.timeline import Times, later, timed
from kouan.domain.filing import ArrivalNotice, DepartureNotice
from kouan.domain.portcall import TimelineEvent
from kouan.services.platform.permissions import SYSTEM
from kouan.services.review import reviews
from kouan.services.screening.watchlist import Traveller, WatchListIndex
from kouan.services.ships import portcalls


def _terminal_of(berth: str) -> str:
    """The terminal operator's user that records a berth's instants."""
    return next(user for prefix, user in content.week().terminals if berth.startswith(prefix))


class Call:
    """One port call as the play goes on: who files, decides and records it, and its reviews."""

    def __init__(self, play: Play, visit: Visit, times: Times, rng: Random) -> None:
        ship = content.ships()[visit.ship]
        self.play, self.visit = play, visit
        self.arrival = arrival(visit, ship, times, rng)
        self.amended = {**self.arrival, "cargo": totals(self.arrival["cargo"]["items"])}
        self.departure = departure(visit, ship, times, rng)
        self.id = 0
        self.reviews: dict[tuple[str, str], int] = {}

    def _remember(self, view: dict[str, Any]) -> None:
        self.id = view["id"]
        self.reviews = {(r["phase"], r["agency"]): r["id"] for r in view["reviews"]}

    def file(self) -> None:
        notice = ArrivalNotice.model_validate(self.arrival)
        _, view = portcalls.file_arrival(self.play.ctx, self.play.actor(self.visit.agent), notice)
        self._remember(view)

    def amend(self) -> None:
        notice = ArrivalNotice.model_validate(self.amended)
        agent = self.play.actor(self.visit.agent)
        self._remember(portcalls.amend_arrival(self.play.ctx, agent, self.id, notice))

    def depart(self) -> None:
        notice = DepartureNotice.model_validate(self.departure)
        agent = self.play.actor(self.visit.agent)
        _, view = portcalls.file_departure(self.play.ctx, agent, self.id, notice)
        self._remember(view)

    def decide(self, decide: Decide) -> None:
        review_id = self.reviews[(decide.phase.value, decide.agency.value)]
        officer = self.play.actor(decide.officer)
        reviews.decide(self.play.ctx, officer, review_id, decide.decision, decide.reason)

    def record(self, event: TimelineEvent) -> None:
        # The ship's AIS brings it in; the terminal reports the rest.
        if event is TimelineEvent.ATA:
            actor, source = SYSTEM, "AIS"
        else:
            actor, source = self.play.actor(_terminal_of(self.visit.berth)), "terminal"
        portcalls.record_event(self.play.ctx, actor, self.id, event, self.play.clock(), source)


def _stage_call(play: Play, visit: Visit, index: int) -> None:
    """Schedule everything that has happened to one call by now."""
    times = timed(visit, play.now)
    call = Call(play, visit, times, Random(SEED * 1000 + index))
    play.at(times.marks["filed"], call.file)
    for decide, moment in times.decisions:
        play.at(moment, partial(call.decide, decide))
    if visit.amend_after is not None:
        play.at(later(times.marks["filed"], visit.amend_after), call.amend)
    for event in TimelineEvent:
        play.at(times.event(event), partial(call.record, event))
    play.at(times.marks["departure_filed"], call.depart)


def stage(play: Play) -> None:
    """Schedule the week of port calls."""
    for index, visit in enumerate(content.week().visits):
        _stage_call(play, visit, index)


def watch_list_rows(today: date) -> list[dict[str, str]]:
    """Border inspection's entries for the ships (in the watch-list file's columns): the lost
    passport of each lost_passport ship's crew member, and the watched who are aboard none."""
    twists = content.week().twists
    lost = [
        crew_of(content.ships()[v.ship], today)[twists.lost_passport_crew]
        for v in content.week().visits
        if "lost_passport" in v.twists
    ]
    rows = [
        _row(f"BORDER-SHIP-{n}", {**person, **person["document"]}, twists.lost_passport_reason)
        for n, person in enumerate(lost, start=1)
    ]
    return rows + [
        _row(f"BORDER-SHIP-{len(rows) + n}", entry, entry.get("reason", ""))
        for n, entry in enumerate(content.week().watched, start=1)
    ]


def clear_of_crews(rows: list[dict[str, str]], today: date) -> list[dict[str, str]]:
    """The rows but those a demo crew member matches by chance (DAS Suresh, ZHAO Tao: common
    names are common), so that border holds only the ships its twists say it holds."""
    read = watchlist_csv.read_bytes(passengers.watch_list_csv(rows).encode(), "watch-list.csv")
    index = WatchListIndex(read.entries, freeze=False)
    chance = {
        hit.entry_id
        for ship in {content.ships()[visit.ship] for visit in content.week().visits}
        # Two more than the crew: the relievers who sign on at a crew change.
        for person in crew_of(ship, today, ship.kind.crew + 2)
        for hit in index.screen(
            Traveller(
                f"{person['family_name']} {person['given_names']}",
                person["date_of_birth"],
                person["nationality"],
                person["document"]["number"],
            )
        )
    }
    return [row for row in rows if row["id"] not in chance]


def _row(entry_id: str, person: dict[str, Any], reason: str) -> dict[str, str]:
    return {
        "id": entry_id,
        "name": f"{person['family_name']} {person.get('given_names', '')}".strip(),
        "date_of_birth": str(person.get("date_of_birth", "")),
        "nationality": person.get("nationality") or person.get("issuing_state", ""),
        "document_number": person.get("number", ""),
        "reason": reason,
    }
