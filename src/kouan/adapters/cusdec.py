"""UN/EDIFACT CUSDEC (customs declaration) read and CUSRES (customs response) written, around
pydifact, in the spirit of UN/EDIFACT D.96B.

An interchange may hold many declarations; a broken one is answered on its own while the others
go on. Interchange-level problems (not EDIFACT, cut off, no UNB, UNZ miscounting) raise
ValidationFailed; a message's problems are kept with it, their fields named "message N ..." with
N its position in the interchange: "message 2 items[1].quantity" (items counted from 0, like the
declaration's list), or "message 2 segment 40 (UNT)" for a segment of the envelope.

CUSDEC D:96B as Kouan reads and writes it (UNA ":+.? '", UNB syntax UNOW:4, so UTF-8 and Chinese
text; segments Kouan does not use are skipped):

| segment | Declaration field | notes |
|---|---|---|
| UNH+ref+CUSDEC:D:96B:UN | (message_ref) | any other type or version is refused |
| BGM+929+reference+9 | direction import, reference | 1001: 929 goods declaration for importation |
| BGM+830+reference+9 | direction export, reference | 1001: 830 goods declaration for exportation |
| DTM+137:CCYYMMDDHHMM:203 | - | document date, written, not read |
| LOC+22+CNJNA | declaration_office | 3227: 22 customs office of clearance |
| LOC+23+CNTAO | release_port | 3227: 23 port of release |
| GIS+0110:TM:ZZZ | trade_mode | code list TM (China Customs' 监管方式), mutually defined |
| EQD+CN+MSCU1234565 | containers[] | one a container |
| PAC+120 | packages | header (before UNS+D): 7224 number of packages (件数) |
| MEA+WT+G+KGM:12000 | gross_weight_kg | header: 6311 WT weight, 6313 G gross (毛重), kilograms |
| RFF+BM:number | transport.bill_of_lading | sea |
| RFF+AWB:number | transport.air_waybill | air |
| TDT+20+voyage+1+++++imo:146:11:vessel | transport sea: voyage, imo, vessel | 8067: 1 maritime |
| TDT+20+flight+4 | transport air: flight | 8067: 4 air |
| NAD+IM+code++name | trader (C082), trader_name (C080) | 3035: IM importer (import) |
| NAD+EX+code++name | trader (C082), trader_name (C080) | 3035: EX exporter (export) |
| NAD+DT+++name | declarant | 3035: DT declarant |
| UNS+D | - | start of the goods items |
| CST+line+hs:HS:ZZZ | items[].hs_code | starts a goods item |
| FTX+AAA+++text | items[].description | 4451: AAA goods description |
| LOC+27+CN | items[].origin | 3227: 27 country of origin, ISO 3166 alpha-2 or alpha-3 |
| QTY+47:12.5:KGM | items[].quantity, unit | 6063: 47 invoiced quantity |
| MOA+38:3000:USD | items[].value, currency | 5025: 38 invoice item amount |
| UNS+S | - | end of the goods items |
| CNT+2:3 | - | 6069: 2 number of line items; checked when present |
| UNT+count+ref | - | count checked |

Texts longer than a component (35 characters in C080, 70 in C108) are split over the composite's
five components and joined again when read. Numbers take "." or "," as the decimal mark.

CUSRES D:96B as Kouan writes and reads it:

| segment | CusresResponse field | notes |
|---|---|---|
| UNH+n+CUSRES:D:96B:UN | - | |
| BGM+962+id+9 | declaration_id | 1001: 962 document response (Customs) |
| BGM+963+id+9 | declaration_id | 1001: 963 error response (Customs), when rejected |
| DTM+137:CCYYMMDDHHMMSS:204 | at | in UTC |
| GIS+code:KST:ZZZ | status | codes below, list KST mutually defined |
| GIS+code:KLN:ZZZ | lane | codes below, list KLN mutually defined |
| ERP+1 / ERP+2:line | errors[] | 1 the declaration; 2 and the goods item's line (from 1) |
| ERC+12::ZZZ / ERC+13::ZZZ | - | 12 invalid value, 13 missing (as in service list 0085) |
| FTX+AAO+++field:value:expected | errors[] | 4451: AAO error description; value as text |
| RFF+ACW:ref | message_ref | 1153: ACW reference to previous message (the CUSDEC's UNH) |
| RFF+ABO:reference | reference | 1153: ABO originator's reference (the broker's BGM) |

Status codes (KST): ACC accepted, REV under_review, INS inspection, HLD held, PAY payment_due,
REJ rejected, REL released, OUT gated_out, SZD seized. Lane codes (KLN): GRN green, DOC document,
INS inspection.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pydantic
from pydantic_core import ErrorDetails
from pydifact.constants import Element
from pydifact.control import Characters
from pydifact.segmentcollection import Interchange
from pydifact.segments import Segment
from pydifact.serializer import Serializer

from kouan.adapters.edifact_envelope import (
    MessageSpan,
    Syntax,
    components,
    cycle_collection_paused,
    place,
    read_segments,
    split_messages,
    value,
)
from kouan.domain import values
from kouan.domain.declaration import AirTransport, Declaration
from kouan.domain.errors import FieldError, FieldErrors, ValidationFailed

_CUSDEC = ["CUSDEC", "D", "96B", "UN"]
_CUSRES = ["CUSRES", "D", "96B", "UN"]
_DIRECTIONS = {"929": "import", "830": "export"}
_DOCUMENT_CODES = {direction: code for code, direction in _DIRECTIONS.items()}
_TRADER_PARTIES = {"import": "IM", "export": "EX"}
_MODES = {"1": "sea", "4": "air"}
_LOCATIONS = {"22": "declaration_office", "23": "release_port"}
_TRADE_MODE_LIST = "TM"
_STATUS_LIST = "KST"
_LANE_LIST = "KLN"
# Every declaration status (kouan.domain.declaration.DeclarationStatus) and "accepted".
_STATUS_CODES = {
    "accepted": "ACC",
    "under_review": "REV",
    "inspection": "INS",
    "held": "HLD",
    "payment_due": "PAY",
    "rejected": "REJ",
    "released": "REL",
    "gated_out": "OUT",
    "seized": "SZD",
}
_LANE_CODES = {"green": "GRN", "document": "DOC", "inspection": "INS"}
# What a GIS says, by its code list: the response's field and the codes' meanings.
_INDICATORS = {
    _STATUS_LIST: ("status", {code: status for status, code in _STATUS_CODES.items()}),
    _LANE_LIST: ("lane", {code: lane for lane, code in _LANE_CODES.items()}),
}
# No repetition separator (reserved " "): a "*" in a description is plain text.
_WRITE_CHARACTERS = Characters.from_str(":+.? '")
_SYNTAX = ["UNOW", "4"]
_NAME_WIDTH = 35  # 3036 party name, an..35
_TEXT_WIDTH = 70  # 4440 free text, an..70
# What each Declaration field is read from, to say what is missing.
_SOURCES = {
    "direction": "a BGM with document code 929 (import) or 830 (export)",
    "trader": "the trader's customs code in NAD+IM (import) or NAD+EX (export)",
    "trader_name": "the trader's name in NAD+IM (import) or NAD+EX (export)",
    "trade_mode": "a trade mode in GIS (code list TM), e.g. GIS+0110:TM:ZZZ",
    "transport": "the main transport in TDT+20",
    "transport.voyage": "the voyage number in TDT+20",
    "transport.vessel": "the vessel's name in TDT+20 (fourth component of C222)",
    "transport.bill_of_lading": "a bill of lading number in RFF+BM",
    "transport.flight": "the flight number in TDT+20",
    "transport.air_waybill": "an air waybill number in RFF+AWB",
    "declaration_office": "the declaration office's UN/LOCODE in LOC+22",
    "release_port": "the release port's UN/LOCODE in LOC+23",
    "items": "at least one goods item, each starting with CST",
    "hs_code": "an HS code in the item's CST",
    "description": "a description in FTX+AAA after the item's CST",
    "quantity": "a quantity in QTY+47 after the item's CST",
    "unit": "a unit (e.g. KGM or PCE) in QTY+47 after the item's CST",
    "value": "a value in MOA+38 after the item's CST",
    "currency": "a currency in MOA+38 after the item's CST",
    "origin": "a country of origin in LOC+27 after the item's CST",
}
_HEADER_FIELDS = (
    "direction",
    "trader",
    "trader_name",
    "trade_mode",
    "declaration_office",
    "release_port",
)
_ITEM_FIELDS = ("hs_code", "description", "quantity", "unit", "value", "currency", "origin")
_TRANSPORT_FIELDS = {
    "sea": ("voyage", "vessel", "bill_of_lading"),
    "air": ("flight", "air_waybill"),
}
_NUMBER = "a number such as 12.5"


@dataclass(frozen=True)
class CusdecMessage:
    """One declaration of a CUSDEC interchange, as read, before the domain checks it."""

    number: int  # 1-based position of the message in the interchange
    message_ref: str  # UNH 0062
    reference: str | None  # BGM document number (the broker's reference), when readable
    document: dict[str, Any] | None  # ready for Declaration.model_validate; None when broken
    errors: list[FieldError]  # structural and format errors; empty when fine


@dataclass(frozen=True)
class CusdecInterchange:
    sender: str
    recipient: str
    control_ref: str
    messages: list[CusdecMessage]


@dataclass(frozen=True)
class CusresResponse:
    """Customs' answer to one declaration: its status, lane and, when rejected, why."""

    message_ref: str  # the CUSDEC UNH reference it answers
    reference: str | None  # the broker's reference (BGM of the CUSDEC)
    status: str  # "accepted", "rejected" or a declaration status ("released", "held"...)
    declaration_id: int | None  # Kouan's id once accepted
    lane: str | None  # "green", "document" or "inspection"
    errors: list[FieldError]  # why rejected; values are read back as text
    at: datetime  # when; written in UTC


