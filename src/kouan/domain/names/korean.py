"""Korean names: Hangul syllables decomposed into their jamo (initial, medial, final) and spelled
in Revised Romanization, McCune–Reischauer (without breves and apostrophes, as on passports) and
the common passport spellings (이 LEE, 박 PARK, 김 KIM, 최 CHOI, 정 JUNG ...); and a key under
which the romanizations of one name meet (GIM = KIM, JEONG = JUNG = CHUNG, MINJUN = MINJOON)."""

from __future__ import annotations

import re
from functools import lru_cache

RR, MR, PASSPORT, VARIANT = "rr", "mr", "ko_passport", "ko_variant"

_FIRST, _LAST = 0xAC00, 0xD7A3
# Jamo in Unicode order: 19 initials, 21 medials, 28 finals (the first final is none).
_INITIAL_RR = str.split("g kk n d tt r m b pp s ss - j jj ch k t p h")
_INITIAL_MR = str.split("k kk n t tt r m p pp s ss - ch tch ch k t p h")
_MEDIAL_RR = str.split("a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i")
# McCune–Reischauer's ŏ and ŭ lose their breves on passports.
_MEDIAL_MR = str.split("a ae ya yae o e yo ye o wa wae oe yo u wo we wi yu u ui i")
_FINAL = str.split("- k k k n n n t l k m l l l p l m p p t t ng t t k t p t")
# MR voices ㄱ ㄷ ㅂ ㅈ between voiced sounds inside a word.
_VOICED_MR = {"k": "g", "t": "d", "p": "b", "ch": "j"}

# Passport spellings of surnames, the commonest first. A spelling may stand for several surnames
# (YOO for 유 and 류, CHUN for 전 and 천): 류 is written 유 at the start of a word in the South
# (the initial-sound rule) and many 류 spell it YOO, so 류 and 유 share their spellings.
SURNAMES: dict[str, tuple[str, ...]] = {
    k: tuple(v.split()) for k, v in {
        "이": "LEE YI RHEE RI I YEE", "김": "KIM GIM", "박": "PARK PAK BAK BAHK",
        "최": "CHOI CHOE CHWE CHOY", "정": "JUNG JEONG CHUNG CHONG JOUNG",
        "강": "KANG GANG", "조": "CHO JO CHOH", "윤": "YOON YUN YOUN",
        "장": "JANG CHANG", "임": "LIM IM YIM RIM", "한": "HAN HAHN", "오": "OH O",
        "서": "SEO SUH SUR", "신": "SHIN SIN", "권": "KWON GWON KWEON", "황": "HWANG",
        "안": "AHN AN", "송": "SONG", "류": "RYU YOO YU RYOO LYU YOU", "유": "YOO YU YOU RYU",
        "전": "JEON JUN CHUN CHEON", "홍": "HONG", "고": "KO GO KOH", "문": "MOON MUN",
        "양": "YANG", "손": "SON SOHN", "배": "BAE PAE BAI", "백": "BAEK BAIK PAIK PAEK",
        "허": "HEO HUH HUR", "남": "NAM", "심": "SHIM SIM", "노": "NOH ROH NO RO",
        "하": "HA", "곽": "KWAK GWAK", "성": "SUNG SEONG", "차": "CHA",
        "주": "JOO JU CHOO CHU", "우": "WOO U OO", "구": "KOO GU KU", "민": "MIN",
        "나": "NA RA", "진": "JIN CHIN", "지": "JI CHI", "엄": "EOM UM", "채": "CHAE",
        "원": "WON", "천": "CHEON CHUN", "방": "BANG PANG", "공": "KONG GONG",
        "현": "HYUN HYEON", "함": "HAM", "변": "BYUN BYEON", "염": "YEOM YUM",
        "여": "YEO YEOH", "추": "CHOO CHU", "도": "DO DOH", "소": "SO", "석": "SEOK SUK",
        "선": "SUN SEON", "설": "SEOL SUL", "마": "MA", "길": "GIL KIL", "연": "YEON YOUN",
        "위": "WI WEE", "표": "PYO", "명": "MYUNG MYEONG", "기": "KI GI", "반": "BAN PAN",
        "왕": "WANG", "금": "KEUM GEUM", "옥": "OK", "육": "YOOK YUK", "인": "IN",
        "맹": "MAENG", "제": "JE", "모": "MO", "탁": "TAK", "국": "KOOK GUK", "은": "EUN",
        "편": "PYUN PYEON", "용": "YONG", "예": "YE", "경": "KYUNG GYEONG", "봉": "BONG",
        "사": "SA", "부": "BOO BU",
        "황보": "HWANGBO", "남궁": "NAMGOONG NAMGUNG", "제갈": "JEGAL", "선우": "SUNWOO SEONU",
        "독고": "DOKGO", "사공": "SAGONG", "서문": "SEOMUN",
    }.items()
}  # fmt: skip
COMPOUND_SURNAMES = frozenset(k for k in SURNAMES if len(k) == 2)


