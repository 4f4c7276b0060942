"""Strict values (kouan.domain.values): what every document refuses as impossible, the same from
JSON, the pages and EDIFACT, and the hook that flags what is possible but odd."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from kouan.adapters.cusdec import parse_cusdec, parse_cusres, validate_messages, write_cusres
from kouan.adapters.paxlst import read_paxlst
from kouan.domain import values
from kouan.domain.errors import FieldError, ValidationFailed
from kouan.domain.filing import ArrivalNotice, Person
from kouan.domain.portcall import TimelineEvent, oddities
from kouan.web.errors import error_body, printable
from tests.factories import NOW, arrival_notice_data, person_data
from tests.unit.test_cusdec import SAMPLE, response
from tests.unit.test_paxlst import refused, replace, smooks_accepted


def _refusal(kind: Any, value: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value)
    (error,) = caught.value.errors()
    return error["type"], error["msg"]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("EVER\x00DIADEM", "text_nul"),
        ("EVER\ud800", "text_surrogate"),
        ("\udfff", "text_surrogate"),
    ],
)
def test_text_no_database_keeps_is_refused(value: str, kind: str) -> None:
    assert _refusal(values.Plain, value)[0] == kind


def test_text_with_a_surrogate_pair_or_chinese_is_kept() -> None:
    assert TypeAdapter(values.Plain).validate_python("崂山 \U0001f6a2") == "崂山 \U0001f6a2"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("0001-01-01T00:00:00+00:00", "time_out_of_range"),
        ("0001-01-01T00:00:00+08:00", "time_out_of_range"),  # before year 1 in UTC
        ("9999-12-31T23:00:00-05:00", "time_out_of_range"),  # after 9999 in UTC
        ("1970-01-01T00:00:00Z", "time_out_of_range"),
        ("2100-01-01T00:00:00Z", "time_out_of_range"),
        ("2026-11-27T08:00:00", "time_without_offset"),
        (1733000000, "date_not_number"),
        (1733000000.5, "date_not_number"),
        ("1733000000", "date_not_number"),
    ],
)
def test_a_port_time_outside_2000_to_2099_or_not_written_as_one_is_refused(
    value: object, kind: str
) -> None:
    assert _refusal(values.PortTime, value)[0] == kind


def test_a_port_time_is_kept_in_utc_at_both_ends_of_the_range() -> None:
    adapter = TypeAdapter(values.PortTime)
    assert adapter.validate_python("2000-01-01T08:00:00+08:00") == datetime(2000, 1, 1, tzinfo=UTC)
    last = adapter.validate_python("2099-12-31T23:59:59Z")
    assert last == datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_a_birth_date_in_the_future_or_before_1900_is_refused() -> None:
    tomorrow_everywhere = values.latest_birth_day() + timedelta(days=1)
    assert _refusal(values.BirthDate, tomorrow_everywhere)[0] == "birth_date_out_of_range"
    assert _refusal(values.BirthDate, "1899-12-31")[0] == "birth_date_out_of_range"
    assert _refusal(values.BirthDate, 19850702)[0] == "date_not_number"
    assert TypeAdapter(values.BirthDate).validate_python("1985-07-02") == date(1985, 7, 2)


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        (values.Whole, True, "number_not_bool"),
        (values.Real, False, "number_not_bool"),
        (values.Amount, True, "number_not_bool"),
        (values.Flag, 1, "bool_type"),
        (values.Flag, "yes", "bool_type"),
        (values.PortDate, "9999-12-30", "date_out_of_range"),
    ],
)
def test_true_is_not_one_and_one_is_not_true(kind: Any, value: object, error: str) -> None:
    assert _refusal(kind, value)[0] == error


def test_numbers_typed_as_text_are_still_numbers() -> None:
    """The pages send every field as text: "12" is a count, as it always was."""
    assert TypeAdapter(values.Whole).validate_python("12") == 12


def test_the_arrival_notice_names_each_impossible_field() -> None:
    data = arrival_notice_data(
        NOW, eta=1733000000, security_level=True, health={"suspected_infectious": 1}
    )
    data["crew"][0]["date_of_birth"] = "9999-01-01"
    with pytest.raises(ValidationError) as caught:
        ArrivalNotice.model_validate(data)
    located = {".".join(map(str, e["loc"])): e["type"] for e in caught.value.errors()}
    assert located == {
        "eta": "date_not_number",
        "security_level": "number_not_bool",
        "health.suspected_infectious": "bool_type",
        "crew.0.date_of_birth": "birth_date_out_of_range",
    }


def test_a_person_with_nul_in_the_name_is_refused() -> None:
    data = person_data("WANG\x00", "Jianguo", "CN", date(1972, 3, 14), "E1", date(2030, 1, 1))
    with pytest.raises(ValidationError, match="NUL"):
        Person.model_validate(data)


# --- EDIFACT: the same bounds, named by segment --------------------------------------------------


def _dtm_refusal(old: str, new: str) -> tuple[str, object, str]:
    (found,) = [e for e in refused(replace(smooks_accepted(), old, new)) if "DTM" in e[0]]
    return found


def test_a_paxlst_birth_in_the_future_names_its_segment() -> None:
    field, value, expected = _dtm_refusal("DTM+329:19350919:102'", "DTM+329:99990919:102'")
    assert "DTM+329" in field and value == "99990919" and expected == values.BIRTH_DAY


def test_a_paxlst_journey_in_year_1_names_its_segment() -> None:
    field, value, expected = _dtm_refusal("DTM+132:20041230:102'", "DTM+132:00010101:102'")
    assert "DTM+132" in field and value == "00010101" and expected == values.IN_PORT_YEARS


def test_a_paxlst_expiry_in_9999_is_a_warning_on_its_person() -> None:
    # A bad date concerns one person: kept, warned about, and left to the rules.
    result = read_paxlst(replace(smooks_accepted(), "DTM+36:20091231:102'", "DTM+36:99991231:102'"))
    assert result.status == "accepted"
    (warning,) = [w for w in result.warnings if "DTM+36" in w.segment]
    assert warning.element == "C507/2380" and warning.value == "99991231"
    assert warning.what_was_expected == values.DAY_IN_PORT_YEARS


def test_a_paxlst_name_with_nul_is_refused_for_that_person() -> None:
    errors = refused(replace(smooks_accepted(), "AOMAD:CHRIS", "AO\x00MAD:CHRIS"))
    assert errors == [("person 1 family_name", "AO\x00MAD", values.NO_NUL)]


def test_a_cusres_time_in_year_1_is_refused_naming_the_segment() -> None:
    text = write_cusres([response("released")], "KOUANCUS", "QD", "KR1", datetime(2026, 3, 12))
    at = next(line for line in text.splitlines() if line.startswith("DTM+137"))
    with pytest.raises(ValidationFailed) as caught:
        parse_cusres(replace(text, at, "DTM+137:00010101000000:204'"))
    (error,) = caught.value.fields
    assert error.field == "message 1 at" and error.value == "00010101000000"
    assert values.IN_PORT_YEARS in error.expected and "DTM+137" in error.expected


def test_a_cusdec_name_with_nul_is_refused_in_its_message_only() -> None:
    text = replace(SAMPLE, "Jinan Heavy Machinery Import Co'", "Jinan\x00 Heavy Machinery'")
    (_, first, errors), (_, second, _), *_ = validate_messages(parse_cusdec(text))
    assert first is None and second is not None
    assert [(e.field, e.expected) for e in errors] == [("message 1 trader_name", values.NO_NUL)]


# --- echoing what was refused, and the hook for what is odd ---------------------------------------


def test_an_echoed_lone_surrogate_is_escaped_so_the_answer_encodes() -> None:
    body = error_body(
        "validation_failed", "voyage 'EVER\ud800'", [FieldError("voyage", "EVER\ud800", "x")]
    )
    assert body["error"]["fields"][0]["value"] == "EVER\\ud800"
    assert body["error"]["message"].encode("utf-8") == b"voyage 'EVER\\ud800'"
    assert printable({"\udc00": ["\ud800"]}) == {"\\udc00": ["\\ud800"]}


def test_an_arrival_long_before_its_eta_is_kept_but_flagged() -> None:
    eta = datetime(2026, 12, 1, tzinfo=UTC)
    etd = eta + timedelta(days=2)
    assert oddities(TimelineEvent.ATA, eta - timedelta(days=400), eta, etd) == [
        "ata_long_before_eta"
    ]
    assert oddities(TimelineEvent.ATD, etd + timedelta(days=60), eta, etd) == ["atd_long_after_etd"]
    assert oddities(TimelineEvent.ATA, eta - timedelta(hours=6), eta, etd) == []
    assert oddities(TimelineEvent.ALL_FAST, eta - timedelta(days=400), eta, etd) == []
