"""Scripts and Latin text: which script a character is in, a word folded to A-Z, the words of a
name (separators, MRZ fillers, apostrophes, tone numbers) and ICAO 9303's Latin spellings."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

HAN, HANGUL, KANA, CYRILLIC, LATIN, OTHER = "han", "hangul", "kana", "cyrillic", "latin", "other"

# Word separators in names as written, including the MRZ's "<" filler and the middle dot of
# transliterated East Asian names.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―,;/<_.·・()\[\]{}:\"“”]+")
# Apostrophes join (O'BRIEN, Wade–Giles CH'ANG); tone numbers (zhang1) and other digits go.
_DROPPED = re.compile(r"['’‘ʼ`´ʻ0-9]")
_NOT_AZ = re.compile(r"[^A-Z]")

# ICAO Doc 9303 part 3, 6.A: Latin letters with a two-letter spelling in the MRZ (the one-letter
# spelling without the mark is what folding gives).
_ICAO_LATIN = {
    "Ä": "AE", "Ö": "OE", "Ü": "UE", "Å": "AA", "Æ": "AE", "Ø": "OE", "Œ": "OE",
    "ß": "SS", "Þ": "TH", "Ĳ": "IJ", "Ð": "D",
}  # fmt: skip


def script_of(char: str) -> str:
    """The script of one character, as far as reading names goes."""
    code = ord(char)
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return HAN
    if 0x20000 <= code <= 0x3134F or char == "〆" or char == "々":
        return HAN
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return HANGUL
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
        return KANA
    if 0x0400 <= code <= 0x052F:
        return CYRILLIC
    if char.isascii() or 0x00C0 <= code <= 0x024F or 0x1E00 <= code <= 0x1EFF:
        return LATIN
    return OTHER


def words(text: str) -> list[str]:
    """The words of a name as written, split at separators and where the script changes
    ("张伟 ZHANG" and "张伟ZHANG" alike)."""
    if text.isascii():  # most names: no scripts to tell apart
        return [w for w in _SEPARATORS.split(_DROPPED.sub("", text)) if w and not w.isdigit()]
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for chunk in _SEPARATORS.split(_DROPPED.sub("", text)):
        out.extend(_script_runs(chunk))
    return out


def _script_runs(chunk: str) -> list[str]:
    runs: list[str] = []
    current, kind = "", ""
    for char in chunk:
        if unicodedata.category(char).startswith("M"):  # a combining mark stays with its letter
            current += char
            continue
        char_kind = script_of(char)
        # Kanji and kana mix inside one Japanese word (山田たろう is two words all the same).
        if current and char_kind != kind:
            runs.append(current)
            current = ""
        current += char
        kind = char_kind
    if current:
        runs.append(current)
    return [run for run in runs if any(ch.isalpha() for ch in run)]


def word_script(word: str) -> str:
    """The script of a word (of one script, as `words` gives them)."""
    return script_of(word[0])


@lru_cache(maxsize=1_000_000)
def fold(word: str) -> str:
    """A word as the letters A-Z: marks dropped, other letters spelled by anyascii."""
    return _NOT_AZ.sub("", anyascii(word).upper())


@lru_cache(maxsize=200_000)
def icao_spelling(word: str) -> str | None:
    """ICAO 9303's spelling of a Latin word with Ä Ö Ü Å Æ Ø ß ... (MUELLER), when it differs
    from the folded one (MULLER)."""
    upper = word.upper()
    if not any(ch in _ICAO_LATIN for ch in upper):
        return None
    spelled = fold("".join(_ICAO_LATIN.get(ch, ch) for ch in upper))
    return spelled if spelled != fold(word) else None


def is_folded(word: str) -> bool:
    """Whether the word is written in A-Z alone (no marks, no other letters)."""
    return fold(word) == word.upper()
