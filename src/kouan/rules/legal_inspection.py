"""Inspection and quarantine's rules for declarations: goods on the legal-inspection list (法检目录)
get a CIQ review beside customs'. Each item on the list is a hit of its own (its target)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kouan.domain.agency import Phase
from kouan.rules.base import Action, Finding, Rule, found
from kouan.rules.risk import DeclarationFacts

DEFAULT_PARAMS: dict[str, Any] = {
    # The list by HS chapter or heading. Food and farm produce, logs, cosmetics, household
    # appliances, cars, toys.
    "legal_inspection": [
        *("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "16"),
        *("3304", "4403", "8516", "8703", "9503"),
    ],
}


def _listed(facts: DeclarationFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    """Each item whose HS code falls under a list entry, with the longest entry it falls under."""
    entries = sorted(params["legal_inspection"], key=len, reverse=True)
    for n, code in enumerate(facts.hs_codes):
        entry = next((e for e in entries if code.startswith(e)), None)
        if entry is not None:
            yield found("ciq.legal_inspection", f"items[{n}]", hs_code=code, entry=entry)


RULES: tuple[Rule, ...] = (
    Rule(
        "CIQ-LEGAL-INSPECTION",
        "Goods on the legal-inspection list",
        "法定检验目录内商品",
        Action.REFER,
        _listed,
        frozenset({Phase.CARGO}),
    ),
)
