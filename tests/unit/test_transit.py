"""Transit under customs seal, the pure rules: the route's time limit, the deadline, overdue at
an instant of a clock the test moves, and the seal check at arrival."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kouan.domain import reasons
from kouan.domain.errors import ValidationFailed
from kouan.domain.transit import (
    Conveyance,
    TransitStatus,
    check_seals,
    conveyance_of,
    deadline,
    overdue,
    seals_of,
    split_seals,
    time_left,
    time_limit,
)

DEPARTED = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def test_each_route_has_its_limit_and_others_the_default() -> None:
    assert time_limit("CNTAO", "CNJNA") == 24
    assert time_limit("CNTAO", "CNHOM") == 72
    assert time_limit("CNTAO", "CNXIA", default_hours=36) == 36


def test_the_deadline_is_the_departure_plus_the_limit() -> None:
    assert deadline(DEPARTED, 24) == DEPARTED + timedelta(hours=24)
    assert deadline(DEPARTED, 1.5) == DEPARTED + timedelta(minutes=90)


def test_overdue_only_past_the_deadline_and_only_on_the_way() -> None:
    due = deadline(DEPARTED, 24)
    clock = DEPARTED
    assert not overdue("departed", due, clock)
    clock += timedelta(hours=24)
    assert not overdue("departed", due, clock)  # due by then: not yet late
    clock += timedelta(seconds=1)
    assert overdue("departed", due, clock)
    assert overdue("overdue", due, clock)
    for status in (TransitStatus.OPENED, TransitStatus.ARRIVED, TransitStatus.CLOSED):
        assert not overdue(status, due, clock)
    assert not overdue("opened", None, clock)
    assert time_left(due, clock) == timedelta(seconds=-1)
    assert time_left(None, clock) is None


def test_intact_seals_match_in_any_order() -> None:
    assert check_seals(["CN001", "CN002"], ["CN002", "CN001"]).intact


def test_a_seal_missing_or_unexpected_is_a_mismatch_with_its_reason() -> None:
    check = check_seals(["CN001", "CN002"], ["CN001", "CN009"])
    assert not check.intact
    assert check.missing == ("CN002",)
    assert check.unexpected == ("CN009",)
    why = check.reason()
    assert why.key == "transit.seal_mismatch"
    assert "CN002" in why.text and "CN009" in why.text
    assert "transit.seal_mismatch" in reasons.TEMPLATES


def test_seals_are_read_strictly_once_each() -> None:
    assert seals_of([" cn-tao-4471 ", "CN-TAO-4471", "", "CN0002"]) == ["CN-TAO-4471", "CN0002"]
    assert split_seals("CN001, CN002；CN003 CN004") == ["CN001", "CN002", "CN003", "CN004"]
    with pytest.raises(ValidationFailed) as refused:
        seals_of(["CN001", "封条"])
    assert refused.value.fields[0].field == "seals[1]"
    with pytest.raises(ValidationFailed):
        seals_of([f"CN{n:04d}" for n in range(21)])


def test_a_conveyance_is_a_plate_or_a_wagon() -> None:
    assert conveyance_of("road", "鲁b 12345") == (Conveyance.ROAD, "鲁B12345")
    assert conveyance_of("RAIL", "4856712") == (Conveyance.RAIL, "4856712")
    for kind, ident, field in [
        ("ship", "X", "conveyance"),
        ("road", "12345", "conveyance_id"),
        ("rail", "鲁B12345", "conveyance_id"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            conveyance_of(kind, ident)
        assert refused.value.fields[0].field == field
