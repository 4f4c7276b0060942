"""Customs (海关): the cargo declaration (FAL 2) and where the ship has been.

Cargo totals that do not add up and a call at a port customs watches go to an officer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kouan.domain.agency import Phase
from kouan.domain.filing import CargoSummary
from kouan.rules.base import Action, Finding, Rule, codes, found
from kouan.rules.portcall import CallFacts

DEFAULT_PARAMS: dict[str, Any] = {
    "sensitive_ports": [],  # UN/LOCODEs whose calls customs wants to see, e.g. for smuggling risk
}


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _cargo(subject: CallFacts) -> CargoSummary:
    """The cargo of the phase: on departure the departure's when filed."""
    if subject.phase is Phase.DEPARTURE and subject.departure is not None:
        return subject.departure.cargo
    return subject.arrival.cargo


def _cargo_totals(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    cargo = _cargo(subject)
    for total in cargo.discrepancies():
        declared = float(getattr(cargo, total))
        # Each total_X sums the items' X.
        summed = float(sum(getattr(item, total.removeprefix("total_")) for item in cargo.items))
        yield found(
            "customs.cargo_total",
            total=total,
            declared=_number(declared),
            summed=_number(summed),
            difference=_number(declared - summed),
        )


def _sensitive_port(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    sensitive = codes(params["sensitive_ports"])
    for n, port in enumerate(subject.arrival.last_ports, start=1):
        if port in sensitive:
            yield found("customs.sensitive_port", f"last_ports[{n - 1}]", port=port, n=n)


RULES: tuple[Rule, ...] = (
    Rule(
        "CUSTOMS-CARGO-TOTALS",
        "Cargo totals do not add up",
        "货物申报总数不符",
        Action.REFER,
        _cargo_totals,
        frozenset({Phase.ENTRY, Phase.DEPARTURE}),
    ),
    Rule(
        "CUSTOMS-SENSITIVE-PORT",
        "Call at a sensitive port",
        "曾挂靠敏感港口",
        Action.REFER,
        _sensitive_port,
    ),
)
