"""Chinese names: Han characters read as pinyin (pypinyin) and in Cantonese as Hong Kong and Macao
spell them (`cantonese`), and Latin spellings read back to pinyin: pinyin itself (with or without
tones, ü as V, YU or U), Wade–Giles (pypinyin's table, corrected, apostrophes and umlauts dropped
as on passports, with Taiwan's YI, IN and ING for I, YIN and YING) and the Cantonese and Hokkien
spellings of the common surnames (Hong Kong, Macao, Singapore, Malaysia). Keys are pinyin without
tones."""

from __future__ import annotations

from functools import cache, lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.style import convert

from kouan.domain.names import cantonese as _cantonese

PINYIN, WADE_GILES, CANTONESE = "pinyin", "wade_giles", "cantonese"

# Readings pypinyin lists that are interjections, never a syllable of a name.
_NOT_IN_NAMES = frozenset({"n", "ng", "m", "hm", "hng", "r", "lo", "yo", "o", "ei", "den"})
# How passports spell ü after L and N since 2012 (LYU), and before (LV, LU, LUE).
_UMLAUT_SPELLINGS = {
    "lv": ("lyu", "lv", "lu"), "nv": ("nyu", "nv", "nu"),
    "lve": ("lue", "lve", "lyue"), "nve": ("nue", "nve", "nyue"),
}  # fmt: skip
# Surnames whose reading as a surname differs from the character's usual reading.
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha",
    "乐": "yue", "盖": "ge", "缪": "miao", "覃": "qin", "翟": "zhai", "召": "shao", "秘": "bi",
    "种": "chong", "过": "guo", "华": "hua", "纪": "ji", "尉": "yu", "万": "wan", "沈": "shen",
    "贾": "jia", "柏": "bai", "蕃": "pi", "燕": "yan", "长": "chang", "重": "chong", "谌": "chen",
    # The same surnames in traditional characters (Hong Kong, Macao, Taiwan).
    "單": "shan", "區": "ou", "樂": "yue", "蓋": "ge", "繆": "miao", "種": "chong", "過": "guo",
    "華": "hua", "紀": "ji", "萬": "wan", "賈": "jia", "長": "chang", "諶": "chen",
}  # fmt: skip
# Two-character surnames: the name is split after them, not after the first character.
COMPOUND_SURNAMES = frozenset(
    str.split(
        "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 夏侯 令狐 宇文 司徒 西门 南宫 轩辕 "
        "端木 独孤 钟离 呼延 澹台 公冶 太史 申屠 闻人 万俟 歐陽 司徒 諸葛 東方 司馬 尉遲 公孫 "
        "長孫 西門 南宮 軒轅 獨孤 鍾離 澹臺 聞人 萬俟"
    )
)
# Common surnames in Cantonese (Hong Kong, Macao) and Hokkien/Teochew (Singapore, Malaysia,
# the Philippines) spellings; each read back to the surname's pinyin. Spellings that are the
# pinyin of another common surname are left out (LIU is 刘, not 廖; TONG is 童, not 汤), but
# for TAN (陈 in Singapore, 谭 in pinyin).
_SOUTHERN_SURNAMES = {
    "chen": "CHAN CHIN TAN", "huang": "WONG NG OOI UY", "li": "LEE", "zhang": "CHEUNG TEO",
    "liang": "LEUNG LEONG", "lin": "LAM LIM", "liu": "LAU LOW LAO", "wu": "NG GOH WOO NGO",
    "he": "HO HOR", "zheng": "CHENG TAY TEH", "wang": "WONG ONG", "zhou": "CHOW CHAU CHEW",
    "hu": "WOO", "yang": "YEUNG YEO YONG", "xu": "HUI KOH TSUI CHUI", "deng": "TENG",
    "ye": "YIP IP YAP", "xie": "TSE CHIA SEAH", "cai": "CHOI CHUA TSOI", "luo": "LAW LO LOH",
    "guo": "KWOK KUOK KOK", "zeng": "TSANG", "zhu": "CHU CHOO", "pan": "POON PHUA",
    "ma": "MAH", "feng": "FUNG", "xiao": "SIU SIEW", "zhong": "CHUNG", "mai": "MAK",
    "mei": "MUI", "lu": "LO LOK LUK", "yao": "YIU", "sun": "SUEN SOON", "gao": "KO KOH",
    "jiang": "KEUNG", "yuan": "YUEN", "dai": "TAI", "qiu": "YAU KHOO", "tang": "THONG",
    "shi": "SHEK", "shao": "SHIU", "yan": "YIM NGAN", "wen": "MAN", "han": "HON",
    "gong": "KUNG", "cheng": "CHING", "weng": "YUNG", "liao": "LIEW", "ou": "AU",
    "mo": "MOK", "lai": "LAI", "du": "TO", "fan": "FAN", "jiao": "CHIU", "tan": "TAM",
    "cao": "TSO CHO", "peng": "PHANG", "xiang": "HEUNG", "fu": "FOO", "song": "SUNG",
    "guan": "KWAN", "su": "SO", "shen": "SHUM", "cen": "SHUM", "kuang": "KWONG", "huo": "FOK",
    "fang": "FONG", "lv": "LUI", "lei": "LUI", "wei": "WAI NGAI", "tian": "TIN", "jin": "KAM",
    "zhai": "CHAK", "zhuo": "CHEUK", "nie": "NIP", "zhao": "CHIU", "bai": "PAK", "qu": "WAT",
    "sheng": "SHING", "yue": "NGOK", "rao": "YIU", "bao": "PAU", "bi": "PAT", "ren": "YAM",
    "shan": "SIN", "xian": "SIN", "yi": "YIK", "ni": "NGAI", "pang": "PONG", "gu": "KOO",
    "rong": "YUNG", "hou": "HAU", "you": "YAU", "situ": "SZETO", "ouyang": "AUYEUNG",
}  # fmt: skip
# pypinyin's Wade–Giles drops the U of HUO and SHUO (霍 HUO, 说 SHUO): HO is 何, not 霍.
_WADE_GILES_FIXES = {"huo": "huo", "shuo": "shuo"}
# Taiwan's passports also write 一 YI (pinyin's spelling) and 因 IN, 英 ING (蔡英文 TSAI
# ING-WEN) for Wade–Giles' I, YIN and YING.
_TAIWAN_SPELLINGS = {"yi": ("YI",), "yin": ("IN",), "ying": ("ING",)}


