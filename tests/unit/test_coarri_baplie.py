"""The COARRI and BAPLIE readers on the real messages (../shared/data/edifact, php-edifact's test
files, LGPL-3.0) and on messages written here: moves, slots, TEU, tolerance and refusals."""

from __future__ import annotations

from datetime import datetime

import pytest

from kouan.adapters import baplie, coarri
from kouan.adapters.coarri import Move, Voyage, container_ok, teu_of
from tests.conftest import shared_data

COARRI = shared_data("edifact", "php-edifact_D95BCOARRI.edi").read_text()
BAPLIE = shared_data("edifact", "php-edifact_D95BBAPLIE.edi").read_text()


@pytest.mark.parametrize(
    ("size_type", "teu"),
    [
        ("22G1", 1),
        ("20G0", 1),
        ("42G1", 2),
        ("45G1", 2),
        ("45R1", 2),
        ("L5G1", 2),
        ("4200", 2),
        ("4500", 2),
        ("1000", 1),
        ("", None),
        ("X5G1", None),
        ("??", None),
    ],
)
def test_teu_follows_the_length_code_of_the_size_type(size_type: str, teu: int | None) -> None:
    assert teu_of(size_type) == teu


def test_check_digits_as_iso_6346_computes_them() -> None:
    assert container_ok("CSQU3054383") and container_ok("TEMU3412100")
    assert not container_ok("CSQU3054384") and not container_ok("CSQX3054383")
    assert not container_ok("CSQU305438") and not container_ok("C1QU3054383")


def test_the_real_coarri_gives_its_21_moves() -> None:
    result = coarri.read_coarri(COARRI)
    assert result.errors == [] and result.warnings == []
    discharge, loading = result.messages
    assert (discharge.kind, loading.kind) == ("discharged", "loaded")
    assert discharge.voyage == Voyage("031W", "3ERX3", "103", "COSCO AFRICA", "COS", "ITGOA")
    assert loading.voyage.voyage == "032E" and len(loading.moves) == 19
    first = discharge.moves[0]
    assert (first.container, first.size_type, first.teu, first.full) == (
        "FCIU9908030",
        "45G1",
        2,
        True,
    )
    assert first.at == datetime(2016, 2, 3, 9, 13)
    assert (first.gross_kg, first.tare_kg, first.seals, first.position) == (
        8914.0,
        4000.0,
        ["SI"],
        "380886",
    )
    assert loading.moves[0].booking == "9000157890"
    assert sum(m.teu or 0 for m in result.moves) == 40
    assert all(container_ok(m.container) for m in result.moves)


def test_the_real_bay_plan_gives_its_three_slots() -> None:
    result = baplie.read_baplie(BAPLIE)
    assert result.errors == [] and result.warnings == []
    (plan,) = result.plans
    assert plan.voyage.vessel_name == "OOCL BEIJING" and plan.departure_port == "USLGB"
    assert [(s.position, s.container, s.teu, s.discharge_port) for s in plan.slots] == [
        ("0780690", "OOLU4293959", 2, "CNYTN"),
        ("0060886", "MOEU0710945", 2, "CNXMN"),
        ("0100114", "OOLU8757889", 2, "TWKHH"),
    ]
    assert plan.slots[2].gross_kg == 26000 and plan.slots[2].full is True


def test_unknown_qualifiers_and_a_bad_check_digit_are_warned_not_refused() -> None:
    text = (
        COARRI.replace("EQD+CN+FCIU9908030+45G1", "EQD+CN+FCIU9908031+X5G1")
        .replace("LOC+147+380886::6'", "LOC+999+380886::6'")
        .replace("MEA+AAE+EGW+KGM:8914'", "MEA+AAE+EGW+KGM:8914'XYZ+1'")
        .replace("UNT+33+", "UNT+34+")
    )
    result = coarri.read_coarri(text)
    assert result.errors == []
    assert [(w.segment, w.element, w.value) for w in result.warnings] == [
        ("segment 9 (EQD+CN)", "C237/8260", "FCIU9908031"),
        ("segment 9 (EQD+CN)", "C224/8155", "X5G1"),
        ("segment 13 (LOC+999)", "3227", "999"),
        ("segment 16 (XYZ+1)", "", "XYZ"),
    ]
    assert result.moves[0].container == "FCIU9908031" and result.moves[0].teu is None


@pytest.mark.parametrize(
    ("change", "where", "element"),
    [
        (("CNT+16:2'", "CNT+16:3'"), "segment 33 (CNT+16)", "C270/6066"),
        (("UNT+33+", "UNT+32+"), "segment 34 (UNT)", "0074"),
        (("UNZ+2+", "UNZ+3+"), "segment 272 (UNZ)", "0036"),
        (
            ("DTM+203:201602030913:203", "DTM+203:201613030913:203"),
            "segment 11 (DTM+203)",
            "C507/2380",
        ),
        (("DTM+203:201602030913:203", "DTM+203:18990203:102"), "segment 11 (DTM+203)", "C507/2380"),
        (("EQD+CN+FCIU9908030+", "EQD+CN++"), "segment 9 (EQD+CN)", "C237/8260"),
        (("BGM+44+", "BGM+99+"), "segment 3 (BGM+99)", "C002/1001"),
        (("MEA+AAE+EGW+KGM:8914", "MEA+AAE+EGW+KGM:heavy"), "segment 15 (MEA+AAE)", "C174/6314"),
    ],
)
def test_what_cannot_be_trusted_refuses_naming_segment_and_element(
    change: tuple[str, str], where: str, element: str
) -> None:
    result = coarri.read_coarri(COARRI.replace(*change, 1))
    assert result.messages == []
    assert (result.errors[0].segment, result.errors[0].element) == (where, element)


def test_not_edifact_and_a_cut_text_are_refused() -> None:
    assert coarri.read_coarri("hello").errors
    assert coarri.read_coarri(COARRI[: len(COARRI) // 2]).errors
    assert baplie.read_baplie(BAPLIE.replace("UNT+30+", "UNT+31+")).errors


def test_written_reports_read_back_the_same() -> None:
    moves = [
        Move(
            "discharged",
            "TEMU3412100",
            "22G1",
            1,
            True,
            datetime(2026, 11, 27, 8, 30),
            28300.0,
            2000.0,
            ["SEAL1"],
            "BN1",
            "010203",
        ),
        Move(
            "loaded",
            "CBHU6192031",
            "42G1",
            2,
            False,
            datetime(2026, 11, 28, 9, 0),
            4000.0,
            None,
            [],
            "",
            "",
        ),
    ]
    voyage = Voyage("V1", "3FOF8", "103", "EVER DIADEM", "EGL", "CNTAO")
    result = coarri.read_coarri(coarri.write_coarri(moves, voyage))
    assert result.errors == [] and result.warnings == []
    read = result.moves
    for move in read:
        move.segment = 0
    assert read == moves