def parse_cusdec(text: str) -> CusdecInterchange:
    """Every declaration of a CUSDEC interchange, each with its own errors."""
    with cycle_collection_paused():
        segments = _interchange_segments(text)
        spans = split_messages(segments, strict=False)
        messages = [_read_declaration(segments, span) for span in spans]
    syntax = Syntax.of(segments)
    return CusdecInterchange(syntax.sender, syntax.recipient, syntax.control_ref, messages)


def validate_messages(
    interchange: CusdecInterchange,
) -> list[tuple[CusdecMessage, Declaration | None, list[FieldError]]]:
    """Each message with its Declaration, or None and the errors naming message, item and field."""
    with cycle_collection_paused():
        return [_validate(message) for message in interchange.messages]


def _validate(message: CusdecMessage) -> tuple[CusdecMessage, Declaration | None, list[FieldError]]:
    if message.document is None:
        return message, None, message.errors
    try:
        declaration = Declaration.model_validate(message.document)
    except pydantic.ValidationError as exc:
        return message, None, [_field_error(message.number, error) for error in exc.errors()]
    return message, declaration, []


def write_cusdec(
    declarations: list[Declaration], sender: str, recipient: str, control_ref: str, now: datetime
) -> str:
    """A CUSDEC D:96B interchange with one message a declaration (tests, benchmarks, the demo)."""
    with cycle_collection_paused():
        bodies = [_declaration_segments(declaration, now) for declaration in declarations]
        return _interchange(bodies, _CUSDEC, sender, recipient, control_ref, now)


