"""A name read into its parts, each part with its Latin spellings (the system that gave each)
and its keys per family of romanizations (zh, ko, ja, ru), under which differently romanized
spellings of one name meet. Which families a name is read in follows its nationality and script;
a name whose nationality is not known is read in all of them.

Han characters are read as Chinese (pinyin) only for a Chinese name (nationality CN, HK, MO, TW,
or `chinese=True`); a Japanese name in kanji stays unread and needs a kana or Latin alias
(`unread_warning`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from kouan.domain.identifiers import validate_country
from kouan.domain.names import chinese, japanese, korean, messages, russian
from kouan.domain.names.text import (
    CYRILLIC,
    HAN,
    HANGUL,
    KANA,
    LATIN,
    fold,
    icao_spelling,
    is_folded,
    word_script,
    words,
)
from kouan.domain.reasons import Reason

ZH, KO, KV, JA, RU = "zh", "ko", "kv", "ja", "ru"
# A name of unknown origin is read in every family but the coarse Korean one (KV), which
# would take YOKO for YUKO: that one only for a Korean name.
ALL_FAMILIES = frozenset({ZH, KO, JA, RU})
EVERY_FAMILY = ALL_FAMILIES | {KV}
# How a Latin word is read in each family: its keys -> the system its spelling is in.
FAMILY_KEYS: dict[str, Callable[[str], dict[str, str]]] = {
    ZH: chinese.keys, KO: korean.keys, KV: korean.variant_keys, JA: japanese.keys,
    RU: russian.keys,
}  # fmt: skip
CHINESE_COUNTRIES = frozenset({"CN", "HK", "MO", "TW"})
_SOUTHERN_COUNTRIES = frozenset({"HK", "MO", "SG", "MY"})
_FAMILY_OF_COUNTRY = {
    **dict.fromkeys(CHINESE_COUNTRIES | {"SG"}, ZH),
    "KR": KO, "KP": KO, "JP": JA,
    # Countries whose passports transliterate from Cyrillic (or did, for older documents).
    **dict.fromkeys(str.split("RU UA BY KZ KG UZ TJ TM AZ AM GE MD MN BG RS MK ME"), RU),
}  # fmt: skip

LATIN_SYSTEM, DIACRITICS, ICAO_LATIN, ANYASCII, NATIVE = (
    "latin", "diacritics", "icao_latin", "anyascii", "native",
)  # fmt: skip


@dataclass(frozen=True, slots=True, eq=False)
class Part:
    """One part of a name (a word, or a CJK surname or given name) and its Latin spellings."""

    raw: str
    spellings: tuple[str, ...]
    systems: tuple[str, ...]  # the system of each spelling
    keys: Mapping[str, Mapping[str, str]]  # family -> key -> system
    native: bool  # read from another script than Latin
    initial: bool
    weight: float

    @property
    def main(self) -> str:
        return self.spellings[0]

    def system_of(self, spelling: str) -> str:
        return self.systems[self.spellings.index(spelling)]


@dataclass(frozen=True, slots=True, eq=False)
class Name:
    """A name as written and its parts; `families` are the romanizations it is read in."""

    text: str
    parts: tuple[Part, ...]
    families: frozenset[str]
    unread: tuple[str, ...] = ()  # words that could not be read (kanji of a Japanese name)


@lru_cache(maxsize=4096)
def country(value: str | None) -> str | None:
    """ISO 3166 alpha-2 from alpha-2 or alpha-3, or None when empty or unknown."""
    if not value:
        return None
    try:
        return validate_country(value)
    except ValueError:
        return None


def _weight(spelling: str, initial: bool) -> float:
    # Longer parts weigh more (a typo in MOHAMMED matters less than one in LI), within bounds.
    return 2.0 if initial else float(min(10, max(2, len(spelling))))


def _keys(spellings: tuple[str, ...], families: frozenset[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for family in families:
        found: dict[str, str] = {}
        for spelling in spellings:
            for key, system in FAMILY_KEYS[family](spelling).items():
                found.setdefault(key, system)
        if found:
            out[family] = found
    return out


def _part(
    raw: str,
    spelled: list[tuple[str, str]],
    native: bool,
    fams: frozenset[str],
    keys: dict[str, dict[str, str]] | None = None,
) -> Part:
    unique: dict[str, str] = {}
    for spelling, system in spelled:
        if spelling:
            unique.setdefault(spelling, system)
    spellings = tuple(unique) or (raw,)
    systems = tuple(unique.values()) or (NATIVE,)
    initial = len(spellings[0]) == 1 and not native
    return Part(
        raw, spellings, systems, _keys(tuple(unique), fams) if keys is None else keys, native,
        initial,
        _weight(spellings[0], initial),
    )  # fmt: skip


@lru_cache(maxsize=1_000_000)
def latin_part(word: str) -> Part:
    """A Latin word: folded to A-Z (marks dropped), and ICAO 9303's spelling of Ä Ö Ü Å Æ Ø ß."""
    folded = fold(word)
    spelled = [(folded, LATIN_SYSTEM if is_folded(word) else DIACRITICS)]
    icao = icao_spelling(word)
    if icao:
        spelled.append((icao, ICAO_LATIN))
    return _part(word, spelled, False, EVERY_FAMILY)


