"""The port call's state machine, timeline rules and zero-wait figures; the filing's own checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from kouan.domain.errors import InvalidTransition
from kouan.domain.filing import ArrivalNotice, affected_agencies
from kouan.domain.portcall import (
    CallStatus,
    TimelineEvent,
    check_event,
    derive_status,
    zero_wait,
)
from tests.factories import arrival_notice, arrival_notice_data

T0 = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)


def _timeline(**events: datetime) -> dict[TimelineEvent, datetime | None]:
    return {e: events.get(e.value) for e in TimelineEvent}


@pytest.mark.parametrize(
    ("events", "permit", "reviews", "expected"),
    [
        ({}, None, ["approved", "pending"], CallStatus.FILED),
        ({}, None, ["approved", "rejected"], CallStatus.REJECTED),
        ({}, T0, ["approved"] * 4, CallStatus.CLEARED),
        ({"ATA": T0}, None, ["pending"], CallStatus.ARRIVED),
        ({"ATA": T0, "ALL_FAST": T0}, T0, [], CallStatus.ALONGSIDE),
        ({"ATA": T0, "ALL_FAST": T0, "OPS_START": T0}, T0, [], CallStatus.WORKING),
        (
            {"ATA": T0, "ALL_FAST": T0, "OPS_START": T0, "OPS_COMPLETE": T0},
            T0,
            [],
            CallStatus.COMPLETED,
        ),
        (
            {"ATA": T0, "ALL_FAST": T0, "OPS_START": T0, "OPS_COMPLETE": T0, "ATD": T0},
            T0,
            [],
            CallStatus.DEPARTED,
        ),
    ],
)
def test_status_follows_the_timeline_then_the_clearance(
    events: dict[str, datetime], permit: datetime | None, reviews: list[str], expected: CallStatus
) -> None:
    assert derive_status(_timeline(**events), permit, reviews) is expected


def test_each_event_needs_the_one_before() -> None:
    with pytest.raises(InvalidTransition, match="OPS_START needs ALL_FAST"):
        check_event(_timeline(ATA=T0), TimelineEvent.OPS_START, T0, None)
    check_event(_timeline(ATA=T0), TimelineEvent.ALL_FAST, T0 + timedelta(hours=1), None)


def test_time_runs_forward() -> None:
    with pytest.raises(InvalidTransition, match="before ATA"):
        check_event(_timeline(ATA=T0), TimelineEvent.ALL_FAST, T0 - timedelta(minutes=1), None)
    with pytest.raises(InvalidTransition, match="after ALL_FAST"):
        check_event(
            _timeline(ATA=T0, ALL_FAST=T0 + timedelta(hours=1)),
            TimelineEvent.ATA,
            T0 + timedelta(hours=2),
            None,
        )


def test_departure_needs_the_departure_permit() -> None:
    done = _timeline(ATA=T0, ALL_FAST=T0, OPS_START=T0, OPS_COMPLETE=T0)
    with pytest.raises(InvalidTransition, match="departure permit"):
        check_event(done, TimelineEvent.ATD, T0 + timedelta(hours=1), None)
    check_event(done, TimelineEvent.ATD, T0 + timedelta(hours=1), T0)


@given(
    berthed_before_permit=st.integers(min_value=-600, max_value=600),
    finished_before_permit=st.integers(min_value=-600, max_value=600),
)
def test_zero_wait_counts_only_minutes_waiting_for_a_permit(
    berthed_before_permit: int, finished_before_permit: int
) -> None:
    all_fast = T0
    entry_permit = T0 + timedelta(minutes=berthed_before_permit)
    ops_complete = T0 + timedelta(hours=30)
    departure_permit = ops_complete + timedelta(minutes=finished_before_permit)
    figures = zero_wait(
        all_fast, entry_permit, ops_complete, departure_permit, T0 + timedelta(days=3)
    )
    assert figures.entry_wait_minutes == max(0, berthed_before_permit)
    assert figures.departure_wait_minutes == max(0, finished_before_permit)
    assert figures.is_zero_wait == (berthed_before_permit <= 0 and finished_before_permit <= 0)
    assert figures.non_working_minutes == max(0, berthed_before_permit) + max(
        0, finished_before_permit
    )


def test_a_running_wait_counts_up_to_now() -> None:
    figures = zero_wait(T0, None, None, None, T0 + timedelta(minutes=42))
    assert figures.entry_wait_minutes == 42.0 and not figures.is_zero_wait
    assert zero_wait(None, None, None, None, T0).is_zero_wait


def test_etd_must_follow_eta() -> None:
    data = arrival_notice_data()
    data["etd"] = data["eta"]
    with pytest.raises(ValidationError, match=r"a time after eta"):
        ArrivalNotice.model_validate(data)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("ship", "imo"), "9134271", "imo"),
        (("ship", "mmsi"), "12345", "mmsi"),
        (("ship", "flag"), "XX", "flag"),
        (("port",), "CNXXX", "port"),
        (("eta",), "2026-12-04T08:00:00", "eta"),
    ],
)
def test_bad_identifiers_are_refused_naming_the_field(
    path: tuple[str, ...], value: str, field: str
) -> None:
    data = arrival_notice_data()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as err:
        ArrivalNotice.model_validate(data)
    assert any(e["loc"][-1] == field or field in map(str, e["loc"]) for e in err.value.errors())
    assert any(e["input"] == value for e in err.value.errors())


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        ArrivalNotice.model_validate({**arrival_notice_data(), "shipp": {}})


def test_amending_a_section_affects_only_its_agencies() -> None:
    before = arrival_notice()
    assert affected_agencies(before, arrival_notice()) == frozenset()
    assert affected_agencies(before, arrival_notice(health={"ill_persons": 1})) == {"CIQ"}
    assert affected_agencies(before, arrival_notice(dangerous_goods=[])) == {"MSA"}
    assert affected_agencies(before, arrival_notice(passengers=[])) == {"BORDER", "CIQ"}
