"""Japanese names: kana read in Hepburn as passports spell it (long vowels unmarked, M before
B, M, P), and a key under which the Latin spellings of one name meet: long vowels written OU,
OO, OH or not at all, kunrei-shiki and nihon-shiki (SI, TI, TU, HU, ZI, SYA) and Hepburn (SHI,
CHI, TSU, FU, JI, SHA). Kanji cannot be read without a dictionary of names: a name in kanji
needs a kana or Latin alias."""

from __future__ import annotations

import re
from functools import cache, lru_cache

HEPBURN, VARIANT = "hepburn", "hepburn_variant"

_ROWS = {
    "": "a i u e o", "k": "ka ki ku ke ko", "s": "sa shi su se so", "t": "ta chi tsu te to",
    "n": "na ni nu ne no", "h": "ha hi fu he ho", "m": "ma mi mu me mo", "y": "ya - yu - yo",
    "r": "ra ri ru re ro", "w": "wa i - e o", "g": "ga gi gu ge go", "z": "za ji zu ze zo",
    "d": "da ji zu de do", "b": "ba bi bu be bo", "p": "pa pi pu pe po",
}  # fmt: skip
_HIRAGANA_ROWS = {
    "": "あいうえお", "k": "かきくけこ", "s": "さしすせそ", "t": "たちつてと", "n": "なにぬねの",
    "h": "はひふへほ", "m": "まみむめも", "y": "や-ゆ-よ", "r": "らりるれろ", "w": "わゐ-ゑを",
    "g": "がぎぐげご", "z": "ざじずぜぞ", "d": "だぢづでど", "b": "ばびぶべぼ", "p": "ぱぴぷぺぽ",
}  # fmt: skip
_SMALL_Y = {"ゃ": "a", "ゅ": "u", "ょ": "o"}
_SMALL_VOWELS = {"ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o"}
_SOKUON, _N, _LONG = "っ", "ん", "ー"


@cache
def _kana() -> dict[str, str]:
    table = {"ん": "n", "ゔ": "vu"}
    for row, chars in _HIRAGANA_ROWS.items():
        for char, latin in zip(chars, _ROWS[row].split(), strict=True):
            if char != "-":
                table[char] = latin
    return table


def _hiragana(char: str) -> str:
    code = ord(char)
    return chr(code - 0x60) if 0x30A1 <= code <= 0x30F6 else char


def hepburn(word: str) -> str:
    """Kana in Hepburn with every long vowel written as it is in kana (TAROU, OOTA)."""
    table = _kana()
    out: list[str] = []
    double_next = False
    for char in map(_hiragana, word):
        if char == _SOKUON:
            double_next = True
            continue
        if char == _LONG:
            out.append(out[-1][-1] if out else "")
            continue
        if char in _SMALL_Y and out and out[-1].endswith("i"):
            stem = out.pop()[:-1]
            palatal = stem.endswith(("sh", "ch", "j"))
            out.append((stem if palatal else stem + "y") + _SMALL_Y[char])
            continue
        if char in _SMALL_VOWELS:
            if out and out[-1][-1:] in "aiueo":
                out[-1] = out[-1][:-1] + _SMALL_VOWELS[char]
            else:
                out.append(_SMALL_VOWELS[char])
            continue
        latin = table.get(char, "")
        if double_next and latin:
            latin = ("t" if latin.startswith("ch") else latin[0]) + latin
        double_next = False
        out.append(latin)
    return "".join(out).upper()


def passport(romaji: str) -> str:
    """Hepburn as passports write it: long vowels unmarked and N as M before B, M, P."""
    return _LONG_VOWELS.sub(lambda m: m.group(0)[0], re.sub(r"N(?=[BMP])", "M", romaji))


_LONG_VOWELS = re.compile(r"OU|OO|UU")


def spellings(word: str) -> list[str]:
    """The passport spellings of a kana word: unmarked long vowels, then OH, then as in kana."""
    full = hepburn(word)
    short = passport(full)
    oh = re.sub(r"N(?=[BMP])", "M", full).replace("OU", "OH").replace("OO", "OH")
    return list(dict.fromkeys((short, oh, full)))


# --- keys -------------------------------------------------------------------------------------

# Each Latin spelling of a mora -> its Hepburn spelling.
_MORAE: dict[str, str] = {}
for _row, _latin in _ROWS.items():
    for _syllable in _latin.split():
        if _syllable != "-":
            _MORAE[_syllable.upper()] = _syllable.upper()
_MORAE.update({
    "SI": "SHI", "TI": "CHI", "TU": "TSU", "HU": "FU", "ZI": "JI", "DI": "JI", "DU": "ZU",
    "WO": "O", "FA": "FA", "FI": "FI", "FE": "FE", "FO": "FO", "VU": "BU", "JA": "JA",
    "JU": "JU", "JO": "JO", "JE": "JE", "CHE": "CHE", "SHE": "SHE", "YE": "E",
})  # fmt: skip
for _stem, _hep in {
    "K": "KY",
    "G": "GY",
    "N": "NY",
    "H": "HY",
    "B": "BY",
    "P": "PY",
    "M": "MY",
    "R": "RY",
}.items():
    for _v in "AUO":
        _MORAE[_stem + "Y" + _v] = _hep + _v
for _kunrei, _hep in {"SY": "SH", "SH": "SH", "TY": "CH", "CH": "CH", "ZY": "J", "JY": "J",
                      "DY": "J", "CY": "CH"}.items():  # fmt: skip
    for _v in "AUO":
        _MORAE[_kunrei + _v] = _hep + _v
_MORA = re.compile(
    "|".join(sorted(map(re.escape, _MORAE), key=len, reverse=True))
    # N alone (before a consonant, at the end, or N' written NN); M for N before B, M, P;
    # a doubled consonant (sokuon); H after a vowel marks a long vowel (OHNO).
    + r"|N(?![AEIOUY])|M(?=[BMP])|([KSTPGZDBFCJ])(?=\1)|T(?=CH)|H(?![AEIOUY])"
)


@lru_cache(maxsize=1_000_000)
def keys(word: str) -> dict[str, str]:
    """A Latin word (A-Z) read as Japanese: its key (Hepburn, long vowels unmarked) -> system;
    empty when the word is no sequence of morae."""
    out: list[str] = []
    position = 0
    while position < len(word):
        found = _MORA.match(word, position)
        if found is None:
            return {}
        out.append(_mora(found.group(0), out))
        position = found.end()
    key = _LONG_VOWELS.sub(lambda m: m.group(0)[0], "".join(out))
    return {key: VARIANT} if key else {}


def _mora(text: str, before: list[str]) -> str:
    if text == "H":  # a long vowel's H (OHNO) is the vowel before it, unmarked
        return ""
    if text in ("N", "M"):
        return "N"
    if len(text) == 1 and text not in "AIUEO":  # the first of a doubled consonant
        return "Q"
    return _MORAE[text]


def is_kana(char: str) -> bool:
    return 0x3040 <= ord(char) <= 0x30FF