def write_cusres(
    responses: list[CusresResponse],
    sender: str,
    recipient: str,
    control_ref: str,
    now: datetime,
) -> str:
    """A CUSRES D:96B interchange with one message a response."""
    with cycle_collection_paused():
        bodies = [_response_segments(response) for response in responses]
        return _interchange(bodies, _CUSRES, sender, recipient, control_ref, now)


def parse_cusres(text: str) -> list[CusresResponse]:
    """The responses of a CUSRES interchange; ValidationFailed names every place that is wrong."""
    segments = _interchange_segments(text)
    errors = FieldErrors()
    responses = []
    for span in split_messages(segments):
        response = _ResponseReader(span.number, errors).read(segments, span)
        if response is not None:
            responses.append(response)
    errors.raise_if_any("CUSRES")
    return responses


def bare_parse(text: str) -> int:
    """pydifact's own parse of the text, the benchmark's baseline: its Interchange and the number
    of segments it holds (all but UNA, UNB and UNZ)."""
    with warnings.catch_warnings():
        # pydifact 0.2.3 warns that it has no schema for each service segment it validates.
        warnings.simplefilter("ignore")
        interchange = Interchange.from_str(text)
        return sum(1 for _ in interchange.segments)


def _interchange_segments(text: str) -> list[Segment]:
    head = text.lstrip("\ufeff \t\r\n")[:3]
    if head not in ("UNA", "UNB"):
        expected = "a UN/EDIFACT interchange, starting with UNA or UNB"
        raise ValidationFailed.one("interchange", text[:40], expected)
    return read_segments(text)


