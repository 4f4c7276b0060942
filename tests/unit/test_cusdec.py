"""CUSDEC in and CUSRES out: Kouan's sample interchange, round trips, and each kind of bad input
named by message, item and field while the other declarations of the interchange go on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kouan.adapters.cusdec import (
    CusresResponse,
    bare_parse,
    parse_cusdec,
    parse_cusres,
    validate_messages,
    write_cusdec,
    write_cusres,
)
from kouan.domain.declaration import Declaration, DeclarationStatus
from kouan.domain.errors import FieldError, ValidationFailed
from tests.conftest import ROOT

SAMPLE = (ROOT / "tests" / "data" / "edifact" / "kouan_cusdec_d96b.edi").read_text(encoding="utf-8")
NOW = datetime(2026, 3, 12, 9, 30)


def replace(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence, so that a test cannot pass on a change that did nothing."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, start: str) -> int:
    """The line a segment starts on: with one segment a line, the number errors give."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def drop(text: str, segment: str) -> str:
    """One segment (a whole line) removed, the UNT of its message counting one less."""
    lines = text.splitlines()
    at = lines.index(segment)
    del lines[at]
    unt = next(n for n in range(at, len(lines)) if lines[n].startswith("UNT+"))
    _, count, reference = lines[unt].split("+")
    lines[unt] = f"UNT+{int(count) - 1}+{reference}"
    return "\n".join(lines) + "\n"


def errors_by_message(text: str) -> dict[int, list[tuple[str, object, str]]]:
    """Each message's errors, structural or from the domain, as (field, value, expected)."""
    return {
        message.number: [(e.field, e.value, e.expected) for e in errors]
        for message, _, errors in validate_messages(parse_cusdec(text))
    }


def sea(**changes: Any) -> Declaration:
    body: dict[str, Any] = {
        "reference": "QD-2026-00001",
        "declarant": "Qingdao Huanhai Customs Brokers",
        "trader": "3701960015",
        "trader_name": "Jinan Heavy Machinery Import Co",
        "direction": "import",
        "trade_mode": "0110",
        "transport": {
            "mode": "sea",
            "vessel": "EVER DIADEM",
            "imo": "9134270",
            "voyage": "046E",
            "bill_of_lading": "OOLU2715530120",
        },
        "declaration_office": "CNJNA",
        "release_port": "CNTAO",
        "containers": ["OOLU4293959", "MOEU0710945"],
        "items": [
            item("847130", "Laptop computers", "1200", "PCE", "684000", "USD", "KR"),
            item("85044000", "Power adapters, 65W", "1350.5", "KGM", "21600.00", "USD", "VN"),
        ],
    }
    return Declaration.model_validate(body | changes)


def air(**changes: Any) -> Declaration:
    body: dict[str, Any] = {
        "trader": "3702940123",
        "trader_name": "Qingdao Haiyue Tea + Porcelain Co",
        "direction": "export",
        "trade_mode": "0110",
        "transport": {"mode": "air", "flight": "CA1047", "air_waybill": "784-20260312"},
        "declaration_office": "CNTAO",
        "release_port": "CNTAO",
        "items": [item("090210", "崂山绿茶 green tea", "480", "KGM", "57600", "CNY", "CN")],
    }
    return Declaration.model_validate(body | changes)


def item(*values: str) -> dict[str, str]:
    keys = ("hs_code", "description", "quantity", "unit", "value", "currency", "origin")
    return dict(zip(keys, values, strict=True))


def round_trip(declarations: list[Declaration]) -> list[Declaration | None]:
    text = write_cusdec(declarations, "QDBROKER01", "KOUANCUS", "KB1", NOW)
    results = validate_messages(parse_cusdec(text))
    assert [errors for _, _, errors in results] == [[] for _ in declarations]
    return [declaration for _, declaration, _ in results]


# ---- Kouan's sample interchange --------------------------------------------------------------