@cache
def _syllables(system: str) -> dict[str, tuple[str, ...]]:
    """Each Latin spelling of a syllable in `system` (pinyin or Wade–Giles) -> its pinyin."""
    table: dict[str, list[str]] = {}
    for syllable in _known_pinyin():
        if system == PINYIN:
            for spelling in _UMLAUT_SPELLINGS.get(syllable, (syllable,)):
                table.setdefault(spelling.upper(), []).append(syllable)
            continue
        wade = _wade_giles(syllable).upper()
        for spelling in (wade, *_TAIWAN_SPELLINGS.get(syllable, ())):
            if spelling.isalpha():
                table.setdefault(spelling, []).append(syllable)
    return {spelling: tuple(sorted(p)) for spelling, p in table.items()}


@cache
def _known_pinyin() -> frozenset[str]:
    readings = {
        to_normal(reading, v_to_u=False)
        for value in pinyin_dict.values()
        for reading in value.split(",")
    }
    return frozenset(r for r in readings if r.isascii() and r.isalpha() and r not in _NOT_IN_NAMES)


@cache
def _southern() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for pinyin, spellings in _SOUTHERN_SURNAMES.items():
        for spelling in spellings.split():
            table.setdefault(spelling, []).append(pinyin)
    return {spelling: tuple(p) for spelling, p in table.items()}


_MAX_READINGS = 12