# ---- reading CUSDEC --------------------------------------------------------------------------


def _read_declaration(segments: list[Segment], span: MessageSpan) -> CusdecMessage:
    unh = segments[span.start]
    message_ref = value(unh, 0)
    stop = span.end - 1 if span.closed else span.end
    reader = _DeclarationReader(span.number)
    identifier = components(unh, 1)[:4]
    if identifier != _CUSDEC:
        reader.refuse(
            place(span.start + 1, unh),
            ":".join(identifier),
            "CUSDEC:D:96B:UN, the message type and version Kouan reads",
        )
        reader.reference = _bgm_reference(segments[span.start + 1 : stop])
        return CusdecMessage(
            span.number, message_ref, reader.reference, None, span.errors + reader.errors
        )
    handlers = _HANDLERS
    for index in range(span.start + 1, stop):
        segment = segments[index]
        handler = handlers.get(segment.tag)
        if handler is not None:
            handler(reader, index + 1, segment.elements)
    document = reader.document()
    errors = span.errors + reader.errors
    return CusdecMessage(
        span.number, message_ref, reader.reference, None if errors else document, errors
    )


def _bgm_reference(segments: list[Segment]) -> str | None:
    bgm = next((segment for segment in segments if segment.tag == "BGM"), None)
    return (value(bgm, 1) or None) if bgm is not None else None


def _first(elements: list[Element], index: int) -> str:
    """The first component of a data element, "" when absent."""
    if index >= len(elements):
        return ""
    element = elements[index]
    return element if isinstance(element, str) else element[0]


def _parts(elements: list[Element], index: int) -> list[str]:
    if index >= len(elements):
        return []
    element = elements[index]
    return [element] if isinstance(element, str) else element


def _text(elements: list[Element], index: int) -> str:
    """A text split over the five components of C080 or C108, joined again."""
    return "".join(_parts(elements, index)[:5])


def _number(text: str) -> Decimal | None:
    """An EDIFACT numeric value: digits, one decimal mark ("." or ","), maybe a leading minus."""
    text = text.replace(",", ".")
    whole, _, fraction = (text[1:] if text[:1] == "-" else text).partition(".")
    digits = whole + fraction
    if not (digits.isdigit() and digits.isascii()):
        return None
    return Decimal(text)