def test_sample_reads_two_declarations_and_refuses_the_third_for_its_hs_code() -> None:
    interchange = parse_cusdec(SAMPLE)
    assert (interchange.sender, interchange.recipient) == ("QDBROKER01", "KOUANCUS")
    assert interchange.control_ref == "KB0312001"
    results = validate_messages(interchange)
    assert [(m.number, m.message_ref, m.reference) for m, _, _ in results] == [
        (1, "1", "QD-2026-03117"),
        (2, "2", "QD-2026-03118"),
        (3, "3", "QD-2026-03119"),
    ]
    assert [errors for _, _, errors in results[:2]] == [[], []]
    third, declaration, errors = results[2]
    assert third.errors == [] and declaration is None
    assert [(e.field, e.value) for e in errors] == [("message 3 items[0].hs_code", "610920")]
    assert "HS 2022 subheading" in errors[0].expected


def test_sample_declarations_hold_what_the_segments_say() -> None:
    (_, first, _), (_, second, _), _ = validate_messages(parse_cusdec(SAMPLE))
    assert first == sea(
        reference="QD-2026-03117",
        items=[
            item(
                "847130",
                "Laptop computers, 14 inch, 16GB memory",
                "1200",
                "PCE",
                "684000",
                "USD",
                "KR",
            ),
            item(
                "850440",
                "Power adapters for laptop computers, 65W",
                "1350.5",
                "KGM",
                "21600.00",
                "USD",
                "VN",
            ),
        ],
    )
    assert second is not None and second.reference == "QD-2026-03118"
    assert second.trader_name == "Qingdao Haiyue Tea + Porcelain Co"
    tea = second.items[0]
    assert tea.description == "崂山绿茶 Laoshan green tea, 250g tins 'gift' set: 2?3 grade"
    assert (tea.origin, tea.quantity, tea.currency) == ("CN", Decimal(480), "CNY")


def test_writer_writes_the_sample_segment_for_segment() -> None:
    """The hand-written sample follows the documented mapping; the writer must too."""
    (_, first, _), (_, second, _), _ = validate_messages(parse_cusdec(SAMPLE))
    assert first is not None and second is not None
    written = write_cusdec([first, second], "QDBROKER01", "KOUANCUS", "KB0312001", NOW)

    def first_two_messages(text: str) -> list[str]:
        lines = text.splitlines()
        start, end = line_of(text, "UNH+1+") - 1, line_of(text, "UNT+23+2'")
        # The sample's document times differ message by message; the writer's are all now.
        return [line for line in lines[start:end] if not line.startswith("DTM+137")]

    # The sample gives one origin as alpha-3 (CHN) to show it is read; the writer uses alpha-2.
    sample = replace(SAMPLE, "LOC+27+CHN'", "LOC+27+CN'")
    assert first_two_messages(written) == first_two_messages(sample)


def test_bare_parse_counts_what_pydifact_reads() -> None:
    # pydifact's Interchange holds every segment but UNA, UNB and UNZ.
    assert bare_parse(SAMPLE) == len(SAMPLE.splitlines()) - 3


# ---- round trips -----------------------------------------------------------------------------


def test_round_trip_keeps_sea_and_air_declarations_with_special_characters() -> None:
    declarations = [
        sea(),
        sea(
            reference=None,
            declarant=None,
            # Longer than the five components of C080 (175 characters): the fifth takes the rest.
            trader_name=("Shandong 'Blue Sea' Co: imports + exports? 50% * 2 " * 4)[:199],
            transport={
                "mode": "sea",
                "vessel": "COSCO SHIPPING ARIES",
                "voyage": "051E",
                "bill_of_lading": "COSU6300112233",
            },
            containers=[],
            items=[
                item(
                    "610910",
                    "T-shirts: men's, ? & + sizes 'S' to 'XL'" * 5,
                    "5000",
                    "PCE",
                    "1E+4",
                    "usd",
                    "CHN",
                ),
                item(
                    "6911100000",
                    "青花瓷茶具，每套十二件：壶、杯、盘",
                    "0.001",
                    "035",
                    "0",
                    "CNY",
                    "cn",
                ),
            ],
        ),
        air(),
    ]
    assert round_trip(declarations) == declarations