def is_syllable(char: str) -> bool:
    return _FIRST <= ord(char) <= _LAST


def jamo(char: str) -> tuple[int, int, int]:
    """The syllable's initial, medial and final as indexes into the jamo tables."""
    index = ord(char) - _FIRST
    return index // 588, index % 588 // 28, index % 28


def _part(table: list[str], index: int) -> str:
    return "" if table[index] == "-" else table[index]


def revised(word: str) -> str:
    """Revised Romanization, syllable by syllable as for names (no change across syllables)."""
    out = []
    for char in word:
        if not is_syllable(char):
            continue
        i, m, f = jamo(char)
        out.append(_part(_INITIAL_RR, i) + _MEDIAL_RR[m] + _part(_FINAL, f))
    return "".join(out).upper()


def mccune(word: str) -> str:
    """McCune–Reischauer without breves and apostrophes (passport practice)."""
    out: list[str] = []
    voiced_before = False
    for char in word:
        if not is_syllable(char):
            continue
        i, m, f = jamo(char)
        initial = _part(_INITIAL_MR, i)
        if voiced_before and i in (0, 3, 7, 12):  # ㄱ ㄷ ㅂ ㅈ (not the aspirated ㅊ)
            initial = _VOICED_MR[initial]
        if initial == "s" and _MEDIAL_MR[m] in ("i", "wi"):
            initial = "sh"
        final = _part(_FINAL, f)
        out.append(initial + _MEDIAL_MR[m] + final)
        voiced_before = final in ("", "n", "m", "ng", "l")
    return "".join(out).upper()


def passport(word: str) -> str:
    """The spelling passports commonly give a given name (JUNG, SUNG, HYUN, YOUNG, SOO, JOON,
    HEE), syllable by syllable."""
    return "".join(_passport_syllable(*jamo(c)) for c in word if is_syllable(c)).upper()


def _passport_syllable(i: int, m: int, f: int) -> str:
    initial, vowel, final = _part(_INITIAL_RR, i), _MEDIAL_RR[m], _part(_FINAL, f)
    initial = {"g": "k", "kk": "kk"}.get(initial, initial)
    if vowel == "eo" and final:
        vowel = "u"
    elif vowel == "yeo":
        vowel = "you" if final == "ng" else ("yu" if final else "yeo")
    elif vowel == "u" and final in ("", "n"):
        vowel = "oo" if initial else "woo"  # 우 is WOO
    elif vowel == "ui" and initial == "h":
        vowel = "ee"
    return initial + vowel + final


def surname_spellings(surname: str) -> tuple[str, ...]:
    return SURNAMES.get(surname, ())


# --- keys: where the romanizations of a name meet -------------------------------------------

# Each passport spelling of a surname -> the Revised Romanization of each surname it spells.
_SURNAME_KEYS: dict[str, tuple[str, ...]] = {}
for _hangul, _spellings in SURNAMES.items():
    for _spelling in _spellings:
        _SURNAME_KEYS[_spelling] = (*_SURNAME_KEYS.get(_spelling, ()), revised(_hangul))