class _DeclarationReader:
    """Reads the body of one CUSDEC message into a document for Declaration.model_validate."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.errors: list[FieldError] = []
        self.reference: str | None = None
        self.header: dict[str, Any] = {}
        self.traders: dict[str, tuple[str, str]] = {}
        self.transport: dict[str, str] = {}
        self.references: dict[str, str] = {}
        self.containers: list[str] = []
        self.items: list[dict[str, Any]] = []
        self.item: dict[str, Any] | None = None
        self.line_count: tuple[int, str] | None = None
        self.refused: set[str] = set()  # fields already refused: not missing as well

    def refuse(self, field: str, found: object, expected: str) -> None:
        self.errors.append(FieldError(f"message {self.number} {field}", found, expected))

    def refuse_field(self, field: str, found: object, expected: str) -> None:
        self.refused.add(field)
        self.refuse(field, found, expected)

    def bgm(self, number: int, elements: list[Element]) -> None:
        code = _first(elements, 0)
        self.reference = _first(elements, 1) or None
        direction = _DIRECTIONS.get(code)
        if direction is None:
            expected = f"929 (import) or 830 (export), the BGM document code at segment {number}"
            self.refuse_field("direction", code, expected)
        else:
            self.header["direction"] = direction

    def loc(self, number: int, elements: list[Element]) -> None:
        qualifier, code = _first(elements, 0), _first(elements, 1)
        key = _LOCATIONS.get(qualifier)
        if key is not None and code:
            self.header.setdefault(key, code)
        elif qualifier == "27" and self.item is not None and code:
            self.item.setdefault("origin", code)

    def gis(self, number: int, elements: list[Element]) -> None:
        indicator = _parts(elements, 0)
        if len(indicator) > 1 and indicator[1] == _TRADE_MODE_LIST and indicator[0]:
            self.header.setdefault("trade_mode", indicator[0])

    def nad(self, number: int, elements: list[Element]) -> None:
        qualifier = _first(elements, 0)
        if qualifier == "DT":
            declarant = _text(elements, 3)
            if declarant:
                self.header.setdefault("declarant", declarant)
        elif qualifier in ("IM", "EX"):
            self.traders.setdefault(qualifier, (_first(elements, 1), _text(elements, 3)))

    def tdt(self, number: int, elements: list[Element]) -> None:
        if _first(elements, 0) != "20" or self.transport:
            return
        code = _first(elements, 2)
        mode = _MODES.get(code)
        if mode is None:
            expected = f"1 (sea) or 4 (air), the mode of TDT+20 at segment {number}"
            self.refuse_field("transport", code, expected)
            return
        conveyance = _first(elements, 1)
        self.transport["mode"] = mode
        if mode == "air":
            self.transport["flight"] = conveyance
            return
        self.transport["voyage"] = conveyance
        means = [*_parts(elements, 7), "", "", "", ""]
        self.transport["vessel"] = means[3]
        if means[0]:
            self.transport["imo"] = means[0]

    def rff(self, number: int, elements: list[Element]) -> None:
        reference = _parts(elements, 0)
        if len(reference) > 1 and reference[0] in ("BM", "AWB") and reference[1]:
            self.references.setdefault(reference[0], reference[1])

    def eqd(self, number: int, elements: list[Element]) -> None:
        if _first(elements, 0) == "CN":
            self.containers.append(_first(elements, 1))

    def pac(self, number: int, elements: list[Element]) -> None:
        if self.item is not None or self.items:  # the header's, not an item's packing
            return
        text = _first(elements, 0)
        if not (text.isdigit() and text.isascii()):
            where = f"a whole number of packages in PAC at segment {number}"
            self.refuse_field("packages", text, where)
        else:
            self.header.setdefault("packages", int(text))

    def mea(self, number: int, elements: list[Element]) -> None:
        if self.item is not None or self.items:
            return
        if (_first(elements, 0), _first(elements, 1)) != ("WT", "G"):
            return
        value = _parts(elements, 2)
        unit, text = [*value, "", ""][:2]
        amount = _number(text)
        if unit != "KGM" or amount is None:
            where = f"KGM and {_NUMBER} in MEA+WT+G at segment {number}"
            self.refuse_field("gross_weight_kg", ":".join(value), where)
        else:
            self.header.setdefault("gross_weight_kg", amount)

    def cst(self, number: int, elements: list[Element]) -> None:
        self.item = {}
        code = _first(elements, 1)
        if code:
            self.item["hs_code"] = code
        self.items.append(self.item)

    def ftx(self, number: int, elements: list[Element]) -> None:
        if self.item is not None and _first(elements, 0) == "AAA":
            description = _text(elements, 3)
            if description:
                self.item.setdefault("description", description)

    def qty(self, number: int, elements: list[Element]) -> None:
        if self.item is None or _first(elements, 0) != "47" or "quantity" in self.item:
            return
        self._amount("quantity", _parts(elements, 0), "unit", f"QTY+47 at segment {number}")

    def moa(self, number: int, elements: list[Element]) -> None:
        if self.item is None or _first(elements, 0) != "38" or "value" in self.item:
            return
        self._amount("value", _parts(elements, 0), "currency", f"MOA+38 at segment {number}")

    def _amount(self, key: str, parts: list[str], unit_key: str, where: str) -> None:
        item = self.item
        assert item is not None
        text = parts[1] if len(parts) > 1 else ""
        if len(parts) > 2 and parts[2]:
            item[unit_key] = parts[2]
        if not text:
            return
        amount = _number(text)
        if amount is None:
            field = f"items[{len(self.items) - 1}].{key}"
            self.refuse_field(field, text, f"{_NUMBER} in {where}")
        else:
            item[key] = amount

    def uns(self, number: int, elements: list[Element]) -> None:
        if _first(elements, 0) == "S":
            self.item = None

    def cnt(self, number: int, elements: list[Element]) -> None:
        if _first(elements, 0) == "2":
            control = _parts(elements, 0)
            self.line_count = (number, control[1] if len(control) > 1 else "")

    def document(self) -> dict[str, Any]:
        """The Declaration's fields as read; what is missing or contradictory goes to errors."""
        document = self.header
        self._trader(document)
        transport = self._transport()
        if transport is not None:
            document["transport"] = transport
        if self.containers:
            document["containers"] = self.containers
        document["items"] = self.items
        if self.reference is not None:
            document["reference"] = self.reference
        for key in _HEADER_FIELDS:
            if key not in document:
                self._missing(key)
        if not self.items:
            self._missing("items")
        for index, item in enumerate(self.items):
            for key in _ITEM_FIELDS:
                if key not in item:
                    self._missing(f"items[{index}].{key}", key)
        self._check_line_count()
        return document

    def _trader(self, document: dict[str, Any]) -> None:
        """The importer of an import, the exporter of an export; either when BGM was refused."""
        direction = document.get("direction")
        party = _TRADER_PARTIES.get(direction or "")
        if party is None:
            trader = next(iter(self.traders.values()), None)
        else:
            trader = self.traders.get(party)
        if trader is None:
            # One error for the missing party, not one for its code and one for its name.
            found = next((f"NAD+{other}" for other in self.traders), "")
            expected = f"NAD+{party}, the trader of an {direction} declaration" if party else ""
            self.refuse_field("trader", found, expected or _SOURCES["trader"])
            self.refused.add("trader_name")
            return
        code, name = trader
        if code:
            document["trader"] = code
        if name:
            document["trader_name"] = name

    def _transport(self) -> dict[str, str] | None:
        transport = self.transport
        if not transport:
            if "transport" not in self.refused:
                self._missing("transport")
            return None
        mode = transport["mode"]
        reference = self.references.get("AWB" if mode == "air" else "BM")
        if reference:
            transport["air_waybill" if mode == "air" else "bill_of_lading"] = reference
        for key in _TRANSPORT_FIELDS[mode]:
            if not transport.get(key):
                transport.pop(key, None)
                self._missing(f"transport.{key}")
        return transport

    def _missing(self, field: str, source: str | None = None) -> None:
        if field not in self.refused:
            self.refuse(field, "", _SOURCES[source or field])

    def _check_line_count(self) -> None:
        if self.line_count is None:
            return
        number, declared = self.line_count
        if not (declared.isdigit() and int(declared) == len(self.items)):
            expected = f"{len(self.items)}, the number of goods items (CST), in CNT+2 at segment"
            self.refuse("items", declared, f"{expected} {number}")


