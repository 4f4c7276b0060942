"""Ships' crews and passengers (FAL 5 and 6) are screened against border inspection's watch list,
the same versioned store and matcher as flights' and cruises' lists."""

from __future__ import annotations

from typing import Any

from kouan.services.passengers import watchlist
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from tests.conftest import Clock, People
from tests.factories import arrival_notice, departure_notice

# WANG Jianguo (crew, CN, 1972-03-14) in his own script; SANTOS (crew, PH) by passport number.
WATCH_LIST = (
    "id,name,aliases,date_of_birth,nationality,document_number,reason\n"
    "W-1,王建国,,1972-03-14,CN,,wanted\n"
    "W-2,SANTOS Marcos,,,PH,P4521873A,passport reported lost\n"
    "W-3,PETRENKO Oleh,,1975-04-02,UA,,wanted\n"
).encode()


def _border(call: dict[str, Any], phase: str = "entry") -> dict[str, Any]:
    return next(r for r in call["reviews"] if r["agency"] == "BORDER" and r["phase"] == phase)


def test_a_crew_member_on_the_watch_list_holds_the_ship(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _, before = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    assert _border(before)["status"] == "approved"
    watchlist.import_file(ctx, people["border"], WATCH_LIST, "watch.csv")
    _, after = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    review = _border(after)
    assert review["status"] == "hold"
    assert review["rules_hit"] == ["BORDER-WATCH-LIST"]
    # Each person found is named with the entry and why: the name read from its script, the
    # passport number.
    assert "WANG Jianguo" in review["reason"] and "W-1" in review["reason"]
    assert "SANTOS Mark Anthony" in review["reason"] and "W-2" in review["reason"]
    assert "PETRENKO" not in review["reason"]
    assert after["status"] != "cleared" and after["entry_permit"] is None


def test_the_departure_crew_is_screened_against_the_version_active_then(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _, call = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    assert call["entry_permit"] is not None  # cleared before anyone was watched
    watchlist.import_file(ctx, people["border"], WATCH_LIST, "watch.csv")
    _, left = portcalls.file_departure(
        ctx, people["agent"], call["id"], departure_notice(clock.now)
    )
    review = _border(left, "departure")
    assert review["status"] == "hold" and "W-1" in review["reason"]
    assert _border(left)["status"] == "approved"  # the entry decision stands
