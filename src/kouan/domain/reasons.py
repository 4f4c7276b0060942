"""Why something was decided, as a message key with parameters, rendered in the reader's language.

Rules and use cases never write a reason as finished text: they name a message (`Reason`) and the
web layer renders it with the reader's catalogue. The English template is the message id of the
catalogues (locale/*/LC_MESSAGES/reasons.po), so the English text is the template filled in.
A parameter may itself be a reason (rendered first), a list (joined) or carry a Chinese variant
under the same name with `_zh` appended (rule titles written in both languages).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# One template per message key; the text in English with {named} parameters.
TEMPLATES: dict[str, str] = {
    # a reason made of several, in the order they were found
    "joined": "{reasons}",
    # written by a person (an officer's reason): shown as typed
    "text": "{text}",
    "role.crew": "crew member",
    "role.passenger": "passenger",
    "role.signing_on": "signing on:",
    "role.signing_off": "signing off:",
    "match.document": "document number",
    "match.identity": "name and date of birth",
    "person": "{role} {name} (document {document}, {state})",
    # customs, port calls
    "customs.cargo_total": (
        "cargo.{total} declared {declared} but the items add up to {summed} "
        "(difference {difference})"
    ),
    "customs.sensitive_port": "last_ports include sensitive port {port} (port of call {n})",
    # inspection and quarantine, port calls
    "ciq.ill_persons": "health.ill_persons: {count} ill person(s) aboard",
    "ciq.deaths": "health.deaths: {count} death(s) aboard during the voyage",
    "ciq.suspected_infectious": (
        "health.suspected_infectious: the master suspects an infectious disease aboard"
    ),
    "ciq.epidemic_port": "{port} (port of call {n} of the last {recent}) is an epidemic port",
    "ciq.epidemic_country": (
        "{port} (port of call {n} of the last {recent}) is in epidemic country {country}"
    ),
    "ciq.no_sanitation_certificate": (
        "health.sanitation_certificate_expiry: no ship sanitation certificate declared"
    ),
    "ciq.sanitation_certificate_expired": (
        "ship sanitation certificate expired on {expiry}, before ETA {day}"
    ),
    # border inspection, port calls
    "border.watch_list": "{person} matches the watch list by {how}",
    "border.document_expired": "{person}: document expires {expiry}, before ETD {day}",
    "border.duplicate_document": "{person} has the same document as {other}",
    "border.no_crew_list": "crew: no crew list (FAL 5) filed",
    "border.crew_change": "{person}",
    "security_level": "security_level: the ship operates at ISPS security level {level}",
    # maritime safety, port calls
    "msa.officer_class": (
        "dangerous goods of a class an officer must see: {un_number} {name} "
        "(class {imdg_class}, {kg} kg)"
    ),
    "msa.detentions": "ship IMO {imo} has {count} detention(s) on record",
    "msa.stay": "eta {eta} to etd {etd} is a stay of {days} days, more than {limit}",
    # declarations
    "risk.lane": "{lane} lane",
    "risk.lane_rules": "{lane} lane: {titles}",
    "risk.random": "random selection",
    "risk.title": "{title}",
    "lane.green": "green",
    "lane.document": "document",
    "lane.inspection": "inspection",
    "ciq.legal_inspection": "legal inspection: {hs_code} under {entry}",
    # inspections and seizures
    "inspection.passed": "inspection passed",
    "inspection.passed_finding": "inspection passed: {finding}",
    "inspection.failed": "inspection failed: {finding}",
    "seized": "seized: {reason}",
    # targets of a list settled person by person
    "targets.settled": "{cleared} cleared, {refused} refused",
}


@dataclass(frozen=True)
class Reason:
    """A message key and its parameters; `text` is the English rendering kept on record."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key not in TEMPLATES:
            raise KeyError(f"no message template for reason key {self.key!r}")

    @property
    def text(self) -> str:
        return render(self.key, self.params)

    def as_dict(self) -> dict[str, Any]:
        """The stored form: key and parameters, nested reasons as dicts."""
        return {"key": self.key, "params": _stored(self.params)}

    @classmethod
    def typed(cls, text: str) -> Reason:
        """A reason a person wrote."""
        return cls("text", {"text": text})

    @classmethod
    def joined(cls, reasons: list[Reason]) -> Reason:
        """Several reasons as one, in order; one alone stays itself."""
        if len(reasons) == 1:
            return reasons[0]
        return cls("joined", {"reasons": reasons})


def _stored(value: Any) -> Any:
    if isinstance(value, Reason):
        return value.as_dict()
    if isinstance(value, Mapping):
        return {k: _stored(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stored(v) for v in value]
    return value


Translate = Callable[[str], str]
# Lists of clauses are joined with semicolons; lists of codes and names with commas.
_SEMICOLON_LISTS = frozenset({"joined", "risk.lane_rules"})


def _same(message: str) -> str:
    return message


def render(
    key: str | None,
    params: Mapping[str, Any] | None,
    translate: Translate = _same,
    zh: bool = False,
) -> str:
    """The reason in the catalogue `translate` reads from; `zh` picks the `_zh` variants of
    parameters. An unknown key (a reason stored by a later version) renders its parameters."""
    params = params or {}
    if key is None:
        return ""
    template = TEMPLATES.get(key)
    if template is None:
        return "; ".join(str(v) for v in params.values())
    values = {
        name: _value(value, translate, zh, params.get(f"{name}_zh"))
        for name, value in params.items()
        if not name.endswith("_zh")
    }
    separator = "; " if key in _SEMICOLON_LISTS else ", "
    values = {k: separator.join(v) if isinstance(v, list) else v for k, v in values.items()}
    return translate(template).format(**values)


def _value(value: Any, translate: Translate, zh: bool, variant: Any) -> Any:
    if zh and variant not in (None, ""):
        value = variant
    if isinstance(value, Reason):
        return render(value.key, value.params, translate, zh)
    if isinstance(value, Mapping) and "key" in value:
        return render(value["key"], value.get("params"), translate, zh)
    if isinstance(value, list | tuple):
        return [str(_value(v, translate, zh, None)) for v in value]
    return value