_HANDLERS: dict[str, Callable[[_DeclarationReader, int, list[Element]], None]] = {
    "BGM": _DeclarationReader.bgm,
    "LOC": _DeclarationReader.loc,
    "GIS": _DeclarationReader.gis,
    "NAD": _DeclarationReader.nad,
    "TDT": _DeclarationReader.tdt,
    "RFF": _DeclarationReader.rff,
    "EQD": _DeclarationReader.eqd,
    "PAC": _DeclarationReader.pac,
    "MEA": _DeclarationReader.mea,
    "CST": _DeclarationReader.cst,
    "FTX": _DeclarationReader.ftx,
    "QTY": _DeclarationReader.qty,
    "MOA": _DeclarationReader.moa,
    "UNS": _DeclarationReader.uns,
    "CNT": _DeclarationReader.cnt,
}


def _field_error(number: int, error: ErrorDetails) -> FieldError:
    """A pydantic error about a declaration as a FieldError naming message, item and field."""
    path = _path(error["loc"])
    if error["type"] == "missing":
        expected = _SOURCES.get(path.rpartition(".")[2], f"a value for {path}")
        return FieldError(f"message {number} {path}", "", expected)
    if error["type"] == "value_error":
        return FieldError(f"message {number} {path}", error["input"], str(error["ctx"]["error"]))
    return FieldError(f"message {number} {path}", error["input"], error["msg"])