@given(
    # Any text a declaration can hold: no unpaired surrogates, no NUL (kouan.domain.values).
    text=st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        min_size=1,
        max_size=200,
    ),
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1E12"), places=3),
)
def test_any_text_and_quantity_survive_the_round_trip(text: str, quantity: Decimal) -> None:
    declaration = air(
        trader_name=text,
        declarant=text,
        reference=text[:35],
        items=[item("090210", text, str(quantity), "KGM", "1", "CNY", "CN")],
    )
    assert round_trip([declaration]) == [declaration]


# ---- interchange-level problems raise -------------------------------------------------------


def refused(text: str) -> list[tuple[str, object, str]]:
    with pytest.raises(ValidationFailed) as caught:
        parse_cusdec(text)
    return [(f.field, f.value, f.expected) for f in caught.value.fields]


def test_wrong_unz_count_refuses_the_interchange() -> None:
    text = replace(SAMPLE, "UNZ+3+", "UNZ+4+")
    assert refused(text) == [
        (f"segment {line_of(text, 'UNZ')} (UNZ)", "4", "3, the number of messages")
    ]


def test_text_that_is_not_edifact_is_refused() -> None:
    assert [f for f, _, _ in refused("<declaration>...</declaration>")] == ["interchange"]


def test_interchange_without_unb_is_refused() -> None:
    text = SAMPLE[SAMPLE.index("UNH+1") :]
    assert [f for f, _, _ in refused(text)] == ["interchange"]


def test_cut_off_interchange_is_refused() -> None:
    assert [f for f, _, _ in refused(SAMPLE[: SAMPLE.index("CNT+2:1") + 4])] == [
        "end of interchange"
    ]


# pydifact warns of each empty segment a damaged text has before the segment is refused.
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, len(SAMPLE)), st.sampled_from(["", "+", ":", "'", "?", "A", "\n"])
        ),
        min_size=1,
        max_size=6,
    )
)
def test_damaged_interchange_is_refused_or_read_never_crashes(
    edits: list[tuple[int, str]],
) -> None:
    text = SAMPLE
    for at, character in edits:
        text = text[:at] + character + text[at + 1 :]
    try:
        interchange = parse_cusdec(text)
    except ValidationFailed as refusal:
        assert refusal.fields
        return
    for message, declaration, errors in validate_messages(interchange):
        assert (declaration is None) == bool(errors)
        assert all(e.field.startswith(f"message {message.number} ") for e in errors)


# ---- message-level problems stay with their message -----------------------------------------


def test_wrong_unt_count_names_the_message_and_the_others_go_on() -> None:
    text = replace(SAMPLE, "UNT+23+2'", "UNT+22+2'")
    errors = errors_by_message(text)
    assert errors[1] == []
    assert errors[2] == [
        (
            f"message 2 segment {line_of(text, 'UNT+22+2')} (UNT)",
            "22",
            "23, the number of segments from UNH to UNT",
        )
    ]
    assert [field for field, _, _ in errors[3]] == ["message 3 items[0].hs_code"]


def test_unknown_message_version_is_refused_but_its_reference_read() -> None:
    text = replace(SAMPLE, "UNH+2+CUSDEC:D:96B:UN'", "UNH+2+CUSDEC:D:01B:UN'")
    interchange = parse_cusdec(text)
    second = interchange.messages[1]
    assert (second.document, second.reference) == (None, "QD-2026-03118")
    assert [(e.field, e.value) for e in second.errors] == [
        (f"message 2 segment {line_of(text, 'UNH+2')} (UNH)", "CUSDEC:D:01B:UN")
    ]
    assert "CUSDEC:D:96B:UN" in second.errors[0].expected
    assert interchange.messages[0].document is not None


def test_missing_unt_names_the_message_and_the_next_is_read() -> None:
    text = SAMPLE.replace("UNT+23+2'\n", "")
    errors = errors_by_message(text)
    assert errors[2] == [
        (
            "message 2 UNT",
            f"segment {line_of(text, 'UNH+3')} (UNH)",
            f"UNT closing the message opened at segment {line_of(text, 'UNH+2')}",
        )
    ]
    assert errors[1] == [] and len(errors[3]) == 1