@lru_cache(maxsize=300_000)
def chinese_part(chars: str, surname: bool, cc: str | None) -> Part:
    pinyin = chinese.read(chars, surname)
    spelled = chinese.spellings(pinyin)
    if cc in ("HK", "MO"):
        # Hong Kong and Macao passports write the Cantonese reading (陳大文 CHAN TAI MAN).
        spelled += [(s, chinese.CANTONESE) for s in chinese.cantonese(chars, surname)]
    if surname and cc in _SOUTHERN_COUNTRIES:
        spelled += [(s, chinese.CANTONESE) for s in chinese.southern_spellings(pinyin)]
    spelled.append((chars, NATIVE))
    # The native part's key is its pinyin: Latin words meet it through chinese.keys.
    return _part(chars, spelled, True, frozenset(), {ZH: {pinyin.upper(): chinese.PINYIN}})


@lru_cache(maxsize=300_000)
def korean_part(hangul: str, surname: bool) -> Part:
    spelled = [(korean.revised(hangul), korean.RR)]
    if surname:
        spelled += [(s, korean.PASSPORT) for s in korean.surname_spellings(hangul)]
    else:
        spelled.append((korean.passport(hangul), korean.PASSPORT))
    spelled += [(korean.mccune(hangul), korean.MR), (hangul, NATIVE)]
    return _part(hangul, spelled, True, frozenset({KO, KV}))


@lru_cache(maxsize=100_000)
def kana_part(kana: str) -> Part:
    spelled = [(s, japanese.HEPBURN) for s in japanese.spellings(kana)] + [(kana, NATIVE)]
    return _part(kana, spelled, True, frozenset({JA}))


@lru_cache(maxsize=300_000)
def cyrillic_part(word: str) -> Part:
    spelled = [*russian.spellings(word), (word, NATIVE)]
    return _part(word, spelled, True, frozenset({RU}))


@lru_cache(maxsize=100_000)
def other_part(word: str) -> Part:
    """A word of another script (Thai, Greek, Arabic ...): anyascii's reading, approximate."""
    return _part(word, [(fold(word), ANYASCII), (word, NATIVE)], True, frozenset())


@lru_cache(maxsize=100_000)
def unread_part(word: str) -> Part:
    """Han characters of a name that is not Chinese: only the same characters match them."""
    return _part(word, [(word, NATIVE)], True, frozenset())


def _split_surname(word: str, compounds: frozenset[str]) -> tuple[str, str]:
    cut = 2 if len(word) >= 3 and word[:2] in compounds else 1
    return word[:cut], word[cut:]


