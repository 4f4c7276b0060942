"""Identifiers: check digits computed here from the standards, real numbers from shared data."""

from __future__ import annotations

import csv
import re
import runpy
import string
from pathlib import Path

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pycountry.db import Country

from kouan.domain import identifiers
from tests.conftest import ROOT, shared_data

LOCODES_CSV = ROOT / "src" / "kouan" / "reference" / "locodes.csv"
ISO6346_LETTERS = {
    # ISO 6346 letter values: from 10 up, skipping multiples of 11.
    letter: value
    for letter, value in zip(
        string.ascii_uppercase, (v for v in range(10, 39) if v % 11), strict=True
    )
}


def imo_check_digit(six: str) -> str:
    """IMO: weights 7 down to 2 on the first six digits, the sum's last digit."""
    return str(sum(int(d) * w for d, w in zip(six, range(7, 1, -1), strict=True)) % 10)


def iso6346_check_digit(ten: str) -> str:
    """ISO 6346: letter or digit values weighted by 2**position, modulo 11, 10 written as 0."""
    values = [ISO6346_LETTERS.get(c) or int(c) for c in ten]
    return str(sum(v * 2**i for i, v in enumerate(values)) % 11 % 10)


six_digits = st.text(alphabet=string.digits, min_size=6, max_size=6)
owner_codes = st.text(alphabet=string.ascii_uppercase, min_size=3, max_size=3)
categories = st.sampled_from("UJZ")


@given(six_digits)
def test_imo_with_computed_check_digit_validates(six: str) -> None:
    number = six + imo_check_digit(six)
    assert identifiers.validate_imo(number) == number
    assert identifiers.validate_imo(f"IMO {number}") == number


@given(six_digits, st.integers(1, 9))
def test_imo_with_wrong_check_digit_fails(six: str, offset: int) -> None:
    wrong = str((int(imo_check_digit(six)) + offset) % 10)
    with pytest.raises(ValueError, match="IMO number"):
        identifiers.validate_imo(six + wrong)


@given(owner_codes, categories, six_digits)
def test_container_with_computed_check_digit_validates(owner: str, cat: str, serial: str) -> None:
    ten = owner + cat + serial
    number = ten + iso6346_check_digit(ten)
    assert identifiers.validate_container(number) == number
    assert identifiers.validate_container(f"{ten.lower()} {number[-1]}") == number


@given(owner_codes, categories, six_digits, st.integers(1, 9))
def test_container_with_wrong_check_digit_fails(
    owner: str, cat: str, serial: str, offset: int
) -> None:
    ten = owner + cat + serial
    wrong = str((int(iso6346_check_digit(ten)) + offset) % 10)
    with pytest.raises(ValueError, match="ISO 6346"):
        identifiers.validate_container(ten + wrong)


@given(owner_codes, st.sampled_from("ABRTX"), six_digits)
def test_container_category_other_than_u_j_z_fails(owner: str, cat: str, serial: str) -> None:
    ten = owner + cat + serial
    with pytest.raises(ValueError, match="U, J or Z"):
        identifiers.validate_container(ten + iso6346_check_digit(ten))


@pytest.mark.parametrize(
    ("name", "count"), [("php-edifact_D95BBAPLIE.edi", 3), ("php-edifact_D95BCOARRI.edi", 21)]
)
def test_real_container_numbers_validate(name: str, count: int) -> None:
    text = shared_data("edifact", name).read_text(encoding="latin-1")
    numbers = re.findall(r"EQD\+CN\+([^+:']+)", text)
    assert len(numbers) == count
    assert [identifiers.validate_container(n) for n in numbers] == numbers


@given(st.integers(2, 7), st.text(alphabet=string.digits, min_size=8, max_size=8))
def test_mmsi_of_nine_digits_from_mid_2_to_7_validates(first: int, rest: str) -> None:
    assert identifiers.validate_mmsi(f"{first}{rest}") == f"{first}{rest}"


@given(st.sampled_from("0189"), st.text(alphabet=string.digits, min_size=8, max_size=8))
def test_mmsi_starting_outside_2_to_7_fails(first: str, rest: str) -> None:
    with pytest.raises(ValueError, match="MMSI"):
        identifiers.validate_mmsi(first + rest)


@pytest.mark.parametrize("value", ["41200000", "4120000001", "41200000A", ""])
def test_mmsi_of_other_length_or_letters_fails(value: str) -> None:
    with pytest.raises(ValueError, match="9 digits"):
        identifiers.validate_mmsi(value)


# The MIDs REFERENCE.md lists.
REFERENCE_MIDS = {
    "CN": [412, 413, 414],
    "HK": [477],
    "PA": [*range(351, 358), *range(370, 374)],
    "LR": [636],
    "MH": [538],
    "SG": [563, 564, 565, 566],
    "GR": [237, 239, 240, 241],
    "MT": [215, 229, 248, 249, 256],
    "JP": [431, 432],
    "KR": [440, 441],
}