@pytest.mark.parametrize(
    ("old", "new", "field", "value", "expected"),
    [
        (
            "EQD+CN+OOLU4293959'",
            "EQD+CN+OOLU4293958'",
            "message 1 containers[0]",
            "OOLU4293958",
            "an ISO 6346 container number",
        ),
        (
            "QTY+47:1350.5:KGM'",
            "QTY+47:-1350.5:KGM'",
            "message 1 items[1].quantity",
            Decimal("-1350.5"),
            "greater than 0",
        ),
        (
            "LOC+27+VN'",
            "LOC+27+VX'",
            "message 1 items[1].origin",
            "VX",
            "an ISO 3166 country code",
        ),
        (
            "MOA+38:57600:CNY'",
            "MOA+38:57600:RMB'",
            "message 2 items[0].currency",
            "RMB",
            "an ISO 4217 currency code",
        ),
        (
            "CST+2+691110:HS:ZZZ'",
            "CST+2+691120:HS:ZZZ'",
            "message 2 items[1].hs_code",
            "691120",
            "HS 2022 subheading",
        ),
        (
            "TDT+20+046E+1+++++9134270:146:11:EVER DIADEM'",
            "TDT+20+046E+1+++++9134271:146:11:EVER DIADEM'",
            "message 1 transport.imo",
            "9134271",
            "an IMO number",
        ),
        (
            "NAD+IM+3701960015++",
            "NAD+IM+370196001++",
            "message 1 trader",
            "370196001",
            "should match pattern",
        ),
    ],
)
def test_bad_values_name_message_item_and_field(
    old: str, new: str, field: str, value: object, expected: str
) -> None:
    errors = errors_by_message(replace(SAMPLE, old, new))
    number = int(field.split()[1])
    assert [(f, v) for f, v, _ in errors[number]] == [(field, value)]
    assert expected in errors[number][0][2]
    others = {1, 2} - {number}
    assert all(errors[other] == [] for other in others)


def test_non_numeric_quantity_is_a_structural_error_of_its_item() -> None:
    text = replace(SAMPLE, "QTY+47:300:PCE'", "QTY+47:300 sets:PCE'")
    message = parse_cusdec(text).messages[1]
    assert message.document is None
    assert message.errors == [
        FieldError(
            "message 2 items[1].quantity",
            "300 sets",
            f"a number such as 12.5 in QTY+47 at segment {line_of(text, 'QTY+47:300 sets')}",
        )
    ]


def test_decimal_comma_is_read() -> None:
    text = replace(SAMPLE, "QTY+47:1350.5:KGM'", "QTY+47:1350,5:KGM'")
    (_, first, _), *_ = validate_messages(parse_cusdec(text))
    assert first is not None and first.items[1].quantity == Decimal("1350.5")


def test_missing_segment_names_the_field_it_holds() -> None:
    text = drop(SAMPLE, "LOC+23+CNQIN'")
    assert errors_by_message(text)[3] == [
        ("message 3 release_port", "", "the release port's UN/LOCODE in LOC+23")
    ]


def test_missing_item_segment_names_the_item() -> None:
    text = drop(SAMPLE, "LOC+27+VN'")
    assert errors_by_message(text)[1] == [
        ("message 1 items[1].origin", "", "a country of origin in LOC+27 after the item's CST")
    ]


def test_trader_party_must_fit_the_direction() -> None:
    text = replace(SAMPLE, "NAD+EX+3707960888", "NAD+IM+3707960888")
    assert errors_by_message(text)[3] == [
        ("message 3 trader", "NAD+IM", "NAD+EX, the trader of an export declaration")
    ]


def test_unknown_document_code_and_transport_mode_are_named() -> None:
    text = replace(SAMPLE, "BGM+830+QD-2026-03118+9'", "BGM+999+QD-2026-03118+9'")
    text = replace(text, "TDT+20+CA1047+4'", "TDT+20+CA1047+3'")
    errors = errors_by_message(text)[2]
    assert [(field, value) for field, value, _ in errors] == [
        ("message 2 direction", "999"),
        ("message 2 transport", "3"),
    ]
    assert (
        errors[1][2]
        == f"1 (sea) or 4 (air), the mode of TDT+20 at segment {line_of(text, 'TDT+20+CA')}"
    )