def _native_parts(script: str, native: list[str], is_chinese: bool, cc: str | None) -> list[Part]:
    """Parts of the words of one East Asian script; a single word of several syllables is a
    surname and a given name written together (张伟, 김민준)."""
    if script == HAN and is_chinese:
        if len(native) == 1 and len(native[0]) >= 2:
            family, given = _split_surname(native[0], chinese.COMPOUND_SURNAMES)
            return [chinese_part(family, True, cc), chinese_part(given, False, cc)]
        return [chinese_part(w, n == 0, cc) for n, w in enumerate(native)]
    if script == HANGUL:
        if len(native) == 1 and len(native[0]) >= 2:
            family, given = _split_surname(native[0], korean.COMPOUND_SURNAMES)
            return [korean_part(family, True), korean_part(given, False)]
        return [korean_part(w, n == 0 and len(native) > 1) for n, w in enumerate(native)]
    if script == HAN:
        return [unread_part(w) for w in native]
    return [kana_part(w) for w in native]


def _families(cc: str | None, scripts: set[str], is_chinese: bool) -> frozenset[str]:
    families = set()
    if cc in _FAMILY_OF_COUNTRY:
        families.add(_FAMILY_OF_COUNTRY[cc])
    families |= {
        family for script, family in ((HANGUL, KO), (KANA, JA), (CYRILLIC, RU)) if script in scripts
    }
    if KO in families:
        families.add(KV)
    if HAN in scripts and is_chinese:
        families.add(ZH)
    if cc is None and not families:
        return ALL_FAMILIES
    return frozenset(families)


# A watch list of a million entries has as many names, a third of them repeated: read once.
@lru_cache(maxsize=1_000_000)
def parse(text: str, nationality: str | None = None, chinese_name: bool | None = None) -> Name:
    """The name `text` read into parts. `nationality` (alpha-2 or alpha-3) says which
    romanizations apply; `chinese_name` overrides whether Han characters are read as Chinese."""
    cc = country(nationality)
    is_chinese = chinese_name if chinese_name is not None else cc in CHINESE_COUNTRIES
    written = words(text)
    kinds = [word_script(w) for w in written]
    scripts = set(kinds)
    parts: list[Part] = []
    unread: list[str] = []
    pending: list[str] = []  # consecutive words of one East Asian script
    pending_script = ""
    for word, script in [*zip(written, kinds, strict=True), ("", "")]:
        if pending and script != pending_script:
            parts += _native_parts(pending_script, pending, is_chinese, cc)
            if pending_script == HAN and not is_chinese:
                unread += pending
            pending = []
        if not word:
            break
        if script in (HAN, HANGUL, KANA):
            pending.append(word)
            pending_script = script
        elif script == LATIN:
            parts.append(latin_part(word))
        elif script == CYRILLIC:
            parts.append(cyrillic_part(word))
        else:
            parts.append(other_part(word))
    return Name(text, tuple(parts), _families(cc, scripts, is_chinese), tuple(unread))


@lru_cache(maxsize=200_000)
def merged(first: Part, second: Part) -> Part:
    """Two parts written as one (XIAO MING as XIAOMING): the spellings joined, keys again."""
    spelled = [
        (a + b, system)
        for a, system in zip(first.spellings[:3], first.systems[:3], strict=True)
        for b in second.spellings[:3]
        if a.isascii() and b.isascii()
    ]
    families = frozenset(first.keys) | frozenset(second.keys)
    spelled = spelled or [(first.main + second.main, first.systems[0])]
    return _part(f"{first.raw} {second.raw}", spelled, first.native or second.native, families)


def reading_warnings(
    name: str, aliases: list[str] | tuple[str, ...] = (), nationality: str | None = None
) -> list[Reason]:
    """What a watch-list entry lacks to be found from a passport: a Japanese name in kanji (or
    Han characters of a name that is not Chinese) without a kana or Latin alias, a name in a
    script read only approximately (Thai, Arabic ...) without a Latin alias. Empty when none."""
    cc = country(nationality)
    names = [parse(text, cc) for text in (name, *aliases) if text and text.strip()]
    readable = [n for n in names if not n.unread and not _approximate(n)]
    if readable or not names:
        return []
    first = names[0]
    if first.unread:
        japanese_name = cc == "JP" or any(word_script(w) == KANA for w in words(first.text))
        key = "screening.warning.kanji" if japanese_name else "screening.warning.han"
        return [messages.reason(key, name=first.text)]
    return [messages.reason("screening.warning.approximate", name=first.text)]


def _approximate(name: Name) -> bool:
    return any(ANYASCII in part.systems for part in name.parts)
