"""The Time Release Study (services/stats/trs.py) over declarations and port calls made through
the services with the test clock, its figures checked by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from kouan.domain.agency import Decision
from kouan.domain.errors import Forbidden, ValidationFailed
from kouan.domain.portcall import TimelineEvent
from kouan.services.cargo import queries, release
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import inspections, reviews
from kouan.services.ships import portcalls
from kouan.services.stats import trs
from tests.conftest import Clock, People, file_declaration
from tests.factories import arrival_notice, declaration_item, departure_notice, trader

# The clock starts on 2026-11-27 at 08:00 in Qingdao.
DAY = date(2026, 11, 27)


def _review_id(view: dict[str, Any], agency: str) -> int:
    return next(r["id"] for r in view["reviews"] if r["agency"] == agency)


def _intervals(summary: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(i["from"], i["to"]): i for i in summary["intervals"]}


def _figures(count: int, mean: float, median: float, p90: float) -> dict[str, Any]:
    return {"count": count, "mean_minutes": mean, "median_minutes": median, "p90_minutes": p90}


def _event(ctx: ServiceContext, people: People, call: dict[str, Any], event: str, now: Any) -> None:
    portcalls.record_event(ctx, people["terminal"], call["id"], TimelineEvent(event), now)


# --- declarations -------------------------------------------------------------------------------


def _file_declarations(ctx: ServiceContext, people: People, clock: Clock) -> None:
    """Five declarations filed at F (two hours after the clock starts) and decided, with the ship
    of the import arriving at F - 60 minutes:

    green      filed F, released F (rules)
    import     arrived F-60, filed F, released F (rules)
    document   filed F, reviewed and released F+30 (officer), gated out F+80; office CNTAO
    inspection filed F (rules order it), inspected and released F+180, gated out F+210
    beef       CIQ decides at F+20, customs at F+40, released F+40
    """
    _, ship = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    clock.advance(minutes=60)
    _event(ctx, people, ship, "ATA", clock.now)
    clock.advance(minutes=60)
    green = file_declaration(ctx, people, reference="G-1")
    sea = {"mode": "sea", "vessel": "EVER DIADEM", "imo": "9134270", "voyage": "0521-012w"}
    imported = file_declaration(
        ctx, people, reference="I-1", direction="import", transport={**sea, "bill_of_lading": "B1"}
    )
    document = file_declaration(ctx, people, declaration_office="CNTAO", **trader("C"))
    inspection = file_declaration(ctx, people, **trader("D"))
    meat = declaration_item(hs_code="020130", description="beef", unit="KGM", value="90000")
    beef = file_declaration(ctx, people, **trader("AA"), items=[meat])
    lanes = [green["lane"], imported["lane"], document["lane"], inspection["lane"], beef["lane"]]
    assert lanes == ["green", "green", "document", "inspection", "document"]
    clock.advance(minutes=20)
    reviews.decide(ctx, people["ciq"], _review_id(beef, "CIQ"), Decision.APPROVE, "")
    clock.advance(minutes=10)
    reviews.decide(ctx, people["customs"], _review_id(document, "CUSTOMS"), Decision.APPROVE, "")
    clock.advance(minutes=10)
    reviews.decide(ctx, people["customs"], _review_id(beef, "CUSTOMS"), Decision.APPROVE, "")
    clock.advance(minutes=40)
    release.gate_out(ctx, people["terminal"], document["id"])
    clock.advance(minutes=100)
    [booked] = queries.get_declaration(ctx, people["customs"], inspection["id"])["inspections"]
    inspections.record_result(ctx, people["customs"], booked["id"], True, "as declared")
    clock.advance(minutes=30)
    release.gate_out(ctx, people["terminal"], inspection["id"])


def test_declarations_study_measures_each_interval(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    _file_declarations(registered, people, clock)
    study = trs.declarations(registered, people["port_office"], DAY, DAY)
    whole = study["all"]
    assert (whole["records"], whole["out_of_order"]) == (5, 0)
    found = _intervals(whole)
    assert list(found) == [
        ("arrived", "filed"),
        ("filed", "lane_decided"),
        ("lane_decided", "reviewed"),
        ("reviewed", "inspected"),
        ("reviewed", "released"),
        ("inspected", "released"),
        ("released", "gated_out"),
    ]
    # All the time: 60 + 0 + 70 + 180 + 0 + 0 + 80 = 390 minutes.
    assert found["arrived", "filed"] == {
        "from": "arrived",
        "to": "filed",
        **_figures(1, 60.0, 60.0, 60.0),
        "total_minutes": 60.0,
        "share_pct": 15.4,
        "bands": [0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    }
    # Officers took 0, 0, 30, 0 and 40 minutes: rank 5 of 5 is the p90.
    assert {k: found["lane_decided", "reviewed"][k] for k in ("count", "share_pct", "bands")} == {
        "count": 5,
        "share_pct": 17.9,
        "bands": [3, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    }
    assert found["lane_decided", "reviewed"]["mean_minutes"] == 14.0
    assert found["lane_decided", "reviewed"]["median_minutes"] == 0.0
    assert found["lane_decided", "reviewed"]["p90_minutes"] == 40.0
    assert found["reviewed", "inspected"]["mean_minutes"] == 180.0
    assert found["reviewed", "released"]["count"] == 4
    assert found["released", "gated_out"]["median_minutes"] == 40.0
    assert found["released", "gated_out"]["share_pct"] == 20.5
    assert whole["longest"] == {"from": "reviewed", "to": "inspected", "share_pct": 46.2}
    assert whole["totals"] == {
        "filed_to_released": _figures(5, 50.0, 30.0, 180.0),
        "arrived_to_released": _figures(1, 60.0, 60.0, 60.0),
    }
    assert whole["released_before_arrival"] == {"count": 0, "of": 1, "share_pct": 0.0}


def test_declarations_by_lane_office_agency_and_month(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    _file_declarations(registered, people, clock)
    study = trs.declarations(registered, people["customs"], DAY, DAY)
    by_lane = {g["lane"]: g for g in study["by_lane"]}
    assert {lane: g["records"] for lane, g in by_lane.items()} == {
        "document": 2,
        "green": 2,
        "inspection": 1,
    }
    # The document lane: 30 and 40 minutes to review, then released at once.
    assert by_lane["document"]["totals"]["filed_to_released"] == _figures(2, 35.0, 35.0, 40.0)
    assert by_lane["inspection"]["longest"] == {
        "from": "reviewed",
        "to": "inspected",
        "share_pct": 85.7,  # 180 of 210 minutes
    }
    assert [(g["office"], g["records"]) for g in study["by_office"]] == [("CNJNA", 4), ("CNTAO", 1)]
    assert [(g["month"], g["records"]) for g in study["by_month"]] == [("2026-11", 5)]
    by_agency = {g["agency"]: g for g in study["by_agency"]}
    assert by_agency["CUSTOMS"]["records"] == 5
    # CIQ reviewed the beef at F+20; customs at F+40 released it: CIQ's own view of it.
    ciq = by_agency["CIQ"]
    assert ciq["records"] == 1
    assert [(i["from"], i["to"], i["mean_minutes"]) for i in ciq["intervals"]] == [
        ("filed", "lane_decided", 0.0),
        ("lane_decided", "reviewed", 20.0),
        ("reviewed", "released", 20.0),
    ]
    # Of two equal intervals the first in stage order holds the most time.
    assert ciq["longest"] == {"from": "lane_decided", "to": "reviewed", "share_pct": 50.0}
    only_ciq = trs.declarations(registered, people["ciq"], DAY, DAY, agency="CIQ")
    assert only_ciq["all"]["intervals"] == ciq["intervals"]
    assert only_ciq["filters"] == {"lane": None, "office": None, "agency": "CIQ"}
    tao = trs.declarations(registered, people["msa"], DAY, DAY, office="cn tao")
    assert tao["all"]["records"] == 1 and tao["filters"]["office"] == "CNTAO"
    assert tao["all"]["totals"]["filed_to_released"] == _figures(1, 30.0, 30.0, 30.0)
    green = trs.declarations(registered, people["border"], DAY, DAY, lane="green")
    assert green["all"]["records"] == 2 and green["all"]["longest"]["from"] == "arrived"


def test_the_period_is_by_filing_date_at_the_port(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    clock.advance(days=3, hours=15, minutes=59)  # 2026-11-30 23:59 in Qingdao
    file_declaration(registered, people, reference="N-1")
    clock.advance(minutes=2)  # 2026-12-01 00:01
    file_declaration(registered, people, reference="D-1")
    clock.advance(days=1)
    file_declaration(registered, people, reference="D-2")
    both = trs.declarations(
        registered, people["port_office"], date(2026, 11, 30), date(2026, 12, 1)
    )
    assert [(g["month"], g["records"]) for g in both["by_month"]] == [
        ("2026-11", 1),
        ("2026-12", 1),
    ]
    november = trs.declarations(
        registered, people["port_office"], date(2026, 11, 30), date(2026, 11, 30)
    )
    assert november["all"]["records"] == 1
    assert november["all"]["longest"] is None  # released as filed: no time passed


def test_only_the_port_office_and_the_agencies_read_the_study(
    registered: ServiceContext, people: People
) -> None:
    for who in ("broker", "agent", "terminal", "airline"):
        with pytest.raises(Forbidden):
            trs.declarations(registered, people[who], DAY, DAY)
        with pytest.raises(Forbidden):
            trs.port_calls(registered, people[who], DAY, DAY)
    for who in ("port_office", "customs", "ciq", "border", "msa"):
        assert trs.port_calls(registered, people[who], DAY, DAY)["all"]["records"] == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first": DAY + timedelta(days=1)}, "first"),
        ({"last": DAY + timedelta(days=366)}, "last"),
        ({"first": date(1999, 12, 31)}, "first"),
        ({"lane": "amber"}, "lane"),
        ({"office": "XXXXX"}, "office"),
        ({"agency": "MSA"}, "agency"),
    ],
)
def test_what_cannot_be_studied_is_refused_naming_the_field(
    ctx: ServiceContext, people: People, changes: dict[str, Any], field: str
) -> None:
    asked: dict[str, Any] = {"first": DAY, "last": DAY, **changes}
    with pytest.raises(ValidationFailed) as refused:
        trs.declarations(ctx, people["port_office"], **asked)
    assert refused.value.fields[0].field == field


# --- port calls ---------------------------------------------------------------------------------


def _file_calls(ctx: ServiceContext, people: People, clock: Clock) -> None:
    """Two calls filed at T (minutes after the clock starts):

    cleared  permit T (rules), ATA 60, all fast 90, ops 150-390, departure permit 390, ATD 420
    waiting  ATA 60, all fast 90, permit 135 (customs decides), ops start 150
    """
    _, cleared = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    _, waiting = portcalls.file_arrival(
        ctx,
        people["agent"],
        arrival_notice(clock.now, voyage="0522-013W", cargo={"total_packages": 1}),
    )
    assert (cleared["status"], waiting["status"]) == ("cleared", "filed")
    for minutes, event in ((60, "ATA"), (30, "ALL_FAST")):
        clock.advance(minutes=minutes)
        _event(ctx, people, cleared, event, clock.now)
        _event(ctx, people, waiting, event, clock.now)
    clock.advance(minutes=45)
    reviews.decide(ctx, people["customs"], _review_id(waiting, "CUSTOMS"), Decision.APPROVE, "")
    clock.advance(minutes=15)
    _event(ctx, people, cleared, "OPS_START", clock.now)
    _event(ctx, people, waiting, "OPS_START", clock.now)
    portcalls.file_departure(ctx, people["agent"], cleared["id"], departure_notice(clock.now))
    clock.advance(minutes=240)
    _event(ctx, people, cleared, "OPS_COMPLETE", clock.now)
    clock.advance(minutes=30)
    _event(ctx, people, cleared, "ATD", clock.now)
    clock.advance(days=1)  # filed the next day: outside the study of DAY
    portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now, voyage="0523-014W"))


def test_port_calls_study_places_each_permit_where_it_fell(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _file_calls(ctx, people, clock)
    study = trs.port_calls(ctx, people["port_office"], DAY, DAY)
    whole = study["all"]
    assert (whole["records"], whole["out_of_order"]) == (2, 0)
    # All the time: 0 + 60 + 60 + 15 + 60 + 45 + 60 + 240 + 0 + 30 = 570 minutes.
    keys = ("from", "to", "count", "mean_minutes", "share_pct")
    assert [tuple(i[k] for k in keys) for i in whole["intervals"]] == [
        ("filed", "entry_permit", 1, 0.0, 0.0),
        ("filed", "ata", 1, 60.0, 10.5),
        ("entry_permit", "ata", 1, 60.0, 10.5),
        ("entry_permit", "ops_start", 1, 15.0, 2.6),
        ("ata", "all_fast", 2, 30.0, 10.5),
        ("all_fast", "entry_permit", 1, 45.0, 7.9),
        ("all_fast", "ops_start", 1, 60.0, 10.5),
        ("ops_start", "ops_complete", 1, 240.0, 42.1),
        ("ops_complete", "departure_permit", 1, 0.0, 0.0),
        ("departure_permit", "atd", 1, 30.0, 5.3),
    ]  # fmt: skip
    assert whole["longest"] == {"from": "ops_start", "to": "ops_complete", "share_pct": 42.1}
    assert whole["cleared_before_arrival"] == {"count": 1, "of": 2, "share_pct": 50.0}
    assert whole["totals"] == {
        "filed_to_entry_permit": _figures(2, 67.5, 67.5, 135.0),
        "ata_to_atd": _figures(1, 360.0, 360.0, 360.0),
        "ops_complete_to_departure_permit": _figures(1, 0.0, 0.0, 0.0),
    }
    assert study["zero_wait"] == {
        "count": 1,
        "of": 1,
        "share_pct": 100.0,
        "wait_minutes": _figures(1, 0.0, 0.0, 0.0),
    }
    assert [(g["month"], g["records"]) for g in study["by_month"]] == [("2026-11", 2)]
    assert [s["stage"] for s in study["stages"]][:3] == ["filed", "entry_permit", "ata"]


# --- the export ---------------------------------------------------------------------------------


def test_the_export_holds_the_guides_tables_with_bilingual_headers(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    _file_declarations(registered, people, clock)
    study = trs.declarations(registered, people["port_office"], DAY, DAY)
    book = load_workbook(io.BytesIO(trs.export_xlsx(study)))
    assert book.sheetnames == [
        "平均时间 Average",
        "时间分布 Distribution",
        "按通道合计 Totals by lane",
    ]
    average = [list(r) for r in book["平均时间 Average"].iter_rows(values_only=True)]
    assert average[0][0].startswith("通关时间研究 Time Release Study: 报关单 declarations")
    assert average[1][:3] == ["起始环节", "结束环节", "票数"]
    assert average[2][:3] == ["from stage", "to stage", "count"]
    longest = next(
        r for r in average[3:] if r[0] == "单证审核 documents reviewed" and r[1] == "查验 inspected"
    )
    assert longest == ["单证审核 documents reviewed", "查验 inspected", 1, 180, 180, 180, 46.2, "★"]
    bands = [list(r) for r in book["时间分布 Distribution"].iter_rows(values_only=True)]
    assert bands[1][2:5] == ["0-15分钟", "15-30分钟", "30-60分钟"]
    assert bands[2][-1] == ">4320 min"
    review = next(r for r in bands[3:] if r[1] == "单证审核 documents reviewed")
    assert review[2:] == [3, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    totals = [list(r) for r in book["按通道合计 Totals by lane"].iter_rows(values_only=True)]
    assert totals[1][0] == "通道" and totals[2][0] == "lane"
    assert totals[3] == ["全部 all", "申报至放行 filed to released", 5, 50, 30, 180]
    assert ["inspection", "申报至放行 filed to released", 1, 180, 180, 180] in totals

    rows = list(csv.reader(io.StringIO(trs.export_csv(study))))
    titles = [n for n, row in enumerate(rows) if row and row[0].startswith("通关时间研究")]
    assert len(titles) == 3 and rows[titles[1] - 1] == []
    assert rows[titles[0] + 2][:2] == ["from stage", "to stage"]
    assert [
        "单证审核 documents reviewed",
        "查验 inspected",
        "1",
        "180.0",
        "180.0",
        "180.0",
        "46.2",
        "★",
    ] in rows


def test_the_port_calls_export_totals_by_month(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _file_calls(ctx, people, clock)
    study = trs.port_calls(ctx, people["port_office"], DAY, DAY)
    book = load_workbook(io.BytesIO(trs.export_xlsx(study)))
    totals = [list(r) for r in book["按月份合计 Totals by month"].iter_rows(values_only=True)]
    assert totals[0][0].startswith("通关时间研究 Time Release Study: 船舶 port calls 2026-11-27")
    assert ["2026-11", "在港时间 ATA to ATD", 1, 360, 360, 360] in totals