@lru_cache(maxsize=1_000_000)
def keys(word: str) -> dict[str, str]:
    """A Latin word (A-Z) read as Chinese: its pinyin spellings (upper case, no tones) -> the
    system the word was spelled in; empty when the word is no sequence of syllables. A word is
    spelled in one system: pinyin syllables and Wade–Giles ones do not mix."""
    found: dict[str, str] = {}
    if len(word) <= 24:
        for system in (PINYIN, WADE_GILES):
            for pinyin in _segment(word, 0, system):
                found.setdefault(pinyin.upper(), system)
    for southern in _southern().get(word, ()):
        found.setdefault(southern.upper(), CANTONESE)
    return found


@lru_cache(maxsize=100_000)
def _segment(word: str, start: int, system: str) -> tuple[str, ...]:
    """The pinyin readings of word[start:] as syllables spelled in `system`, at most a few."""
    if start == len(word):
        return ("",)
    table = _syllables(system)
    out: list[str] = []
    # Longest syllable first: its readings are the likelier ones when the cap cuts.
    for end in range(min(len(word), start + 6), start, -1):
        heads = table.get(word[start:end], ())
        if not heads:
            continue
        for tail in _segment(word, end, system):
            out.extend(head + tail for head in heads)
            if len(out) >= _MAX_READINGS:
                return tuple(out[:_MAX_READINGS])
    return tuple(out)


@lru_cache(maxsize=50_000)
def _char_pinyin(char: str) -> str:
    reading = lazy_pinyin(char, style=Style.NORMAL, v_to_u=False, errors="ignore")
    return reading[0] if reading else ""


def read(chars: str, surname: bool = False) -> str:
    """Han characters in pinyin without tones (lower case, ü as v); a surname by its surname
    reading."""
    if surname and chars in SURNAME_READINGS:
        return SURNAME_READINGS[chars]
    readings = [_char_pinyin(c) for c in chars]
    if surname and chars[:1] in SURNAME_READINGS:
        readings[0] = SURNAME_READINGS[chars[0]]
    return "".join(readings)


def spellings(pinyin: str) -> list[tuple[str, str]]:
    """The passport spellings of pinyin syllables joined (lower case, ü as v): pinyin with ü as
    YU, then Wade–Giles. Upper case, each with its system."""
    syllables = _split_pinyin(pinyin)
    if syllables is None:
        return [(pinyin.upper(), PINYIN)]
    passport = "".join(_UMLAUT_SPELLINGS.get(s, (s,))[0] for s in syllables).upper()
    wade = "".join(_wade_giles(s) or s for s in syllables).upper()
    out = [(passport, PINYIN)]
    if pinyin.upper() != passport:
        out.append((pinyin.upper(), PINYIN))
    if wade not in (passport, pinyin.upper()):
        out.append((wade, WADE_GILES))
    return out


@cache
def _wade_giles(syllable: str) -> str:
    """A pinyin syllable in Wade–Giles as passports write it (no apostrophes, ü as U)."""
    wade = _WADE_GILES_FIXES.get(syllable) or convert(syllable, Style.WADEGILES, strict=True)
    return (wade or "").replace("'", "").replace("ü", "u").replace("v", "u")


@lru_cache(maxsize=50_000)
def _split_pinyin(pinyin: str) -> tuple[str, ...] | None:
    """Pinyin joined, split into its syllables (the longest first), or None."""
    known = _known_pinyin()
    if not pinyin:
        return ()
    for end in range(min(len(pinyin), 6), 0, -1):
        if pinyin[:end] in known:
            rest = _split_pinyin(pinyin[end:])
            if rest is not None:
                return (pinyin[:end], *rest)
    return None


def southern_spellings(pinyin_surname: str) -> list[str]:
    """Cantonese and Hokkien spellings of a surname given in pinyin."""
    return _SOUTHERN_SURNAMES.get(pinyin_surname, "").split()


def cantonese(chars: str, surname: bool = False) -> list[str]:
    """Hong Kong's (then Macao's) spellings of a surname or given name in Han characters, the
    syllables written together (陳 CHAN, 大文 TAIMAN); empty when a character is not in the
    table. For a name known to be Chinese, as the pinyin readings are."""
    return _cantonese.spellings(chars, surname)
