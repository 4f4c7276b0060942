"""Identifiers Kouan checks on the way in (IMO, MMSI, ISO 3166, UN/LOCODE, ISO 6346).

Each validator returns the canonical form or raises ValueError whose message says what was
expected, so the caller can name the field and the value.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

import pycountry
from stdnum import imo as _imo
from stdnum import iso6346 as _iso6346

_MMSI = re.compile(r"[2-7]\d{8}")
_LOCODE = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")
_CONTAINER = re.compile(r"[A-Z]{3}[UJZ]\d{7}")

# ITU Maritime Identification Digits (first three digits of a ship station's MMSI) of the flags
# a port in China sees most; a MID missing here is still a valid MMSI, its flag just unknown.
_MID_RANGES: dict[str, tuple[int | range, ...]] = {
    "CN": (412, 413, 414),
    "HK": (477,),
    "MO": (453,),
    "TW": (416,),
    "PA": (range(351, 358), range(370, 374)),
    "LR": (636, 637),
    "MH": (538,),
    "SG": (range(563, 567),),
    "GR": (237, 239, 240, 241),
    "MT": (215, 229, 248, 249, 256),
    "CY": (209, 210, 212),
    "BS": (308, 309, 311),
    "JP": (431, 432),
    "KR": (440, 441),
    "KP": (445,),
    "RU": (273,),
    "IN": (419,),
    "VN": (574,),
    "TH": (567,),
    "MY": (533,),
    "ID": (525,),
    "PH": (548,),
    "AU": (503,),
    "NZ": (512,),
    "US": (338, 366, 367, 368, 369),
    "CA": (316,),
    "DE": (211, 218),
    "DK": (219, 220),
    "NO": (257, 258, 259),
    "SE": (265, 266),
    "FI": (230,),
    "NL": (244, 245, 246),
    "BE": (205,),
    "FR": (226, 227, 228),
    "ES": (224, 225),
    "IT": (247,),
    "PT": (263,),
    "GB": (232, 233, 234, 235),
    "IE": (250,),
    "TR": (271,),
    "AE": (470,),
    "SA": (403,),
    "BR": (710,),
}


def validate_imo(value: str) -> str:
    """An IMO ship number: seven digits, the last a check digit ("IMO 9134270" is accepted)."""
    try:
        return str(_imo.validate(str(value)))
    except Exception:
        raise ValueError("an IMO number: 7 digits with a valid check digit") from None


def validate_mmsi(value: str) -> str:
    """A ship station's MMSI: nine digits, the first three (the MID) starting with 2 to 7."""
    mmsi = str(value).replace(" ", "")
    if not _MMSI.fullmatch(mmsi):
        raise ValueError("an MMSI: 9 digits, the first 2 to 7 (a ship station)")
    return mmsi


def mmsi_flag(mmsi: str) -> str | None:
    """The flag (ISO 3166 alpha-2) an MMSI's MID stands for, or None for a MID not in the table."""
    return _mid_flags().get(validate_mmsi(mmsi)[:3])


@cache
def _mid_flags() -> dict[str, str]:
    flags = {}
    for country, mids in _MID_RANGES.items():
        for mid in mids:
            for number in mid if isinstance(mid, range) else (mid,):
                flags[str(number)] = country
    return flags


def validate_country(value: str) -> str:
    """An ISO 3166 country as alpha-2, given as alpha-2 or alpha-3 in any case ("chn" -> "CN")."""
    code = _countries().get(str(value).strip().upper())
    if code is None:
        raise ValueError("an ISO 3166 country code: 2 or 3 letters, e.g. CN or CHN")
    return code


def country_alpha3(value: str) -> str:
    """The ISO 3166 alpha-3 code of a country given as alpha-2 or alpha-3 ("CN" -> "CHN")."""
    return _alpha3()[validate_country(value)]


@cache
def _countries() -> dict[str, str]:
    # Built once: pycountry.lookup scans every record and is too slow for a per-field check.
    codes = {c.alpha_2: c.alpha_2 for c in pycountry.countries}
    codes.update({c.alpha_3: c.alpha_2 for c in pycountry.countries})
    return codes


@cache
def _alpha3() -> dict[str, str]:
    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}


def validate_locode(value: str) -> str:
    """A UN/LOCODE Kouan knows, as five characters ("cn tao" -> "CNTAO"); CNQIN is Qingdao too."""
    code = _normalise_locode(value)
    if not _LOCODE.fullmatch(code):
        raise ValueError("a UN/LOCODE: 2-letter country and 3-character place, e.g. CNTAO")
    if code not in _locodes():
        raise ValueError("a UN/LOCODE in Kouan's reference data, e.g. CNTAO")
    return code