def _path(loc: tuple[int | str, ...]) -> str:
    """("items", 1, "quantity") -> "items[1].quantity"; the transport's mode tag is left out."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif path == "transport" and part in _TRANSPORT_FIELDS:
            continue
        else:
            path = f"{path}.{part}" if path else part
    return path


# ---- writing CUSDEC --------------------------------------------------------------------------


def _declaration_segments(declaration: Declaration, now: datetime) -> list[Segment]:
    direction = str(declaration.direction)
    segments = [
        Segment("BGM", _DOCUMENT_CODES[direction], declaration.reference or "", "9"),
        Segment("DTM", ["137", f"{now:%Y%m%d%H%M}", "203"]),
        Segment("LOC", "22", declaration.declaration_office),
        Segment("LOC", "23", declaration.release_port),
        Segment("GIS", [declaration.trade_mode, _TRADE_MODE_LIST, "ZZZ"]),
        *(Segment("EQD", "CN", container) for container in declaration.containers),
        *_transport_segments(declaration),
        Segment(
            "NAD",
            _TRADER_PARTIES[direction],
            declaration.trader,
            "",
            _split(declaration.trader_name, _NAME_WIDTH),
        ),
    ]
    if declaration.declarant:
        segments.append(Segment("NAD", "DT", "", "", _split(declaration.declarant, _NAME_WIDTH)))
    if declaration.packages is not None:
        segments.append(Segment("PAC", str(declaration.packages)))
    if declaration.gross_weight_kg is not None:
        weight = ["KGM", _plain(declaration.gross_weight_kg)]
        segments.append(Segment("MEA", "WT", "G", weight))
    segments.append(Segment("UNS", "D"))
    for line, item in enumerate(declaration.items, 1):
        segments += [
            Segment("CST", str(line), [item.hs_code, "HS", "ZZZ"]),
            Segment("FTX", "AAA", "", "", _split(item.description, _TEXT_WIDTH)),
            Segment("LOC", "27", item.origin),
            Segment("QTY", ["47", _plain(item.quantity), item.unit]),
            Segment("MOA", ["38", _plain(item.value), item.currency]),
        ]
    segments += [Segment("UNS", "S"), Segment("CNT", ["2", str(len(declaration.items))])]
    return segments


def _transport_segments(declaration: Declaration) -> list[Segment]:
    transport = declaration.transport
    if isinstance(transport, AirTransport):
        return [
            Segment("RFF", ["AWB", transport.air_waybill]),
            Segment("TDT", "20", transport.flight, "4"),
        ]
    means = [transport.imo, "146", "11"] if transport.imo else ["", "", ""]
    return [
        Segment("RFF", ["BM", transport.bill_of_lading]),
        Segment("TDT", "20", transport.voyage, "1", "", "", "", "", [*means, transport.vessel]),
    ]


def _split(text: str, width: int) -> list[str]:
    """A text over the five components of a composite; what does not fit stays in the fifth."""
    parts = [text[start : start + width] for start in range(0, width * 4, width)]
    parts.append(text[width * 4 :])
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return parts


def _plain(number: Decimal) -> str:
    # EDIFACT numbers have no exponent: Decimal("1E+2") is written 100.
    return format(number, "f")


def _interchange(
    bodies: Iterable[list[Segment]],
    identifier: list[str],
    sender: str,
    recipient: str,
    control_ref: str,
    now: datetime,
) -> str:
    segments = [
        Segment("UNB", _SYNTAX, sender, recipient, [f"{now:%Y%m%d}", f"{now:%H%M}"], control_ref)
    ]
    count = 0
    for count, body in enumerate(bodies, 1):
        reference = str(count)
        segments.append(Segment("UNH", reference, identifier))
        segments += body
        segments.append(Segment("UNT", str(len(body) + 2), reference))
    segments.append(Segment("UNZ", str(count), control_ref))
    return Serializer(_WRITE_CHARACTERS).serialize(segments, with_una_header=True, break_lines=True)


# ---- CUSRES ----------------------------------------------------------------------------------


def _response_segments(response: CusresResponse) -> list[Segment]:
    if response.status not in _STATUS_CODES:
        raise ValueError(f"status {response.status!r}: expected one of {', '.join(_STATUS_CODES)}")
    if response.lane is not None and response.lane not in _LANE_CODES:
        raise ValueError(f"lane {response.lane!r}: expected one of {', '.join(_LANE_CODES)}")
    at = response.at if response.at.tzinfo else response.at.replace(tzinfo=UTC)
    document = "963" if response.status == "rejected" else "962"
    identifier = "" if response.declaration_id is None else str(response.declaration_id)
    segments = [
        Segment("BGM", document, identifier, "9"),
        Segment("DTM", ["137", f"{at.astimezone(UTC):%Y%m%d%H%M%S}", "204"]),
        Segment("GIS", [_STATUS_CODES[response.status], _STATUS_LIST, "ZZZ"]),
    ]
    if response.lane is not None:
        segments.append(Segment("GIS", [_LANE_CODES[response.lane], _LANE_LIST, "ZZZ"]))
    for error in response.errors:
        segments += _error_segments(error)
    segments.append(Segment("RFF", ["ACW", response.message_ref]))
    if response.reference:
        segments.append(Segment("RFF", ["ABO", response.reference]))
    return segments


def _error_segments(error: FieldError) -> list[Segment]:
    found = "" if error.value is None else str(error.value)
    return [
        Segment("ERP", _error_point(error.field)),
        Segment("ERC", ["13" if found == "" else "12", "", "ZZZ"]),
        Segment("FTX", "AAO", "", "", [error.field, found, error.expected]),
    ]


def _error_point(field: str) -> list[str]:
    """ERP: 1 for the declaration, 2 and the item's line (from 1) for one of its goods items."""
    _, marker, rest = field.partition("items[")
    index = rest.partition("]")[0]
    if marker and index.isdigit():
        return ["2", str(int(index) + 1)]
    return ["1"]


