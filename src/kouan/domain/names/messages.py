"""The messages of name matching and screening: English templates with {named} parameters,
translated in locale/*/LC_MESSAGES/screening.po. `register_templates()` adds them to the reasons'
catalogue (kouan.domain.reasons.TEMPLATES); it is idempotent, and `reason()` calls it first, so a
reason made here is never refused as unknown."""

from __future__ import annotations

from typing import Any

from kouan.domain import reasons
from kouan.domain.reasons import Reason

TEMPLATES: dict[str, str] = {
    # how one part of a name matched the other name's
    "screening.part.exact": "{a} is {b}",
    "screening.part.diacritics": "{a} is {b} without diacritics",
    "screening.part.transliteration": "{a} is {b} in {system}",
    "screening.part.variant": "{a} and {b} are spellings of one name ({system})",
    "screening.part.typo": "{a} and {b} differ by {distance} letter(s)",
    "screening.part.initial": "{a} is an initial of {b}",
    "screening.part.differs": "{a} differs from {b}",
    "screening.part.missing": "{a} has no counterpart in the other name",
    "screening.part.joined": "{a} written as {b}: {how}",
    "screening.reordered": "the parts of the name are in another order",
    "screening.name": "name {name} against {listed}: score {score}",
    # the systems that spell a name in Latin letters
    "screening.system.latin": "the Latin alphabet",
    "screening.system.doubled": "a letter written once or twice",
    "screening.system.diacritics": "letters without their diacritics",
    "screening.system.icao_latin": "ICAO 9303's spelling of letters with diacritics",
    "screening.system.anyascii": "an approximate transliteration",
    "screening.system.native": "the name's own script",
    "screening.system.pinyin": "pinyin",
    "screening.system.wade_giles": "Wade–Giles",
    "screening.system.cantonese": "Cantonese or Hokkien spelling",
    "screening.system.rr": "Revised Romanization of Korean",
    "screening.system.mr": "McCune–Reischauer",
    "screening.system.ko_passport": "Korean passport spelling",
    "screening.system.ko_variant": "Korean romanization variant",
    "screening.system.hepburn": "Hepburn",
    "screening.system.hepburn_variant": "Hepburn variant (long vowels, kunrei-shiki)",
    "screening.system.icao": "ICAO 9303 transliteration of Cyrillic",
    "screening.system.bgn": "BGN/PCGN transliteration of Cyrillic",
    "screening.system.mvd": "older Russian passport transliteration",
    "screening.system.common": "common English spelling of Cyrillic",
    "screening.system.ru_variant": "Cyrillic transliteration variant",
    # the rest of a person
    "screening.dob.exact": "date of birth {date} is the listed one",
    "screening.dob.year": "year of birth {year} is the listed one",
    "screening.dob.swapped": (
        "date of birth {date} is the listed {listed} with day and month swapped"
    ),
    "screening.dob.near": "date of birth {date} is {years} year(s) from the listed {listed}",
    "screening.dob.differs": "date of birth {date} differs from the listed {listed}",
    "screening.nationality.same": "nationality {nationality} is the listed one",
    "screening.nationality.differs": "nationality {nationality} differs from the listed {listed}",
    "screening.document.exact": "document number {number} is the listed one",
    "screening.document.near": "document number {number} is close to the listed {listed}",
    "screening.document.differs": "document number {number} differs from the listed {listed}",
    "screening.hit": "watch-list entry {entry} ({source}), score {score}: {reasons}",
    # warnings of a watch list's import
    "screening.warning.kanji": (
        "{name}: a Japanese name in kanji cannot be read without a kana or Latin alias"
    ),
    "screening.warning.han": (
        "{name}: Han characters are read only for a Chinese name (nationality CN, HK, MO or TW); "
        "give a Latin alias"
    ),
    "screening.warning.approximate": (
        "{name}: this script is read only approximately; give a Latin alias"
    ),
}


def register_templates() -> None:
    """Add the screening templates to the reasons' catalogue (idempotent)."""
    reasons.register(TEMPLATES)


def reason(key: str, **params: Any) -> Reason:
    """A reason of name matching (its templates registered first)."""
    if key not in reasons.TEMPLATES:
        register_templates()
    return Reason(key, params)


def system(name: str | None) -> Reason:
    """The reason naming a spelling system; an unknown one is named as a transliteration."""
    key = f"screening.system.{name}"
    return reason(key if key in TEMPLATES else "screening.system.anyascii")
