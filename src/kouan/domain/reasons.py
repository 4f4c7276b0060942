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
    "person": "{role} {name} (document {document}, {state})",
    # customs, port calls
    "customs.cargo_total": (
        "cargo.{total} declared {declared} but the items add up to {summed} "
        "(difference {difference})"
    ),
    # customs, declarations: the write-off against the manifest's bill of lading
    "customs.writeoff": "bill of lading {bl} on the manifest: {problems}",
    "writeoff.no_manifest": "the bill of lading is on no manifest",
    "writeoff.containers_not_on_bl": "containers not on the bill of lading: {containers}",
    "writeoff.weight_exceeds_bl": "{declared} kg declared against {held} kg on the bill of lading",
    "writeoff.packages_exceed_bl": (
        "{declared} packages declared against {held} on the bill of lading"
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
    "border.watch_list": "{person} is on the watch list: {hit}",
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
    # border inspection: persons whose travel document is missing or incomplete
    "person.no_document": "{role} {name} (no travel document)",
    "border.no_document": "{person}: no travel document declared",
    "border.no_expiry": "{person}: the travel document's expiry date is not declared",
    # person lists (PAXLST, spreadsheets, JSON): the envelope of an EDIFACT interchange
    "edifact.not_edifact": "the text is not UN/EDIFACT: it begins with {value}, not UNA or UNB",
    "edifact.bad_una": "UNA {value} does not declare six usable service characters",
    "edifact.no_unb": (
        "the interchange must begin with UNB (after an optional UNA), not with {value}"
    ),
    "edifact.cut_off": (
        "the text ends inside a segment ({value}), not with the terminator {terminator}: "
        "it looks cut off"
    ),
    "edifact.after_unz": "{value} follows UNZ: nothing may follow the end of the interchange",
    "edifact.outside_message": "{value} stands outside any message",
    "edifact.no_unt": "no UNT closes the message opened at segment {opened} (found {value})",
    "edifact.no_une": "no UNE closes the group opened at segment {opened} (found {value})",
    "edifact.no_unz": "no UNZ closes the interchange opened at segment {opened} (found {value})",
    "edifact.segment_count": (
        "{tag} counts {value} segments but the message has {actual} from UNH to UNT"
    ),
    "edifact.message_count": "{tag} counts {value} messages but {actual} were sent",
    "edifact.group_count": "{tag} counts {value} groups but {actual} were sent",
    "edifact.reference": (
        "{tag} repeats the reference {value}, not {reference}, the reference of {header} "
        "at segment {opened}"
    ),
    # person lists: what refuses a list
    "list.not_paxlst": "the message is a {value}, not a PAXLST",
    "list.no_bgm": "the message opened at segment {opened} has no BGM",
    "list.no_transport": (
        "the message opened at segment {opened} has no TDT: it names no flight or voyage"
    ),
    "list.person_count": "CNT+{qualifier} counts {value} persons but the list has {actual}",
    "list.part_person_count": (
        "CNT+{qualifier} counts {value} persons but its part has {part} and the list {actual}"
    ),
    "list.part_number": "{value} is not a part number (UNH S010/0070)",
    "list.part_repeated": "part {value} of list {reference} came twice",
    "list.part_missing": "part {value} of list {reference} is missing (parts received: {received})",
    "list.last_part_missing": (
        "list {reference} has no last part: part {value} is not marked F and none came after it"
    ),
    "list.parts_disagree": (
        "part {part} of list {reference} is for {value}, not {expected_id} like the first part"
    ),
    "list.json_no_persons": "the body has no list of persons (persons)",
    "list.json_no_journey": "the list names no flight or voyage (transport_id or legs)",
    # person lists: dates (of the journey: refused; of a person: kept with a warning)
    "list.date_format": "{value} is not in a date format Kouan reads (101, 102, 201, 203, 204)",
    "list.date_invalid": "{value} is not a real date in the format its DTM names",
    "list.date_out_of_years": "{value} is not a date in the years 2000 to 2099",
    "list.birth_out_of_range": "date of birth {value} is not between 1900-01-01 and today",
    # person lists: what is kept with a warning
    "list.kind.passengers": "passenger list",
    "list.kind.crew": "crew list",
    "list.kind.master_crew": "master crew list",
    "list.unknown_document_code": (
        "BGM document code {value} is not 745 (passengers), 250 (crew) or 336 (master crew "
        "list): read as a {kind}"
    ),
    "list.unknown_role": (
        "NAD qualifier {value} is not a person's role (FL or DDU passenger, FM or DDT crew): "
        "the person is kept, role unknown"
    ),
    "list.unknown_qualifier": "{tag} qualifier {value} is not one Kouan reads: ignored",
    "list.unknown_segment": "segment {value} is not one of a PAXLST: ignored",
    "list.no_transport_id": "TDT names no flight or voyage number",
    "list.no_family_name": "no family name",
    "list.no_birth_date": "no date of birth",
    "list.no_nationality": "no nationality",
    "list.no_document": "no travel document",
    "list.no_document_number": "the travel document has no number",
    "list.no_issuing_state": "travel document {number} has no issuing country",
    "list.no_expiry": "travel document {number} has no expiry date",
    "list.document_number_moved": (
        "document number {value} was read from another element than its own (C503/1004)"
    ),
    "list.unknown_country": "{value} is not an ISO 3166 country code",
    "list.unknown_sex": "{value} is not a sex (M, F, U or X)",
    "list.unfit_text": (
        "{value} holds a character that cannot be kept (NUL or an unpaired surrogate): "
        "it is replaced by U+FFFD"
    ),
    "list.json_not_text": "{value} is not text",
    "list.json_not_one_of": "{value} is not one of {choices}",
    "list.json_not_a_date": "{value} is not an ISO date",
    "list.json_not_an_object": "{value} is not an object",
    # person lists from a spreadsheet
    "sheet.unreadable": "the file is not a spreadsheet Kouan reads (XLSX or CSV): {value}",
    "sheet.no_header": "none of the first {rows} rows names the columns (e.g. {column})",
    "sheet.missing_column": "the sheet has no column {column}",
    "sheet.duplicate_column": "a second column {column}: only the first is read",
    "sheet.unknown_column": "column {value} is not one Kouan reads: ignored",
    "sheet.unknown_role": (
        "{value} is not a role (passenger or crew): the person is kept, role unknown"
    ),
    "sheet.bad_date": "{value} is not a date (e.g. 1980-05-17)",
    "sheet.bad_yes_no": "{value} is neither yes nor no",
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
_SEMICOLON_LISTS = frozenset({"joined", "risk.lane_rules", "customs.writeoff"})


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


def register(templates: Mapping[str, str]) -> None:
    """Add a capability's templates to the catalogue (idempotent), from kouan.bootstrap. A key
    already there with another text is a clash between capabilities and stops the start."""
    for key, template in templates.items():
        known = TEMPLATES.setdefault(key, template)
        if known != template:
            raise RuntimeError(f"reason key {key!r} is already registered with another text")
