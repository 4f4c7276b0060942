"""Names for border screening: transliteration, name keys and scores (pure Python).

A name is read into parts (`parse`), each with its Latin spellings and the keys under which
differently romanized spellings of one name meet: Chinese (pinyin, Wade–Giles, Cantonese
surnames), Korean (Revised Romanization, McCune–Reischauer, passport spellings), Japanese
(Hepburn and its variants), Cyrillic (ICAO 9303, BGN/PCGN and older passports' schemes), Latin
with diacritics (ICAO 9303's AE, OE, UE ...) and anyascii for other scripts. `score` compares
two names; `match` compares a person with a watch-list entry (birth, nationality, document).
Every reason is a message key with parameters (`messages.TEMPLATES`, `register_templates`).
"""

from kouan.domain.names.messages import TEMPLATES, register_templates
from kouan.domain.names.model import Name, Part, parse, reading_warnings
from kouan.domain.names.person import Birth, Identity, PersonMatch, Policy, document_key, match
from kouan.domain.names.score import Match, PartMatch, score

__all__ = [
    "TEMPLATES",
    "Birth",
    "Identity",
    "Match",
    "Name",
    "Part",
    "PartMatch",
    "PersonMatch",
    "Policy",
    "document_key",
    "match",
    "parse",
    "reading_warnings",
    "register_templates",
    "score",
]