def is_known_locode(code: str) -> bool:
    """Whether the code (in any spelling validate_locode accepts) is in the reference data."""
    return _normalise_locode(code) in _locodes()


def locode_name(code: str) -> str | None:
    """The place's name from the reference data ("CNTAO" -> "Qingdao"), None when unknown."""
    return _locodes().get(_normalise_locode(code))


def _normalise_locode(value: str) -> str:
    # UN/LOCODE is often written with a space after the country ("CN TAO").
    return str(value).strip().upper().replace(" ", "")


@cache
def _locodes() -> dict[str, str]:
    """The names of the places in the reference file shipped with the package, read on first use."""
    source = resources.files("kouan").joinpath("reference", "locodes.csv")
    rows = csv.DictReader(source.read_text(encoding="utf-8").splitlines())
    return {row["locode"]: row["name"] for row in rows}


@cache
def _airports() -> dict[str, str]:
    """Airports by IATA code, their ISO 3166 country (reference/airports.csv)."""
    source = resources.files("kouan").joinpath("reference", "airports.csv")
    rows = csv.DictReader(source.read_text(encoding="utf-8").splitlines())
    return {row["iata"]: row["country"] for row in rows}


def airport_country(code: str) -> str | None:
    """The country of an airport known by its IATA code ("NRT" -> "JP"), else None."""
    return _airports().get(str(code).strip().upper())


# An airport's English name short enough for a chart ("Shanghai Pudong"); Chinese keeps its own.
_AIRPORT_SUFFIXES = (" International Airport", " Airport")


@cache
def _port_names() -> dict[str, tuple[str, str]]:
    """(English, Chinese) names of seaports by UN/LOCODE (reference/port_names.csv) and of
    airports by IATA code (reference/airports.csv)."""
    folder = resources.files("kouan").joinpath("reference")
    names: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(folder.joinpath("airports.csv").read_text("utf-8").splitlines()):
        english = row["name"]
        for suffix in _AIRPORT_SUFFIXES:
            english = english.removesuffix(suffix)
        names[row["iata"]] = (english, row["name_zh"])
    for row in csv.DictReader(folder.joinpath("port_names.csv").read_text("utf-8").splitlines()):
        names[row["code"]] = (row["name"], row["name_zh"])
    return names


def port_name(code: str, lang: str) -> str:
    """A port's name in `lang` ("zh" or "en") by its UN/LOCODE or an airport's IATA code:
    "CNNGB" is "宁波舟山港" / "Ningbo-Zhoushan", "PVG" "上海浦东国际机场" / "Shanghai Pudong";
    the code itself (as given, trimmed) for a port Kouan has no name of."""
    text = str(code).strip()
    names = _port_names().get(_normalise_locode(text))
    if names is None:
        return text
    return names[1] if lang == "zh" else names[0]


def validate_container(value: str) -> str:
    """An ISO 6346 container number: owner code, category U, J or Z, serial and check digit."""
    number = str(value).replace(" ", "").upper()
    if not _CONTAINER.fullmatch(number) or not _iso6346.is_valid(number):
        raise ValueError(
            "an ISO 6346 container number: 3 letters, U, J or Z, 6 digits and a valid check digit"
        )
    return number


_HS_DIGITS = re.compile(r"\d{6}(\d{2}){0,2}")


def validate_hs(value: str) -> str:
    """An HS 2022 goods code: a 6-digit subheading, or a national 8- or 10-digit extension of one.

    Dots and spaces are dropped ("8471.30" -> "847130"); the first six digits must be a subheading.
    """
    code = str(value).strip().replace(".", "").replace(" ", "")
    if not _HS_DIGITS.fullmatch(code):
        raise ValueError("an HS code: 6, 8 or 10 digits, e.g. 847130 or 8471300000")
    if code[:6] not in _hs_subheadings():
        raise ValueError("an HS code whose first 6 digits are an HS 2022 subheading, e.g. 847130")
    return code


@cache
def _hs_subheadings() -> frozenset[str]:
    """The 6-digit subheadings of the HS 2022 file shipped with the package, read on first use."""
    source = resources.files("kouan").joinpath("reference", "hs2022.csv")
    rows = csv.DictReader(source.read_text(encoding="utf-8").splitlines())
    return frozenset(row["hscode"] for row in rows if row["level"] == "6")


# Ids are INTEGER on every database: the largest any row can have.
MAX_ID = 2_147_483_647


def valid_id(value: int) -> bool:
    """Whether a row can have this id (anything else is simply not found)."""
    return 0 < value <= MAX_ID