def test_item_count_must_match_the_goods_items() -> None:
    text = replace(SAMPLE, "CNT+2:1'", "CNT+2:2'")
    cnt = line_of(text, "UNT+19+3") - 1
    assert errors_by_message(text)[3] == [
        ("message 3 items", "2", f"1, the number of goods items (CST), in CNT+2 at segment {cnt}")
    ]


# ---- CUSRES ----------------------------------------------------------------------------------


AT = datetime(2026, 3, 12, 9, 20, 5, tzinfo=UTC)


def response(status: str, **changes: Any) -> CusresResponse:
    fields: dict[str, Any] = {
        "message_ref": "1",
        "reference": "QD-2026-03117",
        "status": status,
        "declaration_id": 42,
        "lane": None,
        "errors": [],
        "at": AT,
    }
    return CusresResponse(**(fields | changes))


def test_cusres_round_trip_of_accepted_rejected_and_released() -> None:
    responses = [
        response("accepted", lane="green"),
        response(
            "rejected",
            message_ref="3",
            reference="QD-2026-03119",
            declaration_id=None,
            errors=[
                FieldError("message 3 items[0].hs_code", "610920", "an HS 2022 subheading"),
                FieldError("message 3 trader", "", "NAD+EX: the exporter's 'code' + name?"),
                FieldError("message 3 items[1].description", "青花瓷", "少于 200 个字符"),
            ],
            at=datetime(2026, 3, 12, 17, 20, 5, tzinfo=timezone(timedelta(hours=8))),
        ),
        response("released", message_ref="2", reference=None, lane="inspection"),
    ]
    text = write_cusres(responses, "KOUANCUS", "QDBROKER01", "KR1", NOW)
    assert parse_cusres(text) == responses
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("BGM")] == [
        "BGM+962+42+9'",
        "BGM+963++9'",
        "BGM+962+42+9'",
    ]
    assert [line for line in lines if line.startswith("ERP")] == ["ERP+2:1'", "ERP+1'", "ERP+2:2'"]


@pytest.mark.parametrize("status", ["accepted", *DeclarationStatus])
def test_every_declaration_status_has_a_cusres_code(status: str) -> None:
    responses = [response(str(status), lane="document")]
    assert parse_cusres(write_cusres(responses, "KOUANCUS", "QD", "KR1", NOW)) == responses


def test_cusres_writer_refuses_an_unknown_status() -> None:
    with pytest.raises(ValueError, match="status 'lost'"):
        write_cusres([response("lost")], "KOUANCUS", "QD", "KR1", NOW)


def test_cusres_with_an_unknown_status_code_is_refused() -> None:
    text = write_cusres([response("held")], "KOUANCUS", "QD", "KR1", NOW)
    text = replace(text, "GIS+HLD:KST:ZZZ'", "GIS+XXX:KST:ZZZ'")
    with pytest.raises(ValidationFailed) as caught:
        parse_cusres(text)
    assert [(f.field, f.value) for f in caught.value.fields] == [("message 1 status", "XXX")]


def test_the_headers_packages_and_gross_weight_are_read_written_and_named_when_bad() -> None:
    """PAC and MEA+WT+G before the goods items: what the manifest's write-off checks."""
    [declaration] = [d for _, d, _ in validate_messages(parse_cusdec(SAMPLE))][:1]
    assert declaration is not None and declaration.packages is None
    weighed = declaration.model_copy(update={"packages": 120, "gross_weight_kg": Decimal("1350.5")})
    text = write_cusdec([weighed], "QDBROKER01", "KOUANCUS", "KB1", NOW)
    assert "PAC+120'" in text and "MEA+WT+G+KGM:1350.5'" in text
    assert round_trip([weighed]) == [weighed]
    bad = text.replace("PAC+120'", "PAC+12O'").replace("KGM:1350.5'", "LBR:1350.5'")
    message = parse_cusdec(bad).messages[0]
    assert [(e.field, e.value) for e in message.errors] == [
        ("message 1 packages", "12O"),
        ("message 1 gross_weight_kg", "LBR:1350.5"),
    ]
    assert f"segment {line_of(bad, 'PAC+12O')}" in message.errors[0].expected