class _ResponseReader:
    """Reads one CUSRES message; what is wrong goes to the shared collector."""

    def __init__(self, number: int, errors: FieldErrors) -> None:
        self._number = number
        self._errors = errors
        self._refused: set[str] = set()

    def read(self, segments: list[Segment], span: MessageSpan) -> CusresResponse | None:
        unh = segments[span.start]
        if components(unh, 1)[:4] != _CUSRES:
            expected = "CUSRES:D:96B:UN, the message type and version Kouan reads"
            self._errors.add(place(span.start + 1, unh), value(unh, 1), expected)
            return None
        fields: dict[str, Any] = {"errors": [], "lane": None, "reference": None}
        for index in range(span.start + 1, span.end - 1):
            self._segment(index + 1, segments[index], fields)
        for key, source in _RESPONSE_SOURCES.items():
            if key not in fields and key not in self._refused:
                self._refuse(key, "", source)
        if self._refused:
            return None
        fields.setdefault("declaration_id", None)
        return CusresResponse(**fields)

    def _segment(self, number: int, segment: Segment, fields: dict[str, Any]) -> None:
        tag, elements = segment.tag, segment.elements
        if tag == "BGM" and _first(elements, 1):
            identifier = _first(elements, 1)
            if identifier.isdigit():
                fields["declaration_id"] = int(identifier)
            else:
                self._refuse("declaration_id", identifier, f"a number in BGM (segment {number})")
        elif tag == "DTM" and _first(elements, 0) == "137":
            self._date(number, _parts(elements, 0), fields)
        elif tag == "GIS":
            self._indicator(number, _parts(elements, 0), fields)
        elif tag == "FTX" and _first(elements, 0) == "AAO":
            error = [*_parts(elements, 3), "", "", ""]
            fields["errors"].append(FieldError(error[0], error[1], error[2]))
        elif tag == "RFF":
            reference = [*_parts(elements, 0), ""]
            key = _RESPONSE_REFERENCES.get(reference[0])
            if key is not None:
                fields[key] = reference[1]

    def _date(self, number: int, parts: list[str], fields: dict[str, Any]) -> None:
        text = parts[1] if len(parts) > 1 else ""
        try:
            at = datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            expected = f"a UTC time in format 204 (CCYYMMDDHHMMSS) in DTM+137 (segment {number})"
            self._refuse("at", text, expected)
            return
        if not values.in_port_years(at):
            self._refuse("at", text, f"{values.IN_PORT_YEARS} in DTM+137 (segment {number})")
            return
        fields["at"] = at

    def _indicator(self, number: int, parts: list[str], fields: dict[str, Any]) -> None:
        code_list = parts[1] if len(parts) > 1 else ""
        if code_list not in _INDICATORS:
            return
        key, codes = _INDICATORS[code_list]
        if parts[0] in codes:
            fields[key] = codes[parts[0]]
        else:
            expected = f"one of {', '.join(codes)} in GIS (code list {code_list}, segment {number})"
            self._refuse(key, parts[0], expected)

    def _refuse(self, key: str, found: str, expected: str) -> None:
        self._refused.add(key)
        self._errors.add(f"message {self._number} {key}", found, expected)


_RESPONSE_REFERENCES = {"ACW": "message_ref", "ABO": "reference"}
_RESPONSE_SOURCES = {
    "status": f"a status in GIS (code list {_STATUS_LIST})",
    "at": "a time in DTM+137",
    "message_ref": "the CUSDEC message's reference in RFF+ACW",
}