# Consonants that the systems spell apart (G/K, D/T, B/P, J/CH, R/L, S/SH) meet.
_CONSONANTS = [
    (re.compile(p), r)
    for p, r in (
        (r"TCH|CH|J", "C"), (r"SH", "S"), (r"RH", "R"), (r"(?<!N)G|G(?=[AEIOUWY])", "K"),
        (r"D", "T"), (r"B", "P"), (r"L", "R"),
    )
]  # fmt: skip
# The vowels: each Latin spelling -> the vowels it may stand for (lower case: ㅓ is q, ㅡ is x),
# the likeliest first. McCune–Reischauer without breves spells ㅓ as O and ㅡ as U, and passports
# spell ㅓ as U before a final (JUNG, HYUN) or H (SUH): so O is ㅗ or ㅓ, U is ㅜ or ㅡ, or ㅓ
# before a consonant, and YO is ㅛ or ㅕ. OO and WOO are ㅜ only: 우 (WOO, U, OO) is not 오 (OH).
_VOWELS: dict[str, tuple[str, ...]] = {
    "YEO": ("yq",), "YOU": ("yq", "yu"), "YOO": ("yu",), "YO": ("yo", "yq"), "YU": ("yu",),
    "YAE": ("ye",), "YE": ("ye",), "YA": ("ya",),
    "WEO": ("wq",), "WOO": ("u",), "WU": ("u",), "WO": ("wq",), "WAE": ("e",), "WE": ("e",),
    "WA": ("wa",), "WEE": ("wi",), "WI": ("wi",),
    "OE": ("e",), "OI": ("e",), "AE": ("e",), "AI": ("e",), "EE": ("i",), "EUI": ("i",),
    "UI": ("i",), "EO": ("q",), "EU": ("x",), "OO": ("u",), "OU": ("u",),
    "O": ("o", "q"), "U": ("u", "x"), "A": ("a",), "E": ("e",), "I": ("i",),
}  # fmt: skip
# ㅓ written U (passports) and ㅕ written YU (HYUN) only before a final consonant: one that no
# vowel follows (JUNG, HYUNJIN, SUH), not the next syllable's initial (SUMIN is 수민, not 서민).
# Before Y or W it may be either (SUKYEOL is 석열, HYUNWOO 현우).
_BEFORE_FINAL = {"U": ("q",), "YU": ("yq",)}
_FINAL_CONSONANT = re.compile(r"[^AEIOUWY](?![AEIOU])")
_VOWEL = re.compile("|".join(sorted(_VOWELS, key=len, reverse=True)))
_AFTER = [(re.compile(r"H(?![a-z])"), ""), (re.compile(r"(.)\1+"), r"\1")]
_MAX_VARIANTS = 16


@lru_cache(maxsize=1_000_000)
def keys(word: str) -> dict[str, str]:
    """A Latin word (A-Z) read as a Korean surname: the Revised Romanization of each surname the
    word is a passport spelling of (LEE, YI, RHEE; PARK, PAK; YOO is 유 and 류 ...)."""
    return dict.fromkeys(_SURNAME_KEYS.get(word, ()), PASSPORT)


@lru_cache(maxsize=1_000_000)
def variant_keys(word: str) -> dict[str, str]:
    """A Latin word (A-Z) read as Korean, coarsely: the readings of its consonants and vowels
    under which spellings of one syllable in RR, MR and passports meet (and so do some other
    names: read so only for a Korean name). The likeliest reading first."""
    for pattern, replacement in _CONSONANTS:
        word = pattern.sub(replacement, word)
    readings = [""]
    position = 0
    while position < len(word):
        found = _VOWEL.match(word, position)
        if found is None:
            choices: tuple[str, ...] = (word[position],)
            position += 1
        else:
            vowel, position = found.group(0), found.end()
            choices = _VOWELS[vowel]
            if _FINAL_CONSONANT.match(word, position):
                choices += _BEFORE_FINAL.get(vowel, ())
        readings = [r + c for r in readings for c in choices][:_MAX_VARIANTS]
    found_keys: dict[str, str] = {}
    for reading in readings:
        for pattern, replacement in _AFTER:
            reading = pattern.sub(replacement, reading)
        if reading:
            found_keys.setdefault(reading, VARIANT)
    return found_keys