@pytest.mark.parametrize(
    ("mid", "flag"), [(mid, flag) for flag, mids in REFERENCE_MIDS.items() for mid in mids]
)
def test_mmsi_flag_of_reference_mids(mid: int, flag: str) -> None:
    assert identifiers.mmsi_flag(f"{mid}123456") == flag


def test_mmsi_flag_of_unlisted_mid_is_none() -> None:
    assert identifiers.mmsi_flag("200123456") is None


@given(st.sampled_from(list(pycountry.countries)))
def test_country_alpha3_and_alpha2_in_any_case_give_alpha2(country: Country) -> None:
    assert identifiers.validate_country(country.alpha_3.lower()) == country.alpha_2
    assert identifiers.validate_country(f" {country.alpha_2.lower()} ") == country.alpha_2
    assert identifiers.country_alpha3(country.alpha_2) == country.alpha_3


KNOWN_COUNTRY_CODES = {c.alpha_2 for c in pycountry.countries} | {
    c.alpha_3 for c in pycountry.countries
}


@given(
    st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=4).filter(
        lambda code: code not in KNOWN_COUNTRY_CODES
    )
)
def test_unknown_country_code_fails(code: str) -> None:
    with pytest.raises(ValueError, match="ISO 3166"):
        identifiers.validate_country(code)


def reference_locodes() -> dict[str, dict[str, str]]:
    with LOCODES_CSV.open(encoding="utf-8", newline="") as f:
        return {row["locode"]: row for row in csv.DictReader(f)}


@given(st.sampled_from(sorted(reference_locodes())), st.booleans(), st.booleans())
def test_known_locode_in_any_spelling_gives_five_capitals(
    code: str, spaced: bool, lower: bool
) -> None:
    spelling = f"{code[:2]} {code[2:]}" if spaced else code
    spelling = spelling.lower() if lower else spelling
    assert identifiers.validate_locode(spelling) == code
    assert identifiers.is_known_locode(spelling)
    assert identifiers.locode_name(spelling) == reference_locodes()[code]["name"]


@given(
    st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=2),
    st.text(alphabet=string.ascii_uppercase + "23456789", min_size=3, max_size=3),
)
def test_well_formed_locode_validates_only_when_in_reference(country: str, place: str) -> None:
    code = country + place
    if code in reference_locodes():
        assert identifiers.validate_locode(code) == code
    else:
        assert not identifiers.is_known_locode(code)
        assert identifiers.locode_name(code) is None
        with pytest.raises(ValueError, match="reference data"):
            identifiers.validate_locode(code)


@pytest.mark.parametrize("value", ["CNTA", "CNTAOX", "C1TAO", "CN-TAO", "CNTA0"])
def test_malformed_locode_fails(value: str) -> None:
    with pytest.raises(ValueError, match="2-letter country and 3-character place"):
        identifiers.validate_locode(value)


def test_qingdao_seaport_under_both_codes() -> None:
    places = reference_locodes()
    for code in ("CNTAO", "CNQIN"):
        assert identifiers.validate_locode(code) == code
        assert places[code]["function"][0] == "1"  # a port
        # The seaport (REFERENCE.md: about 36.07 N 120.3 E), not the geocoded airport record.
        assert abs(float(places[code]["lat"]) - 36.07) < 0.1
        assert abs(float(places[code]["lon"]) - 120.35) < 0.1


def test_shipped_reference_is_what_the_script_builds(tmp_path: Path) -> None:
    build = runpy.run_path(str(ROOT / "scripts" / "build_reference.py"))
    places = build["merge"](
        build["read_unlocode"](shared_data("unlocode", "geoapify_CN.csv")),
        build["read_sea_ports"](shared_data("ports", "sea-ports_ports.json")),
    )
    build["write"](places, tmp_path / "locodes.csv")
    assert (tmp_path / "locodes.csv").read_text() == LOCODES_CSV.read_text()


def test_reference_rows_are_well_formed() -> None:
    rows = reference_locodes().values()
    assert len(rows) > 3000
    for row in rows:
        assert re.fullmatch(r"[A-Z]{2}[A-Z2-9]{3}", row["locode"]), row
        assert row["country"] == row["locode"][:2]
        assert re.fullmatch(r"[0-8A-B-]{8}", row["function"]), row
        assert row["name"].strip() == row["name"] != ""
        assert (row["lat"] == "") == (row["lon"] == "")


def test_repaired_geoapify_row_keeps_its_comma_name() -> None:
    assert identifiers.locode_name("CNANX") == "Anxi, Quanzhou"
