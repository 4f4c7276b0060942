"""The Time Release Study's stage model and figures (kouan.domain.trs), hand-computed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kouan.domain import trs
from kouan.domain.trs import DECLARATION, PORT_CALL

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def at(minutes: float | None) -> datetime | None:
    return None if minutes is None else T0 + timedelta(minutes=minutes)


def declaration(**minutes: float | None) -> trs.Timeline:
    return trs.timeline(DECLARATION, [(s, at(minutes.get(s))) for s in DECLARATION.stages])


def call(**minutes: float | None) -> trs.Timeline:
    return trs.timeline(PORT_CALL, [(s, at(minutes.get(s))) for s in PORT_CALL.stages])


def steps(line: trs.Timeline) -> list[tuple[str, str, float]]:
    return [(i.start, i.end, i.minutes) for i in line.intervals]


def test_skipped_stages_are_skipped() -> None:
    line = declaration(filed=0, lane_decided=0, reviewed=30, released=90)
    assert [s for s, _ in line.placed] == ["filed", "lane_decided", "reviewed", "released"]
    assert steps(line) == [
        ("filed", "lane_decided", 0),
        ("lane_decided", "reviewed", 30),
        ("reviewed", "released", 60),
    ]
    assert line.out_of_order == ()
    assert line.span("filed", "released") == 90
    assert line.span("filed", "gated_out") is None


def test_a_permit_before_arrival_is_placed_before_it_and_counts_as_cleared() -> None:
    line = call(filed=0, entry_permit=60, ata=120, all_fast=180)
    assert steps(line) == [
        ("filed", "entry_permit", 60),
        ("entry_permit", "ata", 60),
        ("ata", "all_fast", 60),
    ]
    assert trs.cleared_before_arrival([line]) == trs.Share(1, 1)


def test_a_permit_after_berthing_is_placed_where_it_fell() -> None:
    line = call(filed=0, ata=120, all_fast=180, entry_permit=200, ops_start=240)
    assert steps(line) == [
        ("filed", "ata", 120),
        ("ata", "all_fast", 60),
        ("all_fast", "entry_permit", 20),
        ("entry_permit", "ops_start", 40),
    ]
    assert trs.cleared_before_arrival([line]) == trs.Share(0, 1)


def test_cleared_before_arrival_counts_the_calls_that_arrived() -> None:
    before = call(filed=0, entry_permit=10, ata=60)
    waiting = call(filed=0, ata=60)  # arrived, no permit yet
    not_arrived = call(filed=0, entry_permit=10)
    share = trs.cleared_before_arrival([before, waiting, not_arrived])
    assert (share.count, share.of, share.share) == (1, 2, 0.5)
    assert trs.cleared_before_arrival([not_arrived]).share is None


def test_equal_times_keep_the_model_order_and_are_not_out_of_order() -> None:
    line = call(filed=0, entry_permit=0, ata=30, all_fast=30)
    assert [s for s, _ in line.placed] == ["filed", "entry_permit", "ata", "all_fast"]
    assert steps(line) == [
        ("filed", "entry_permit", 0),
        ("entry_permit", "ata", 30),
        ("ata", "all_fast", 0),
    ]
    assert line.out_of_order == ()
    # A permit issued the minute the ship arrives: nothing waited.
    at_arrival = call(filed=0, ata=30, entry_permit=30)
    assert [s for s, _ in at_arrival.placed] == ["filed", "entry_permit", "ata"]
    assert trs.cleared_before_arrival([at_arrival]) == trs.Share(1, 1)


def test_a_stage_recorded_before_the_one_before_it_counts_with_it_flagged() -> None:
    line = declaration(filed=0, lane_decided=0, reviewed=50, inspected=40, released=100)
    assert line.out_of_order == ("inspected",)
    assert [(i.start, i.end, i.minutes, i.out_of_order) for i in line.intervals] == [
        ("filed", "lane_decided", 0, False),
        ("lane_decided", "reviewed", 50, False),
        ("reviewed", "inspected", 0, True),
        ("inspected", "released", 50, False),
    ]
    # The intervals still add up to the record's whole time.
    assert sum(i.minutes for i in line.intervals) == line.span("filed", "released") == 100
    assert line.recorded["inspected"] == at(40)
    assert line.at("inspected") == at(50)


def test_a_ship_arrived_before_its_call_was_filed_is_flagged() -> None:
    line = call(filed=0, ata=-30, all_fast=20)
    assert line.out_of_order == ("ata",)
    assert steps(line) == [("filed", "ata", 0), ("ata", "all_fast", 20)]
    assert trs.summarise(PORT_CALL, [line, call(filed=0, ata=5)]).out_of_order == 1


def test_goods_arriving_after_release_give_zero_and_count_as_released_before() -> None:
    line = declaration(filed=0, lane_decided=0, reviewed=0, released=50, arrived=100, gated_out=130)
    assert steps(line)[-2:] == [("released", "arrived", 50), ("arrived", "gated_out", 30)]
    assert line.span("arrived", "released") == 0
    assert trs.share_before([line], "released", "arrived") == trs.Share(1, 1)
    earlier = declaration(arrived=-60, filed=0, released=20)
    assert steps(earlier)[0] == ("arrived", "filed", 60)
    assert earlier.span("arrived", "released") == 80


def test_the_summary_names_the_interval_holding_the_most_time() -> None:
    lines = [
        declaration(filed=0, lane_decided=0, reviewed=30, released=90),
        declaration(filed=0, lane_decided=0, reviewed=10, inspected=130, released=140),
        declaration(filed=0, lane_decided=0, reviewed=0, released=0),
    ]
    summary = trs.summarise(DECLARATION, lines)
    assert summary.records == 3 and summary.out_of_order == 0
    by_key = {(i.start, i.end): i for i in summary.intervals}
    assert list(by_key) == [
        ("filed", "lane_decided"),
        ("lane_decided", "reviewed"),
        ("reviewed", "inspected"),
        ("reviewed", "released"),
        ("inspected", "released"),
    ]
    # All the time: 0 + 40 + 120 + 60 + 10 = 230 minutes.
    assert [i.figures.total for i in summary.intervals] == [0, 40, 120, 60, 10]
    assert by_key["reviewed", "inspected"].share == pytest.approx(120 / 230)
    assert sum(i.share or 0 for i in summary.intervals) == pytest.approx(1)
    assert summary.longest is by_key["reviewed", "inspected"]
    review = by_key["lane_decided", "reviewed"].figures  # 30, 10, 0
    assert (review.count, review.median, review.p90) == (3, 10, 30)
    assert review.mean == pytest.approx(40 / 3)
    release = by_key["reviewed", "released"].figures  # 60, 0
    assert (release.count, release.mean, release.median, release.p90) == (2, 30, 30, 60)


def test_of_equal_intervals_the_first_in_stage_order_is_the_longest() -> None:
    summary = trs.summarise(DECLARATION, [declaration(filed=0, reviewed=30, released=60)])
    assert summary.longest is not None
    assert (summary.longest.start, summary.longest.end) == ("filed", "reviewed")


def test_no_time_at_all_names_no_interval() -> None:
    green = trs.summarise(DECLARATION, [declaration(filed=0, lane_decided=0, released=0)])
    assert green.longest is None
    assert [i.share for i in green.intervals] == [None, None]
    empty = trs.summarise(PORT_CALL, [])
    assert (empty.records, empty.intervals, empty.longest) == (0, (), None)


def test_median_and_p90_of_an_odd_and_an_even_count() -> None:
    odd = trs.figures([4, 1, 3])
    assert (odd.count, odd.median, odd.p90, odd.mean, odd.total) == (3, 3, 4, 8 / 3, 8)
    even = trs.figures([4, 1, 3, 2])
    assert (even.median, even.p90, even.mean) == (2.5, 4, 2.5)  # p90: rank ceil(3.6) = 4
    ten = trs.figures(range(1, 11))
    assert (ten.median, ten.p90) == (5.5, 9)  # rank 9 of 10
    # 90 % of 70 is rank 63 exactly (0.9 * 70 in floating point is 63.00000000000001).
    assert trs.percentile(list(range(1, 71)), 90) == 63
    assert trs.percentile([7], 90) == 7
    none = trs.figures([])
    assert (none.count, none.mean, none.median, none.p90, none.total) == (0, None, None, None, 0)


def test_time_bands_include_their_upper_bound() -> None:
    assert [trs.band_of(m) for m in (0, 15, 15.1, 60, 1440, 4320, 4321)] == [0, 0, 1, 2, 6, 8, 9]
    assert trs.figures([0, 15, 16, 5000]).bands == (2, 1, 0, 0, 0, 0, 0, 0, 0, 1)


def test_span_figures_use_the_records_where_both_stages_happened() -> None:
    lines = [
        declaration(filed=0, released=30),
        declaration(filed=0, released=90),
        declaration(filed=0),  # not released yet
    ]
    totals = trs.span_figures(lines, "filed", "released")
    assert (totals.count, totals.mean, totals.median, totals.p90) == (2, 60, 60, 90)


def test_unknown_or_repeated_stages_are_refused() -> None:
    with pytest.raises(ValueError, match="not a stage of a port_call"):
        trs.timeline(PORT_CALL, [("released", T0)])
    with pytest.raises(ValueError, match="given twice"):
        trs.timeline(PORT_CALL, [("ata", T0), ("ata", None)])
