"""Cyrillic names: spelled by the iuliia library's schemes as passports and lists spell them
(ICAO 9303 since 2013, BGN/PCGN, the older Russian passports' MVD 310 and GOST 52535, the common
Wikipedia spelling), the leftovers (Ukrainian letters) by anyascii; and a key under which these
spellings meet (SERGEI = SERGEY = SERGEJ, IURII = YURIY = YURI, KHR = HR, IVANOFF = IVANOV)."""

from __future__ import annotations

import re
from functools import lru_cache

import iuliia

from kouan.domain.names.text import fold

ICAO, BGN, MVD, COMMON, VARIANT = "icao", "bgn", "mvd", "common", "ru_variant"

# In the order a reason names them: the first scheme that gives a spelling is its system.
_SCHEMES = (
    (iuliia.ICAO_DOC_9303, ICAO),
    (iuliia.BGN_PCGN, BGN),
    (iuliia.MVD_310, MVD),
    (iuliia.GOST_52535, MVD),
    (iuliia.MVD_782, MVD),
    (iuliia.WIKIPEDIA, COMMON),
)


@lru_cache(maxsize=200_000)
def spellings(word: str) -> tuple[tuple[str, str], ...]:
    """A Cyrillic word's Latin spellings (A-Z) -> scheme, the ICAO 9303 one first."""
    found: dict[str, str] = {}
    for schema, system in _SCHEMES:
        latin = fold(schema.translate(word))
        if latin:
            found.setdefault(latin, system)
    return tuple(found.items())


_REWRITES = [
    (re.compile(p), r)
    for p, r in (
        # Not KH as H, nor a first J as Y: KHAN is not HAN, JIN is not YIN (ICAO and BGN
        # both write Х as KH and Й, Ю, Я with I or Y).
        (r"SHCH|SHTCH|SCH", "Q"), (r"TS|TZ", "C"), (r"X", "KS"), (r"CK", "K"),
        (r"W", "V"), (r"FF$", "V"), (r"Y|(?<!^)J", "I"), (r"^IE", "E"), (r"(?<=[AEIOU])IE", "E"),
        (r"IO", "E"), (r"(.)\1+", r"\1"),
    )
]  # fmt: skip


@lru_cache(maxsize=1_000_000)
def keys(word: str) -> dict[str, str]:
    """A Latin word (A-Z) read as a transliterated Russian name: its key -> system."""
    key = word
    for pattern, replacement in _REWRITES:
        key = pattern.sub(replacement, key)
    return {key: VARIANT} if len(key) >= 2 else {}
