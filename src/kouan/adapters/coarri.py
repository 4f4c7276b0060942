"""UN/EDIFACT COARRI (container discharge/loading report, D.95B and later) read tolerantly.

`read_coarri` reads an interchange into the moves it reports: each equipment group (EQD) is one
container discharged from or loaded onto the ship the message's TDT names, with its ISO 6346
number, size-type code (and so its TEU), seals (SEL), weights (MEA), the move's time (DTM+203)
and its stowage position (LOC+147). Real reports are imperfect: an unknown qualifier, a missing
time or weight, a check digit that does not hold is kept with a warning. The interchange is
refused only when it cannot be trusted: a broken envelope, counts that disagree (UNT, UNZ, UNE,
CNT+16), a message that is neither a discharge nor a loading report, an EQD without a number, a
time that is no time. Every problem names its segment ("segment 12 (EQD+CN)") and element
("C237/8260").

The segments are split by `edifact_envelope.tokenise`, many times faster than pydifact's tokeniser
(bench/coarri.py measures the whole ingest against pydifact's bare parse).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kouan.adapters.edifact_envelope import (
    Piece,
    Seg,
    SegmentLike,
    Span,
    tokenise,
    value,
    walk,
)
from kouan.domain import values
from kouan.domain.errors import FieldError, ValidationFailed

DISCHARGED, LOADED = "discharged", "loaded"
# BGM 1001 of a COARRI: 44 discharge (unloading) report, 46 loading report; 270 and 98 are used by
# some terminals for the same (SMDG's manual lists both).
_REPORT_KINDS = {"44": DISCHARGED, "98": DISCHARGED, "46": LOADED, "270": LOADED}
# MEA+AAE measurement attributes: gross weights (G, AAB gross, EGW equipment gross, VGM) and tare.
_GROSS = frozenset({"G", "AAB", "EGW", "VGM", "WT"})
_TARE = frozenset({"T", "AAD"})
# Weight units to kilograms.
_KG = {"KGM": 1.0, "TNE": 1000.0, "LBR": 0.45359237}
# DTM 2379 formats and the length of each.
_DTM_LENGTHS = {"203": 12, "204": 14, "102": 8}
# EQD 8169: 4 empty, 5 full.
_FULL = {"4": False, "5": True}
# Segments of a COARRI that say nothing Kouan keeps: read past without a warning.
_QUIET = frozenset(
    {
        "NAD",
        "FTX",
        "TMD",
        "RFF",
        "DGS",
        "TDT",
        "CTA",
        "COM",
        "TSR",
        "HAN",
        "DIM",
        "TMP",
        "RNG",
        "EQA",
        "GDS",
        "PIA",
        "CNI",
        "EQN",
        "UNS",
        "GID",
        "QTY",
        "MEA",
        "SEL",
        "DTM",
        "LOC",
    }
)

Severity = str  # "error" or "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with an interchange: an error refuses it, a warning keeps it."""

    severity: Severity
    segment: str  # "segment 12 (EQD+CN)", or a missing envelope segment "UNT"
    element: str  # "C237/8260", or "" for the segment as a whole
    value: str
    expected: str  # English: what was expected, or what is odd

    @property
    def where(self) -> str:
        return f"{self.segment} {self.element}".strip()

    def field_error(self) -> FieldError:
        return FieldError(self.where, self.value, self.expected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "segment": self.segment,
            "element": self.element,
            "value": self.value,
            "expected": self.expected,
        }


def teu_of(size_type: str) -> int | None:
    """TEU of an ISO 6346 size-type code (or the older ISO 2688 four digits): the first character
    is the length, 1 and 2 (10 and 20 feet) and A to C (7 to 24 feet) one TEU, 3 and 4 (30 and 40
    feet) and D to P (40 to 49 feet: 45' is L) two; None when it is no length code."""
    code = size_type.strip().upper()[:1]
    if code in ("1", "2", "A", "B", "C"):
        return 1
    if code in ("3", "4") or ("D" <= code <= "P" and code not in ("I", "O")):
        return 2
    return None


def _letter_values() -> dict[str, int]:
    """ISO 6346's values of the letters: A is 10, skipping 11, 22 and 33."""
    found, number = {}, 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if number % 11 == 0:
            number += 1
        found[letter] = number
        number += 1
    return found


_VALUES = {**_letter_values(), **{str(d): d for d in range(10)}}
_WEIGHTS = tuple(2**i for i in range(10))


def container_ok(number: str) -> bool:
    """An ISO 6346 number: owner code, category U, J or Z, six digits and its check digit (what
    stdnum checks, many times faster: a COARRI holds hundreds of thousands)."""
    if len(number) != 11 or number[3] not in "UJZ" or not number[:3].isalpha():
        return False
    if not number[4:].isdigit() or not number[:3].isascii():
        return False
    total = sum(_VALUES[c] * w for c, w in zip(number[:10], _WEIGHTS, strict=True))
    return total % 11 % 10 == int(number[10])


@dataclass(slots=True)
class Move:
    """One container moved: discharged from the ship or loaded onto it."""

    kind: str
    container: str
    size_type: str = ""
    teu: int | None = None
    full: bool | None = None
    at: datetime | None = None  # the message's local time of the port, without a zone
    gross_kg: float | None = None
    tare_kg: float | None = None
    seals: list[str] = field(default_factory=list)
    booking: str = ""
    position: str = ""  # LOC+147, the stowage cell (bay, row, tier)
    segment: int = 0  # the EQD's number in the text

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "container": self.container,
            "size_type": self.size_type,
            "teu": self.teu,
            "full": self.full,
            "at": self.at.isoformat() if self.at else None,
            "gross_kg": self.gross_kg,
            "tare_kg": self.tare_kg,
            "seals": list(self.seals),
            "booking": self.booking,
            "position": self.position,
        }


@dataclass(slots=True)
class Voyage:
    """The ship and voyage a message reports (TDT+20), and its port (LOC+11/9 or 5)."""

    voyage: str = ""
    vessel_id: str = ""  # C222/8213: a call sign (code list 103) or an IMO number (146, 11)
    vessel_id_list: str = ""
    vessel_name: str = ""
    carrier: str = ""
    port: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "voyage": self.voyage,
            "vessel_id": self.vessel_id,
            "vessel_id_list": self.vessel_id_list,
            "vessel_name": self.vessel_name,
            "carrier": self.carrier,
            "port": self.port,
        }


@dataclass(slots=True)
class CoarriMessage:
    reference: str
    document: str
    kind: str
    voyage: Voyage
    moves: list[Move] = field(default_factory=list)


@dataclass
class CoarriResult:
    """What was read; `errors` refuse the whole interchange (nothing of it is to be kept)."""

    sender: str = ""
    reference: str = ""
    messages: list[CoarriMessage] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def moves(self) -> list[Move]:
        return [move for message in self.messages for move in message.moves]

    def raise_if_refused(self) -> None:
        if self.errors:
            first = self.errors[0]
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            raise ValidationFailed(
                f"{first.where}: {first.value!r} is not {first.expected}{more}",
                [e.field_error() for e in self.errors],
            )


# --- the envelope, shared with the BAPLIE reader ------------------------------------------------


def envelope(text: str) -> tuple[list[Piece], list[Span], SegmentLike | None, list[Problem]]:
    """The segments, messages, UNB and the envelope's errors of an interchange."""
    tokens = tokenise(text)
    walked = walk(tokens)
    errors = [
        Problem("error", issue.segment, issue.element, issue.value, issue.message)
        for issue in walked.errors
    ]
    return tokens.pieces, walked.spans, walked.unb, errors


def check_text(text: str) -> Problem | None:
    unfit = values.unfit_character(text)
    if unfit is None:
        return None
    return Problem("error", "interchange", "", "", unfit)


class Reader:
    """What the COARRI and BAPLIE readers share: problems, dates, weights, counts."""

    def __init__(self, pieces: list[Piece], span: Span, result: Any) -> None:
        self.pieces = pieces
        self.span = span
        self.result = result
        self.equipment = 0

    def seg(self, index: int) -> Seg:
        return Seg(index + 1, self.pieces[index])

    def error(self, seg: Seg | str, element: str, value: str, expected: str) -> None:
        where = seg if isinstance(seg, str) else seg.place
        self.result.errors.append(Problem("error", where, element, value, expected))

    def warn(self, seg: Seg, element: str, value: str, expected: str) -> None:
        self.result.warnings.append(Problem("warning", seg.place, element, value, expected))

    def time(self, seg: Seg) -> datetime | None:
        """A DTM's time: C507/2380 in the format 2379 says (203 CCYYMMDDHHMM by default)."""
        text, code = seg.value(0, 1), seg.value(0, 2) or "203"
        length = _DTM_LENGTHS.get(code)
        if length is None:
            self.warn(
                seg, "C507/2379", code, "a date format 102, 203 or 204 (the time is left out)"
            )
            return None
        if len(text) != length or not text.isdigit():
            self.error(seg, "C507/2380", text, f"a time in format {code} ({length} digits)")
            return None
        try:
            pairs = [int(text[n : n + 2]) for n in range(4, length, 2)] + [0, 0, 0]
            at = datetime(int(text[:4]), pairs[0], pairs[1], pairs[2], pairs[3], pairs[4])
        except ValueError:
            self.error(seg, "C507/2380", text, f"a time in format {code} that exists")
            return None
        if not values.in_port_years(at):
            self.error(seg, "C507/2380", text, values.IN_PORT_YEARS)
            return None
        return at

    def weight(self, seg: Seg) -> float | None:
        """A MEA's weight in kilograms (C174: unit 6411, value 6314)."""
        unit, amount = seg.value(2, 0), seg.value(2, 1)
        factor = _KG.get(unit)
        if factor is None:
            self.warn(
                seg, "C174/6411", unit, "a weight unit KGM, TNE or LBR (the weight is left out)"
            )
            return None
        try:
            kg = float(amount.replace(",", "."))
        except ValueError:
            self.error(seg, "C174/6314", amount, "a weight, a number")
            return None
        if not 0 <= kg * factor < 200_000:
            self.error(seg, "C174/6314", amount, "a container's weight, 0 to 200 tonnes")
            return None
        return round(kg * factor, 1)

    def container(self, seg: Seg) -> str | None:
        """The EQD's container number (C237/8260): refused when missing, warned when its check
        digit does not hold (kept as sent, to be matched against the manifest)."""
        number = seg.value(1, 0).replace(" ", "").upper()
        if not number:
            self.error(seg, "C237/8260", "", "the equipment's identification, an ISO 6346 number")
            return None
        if len(number) > 17 or not number.isalnum():
            self.error(seg, "C237/8260", number, "an ISO 6346 container number")
            return None
        if not container_ok(number):
            self.warn(seg, "C237/8260", number, "an ISO 6346 number with a valid check digit")
        return number

    def size_type(self, seg: Seg) -> tuple[str, int | None]:
        code = seg.value(2, 0).strip().upper()
        teu = teu_of(code)
        if teu is None:
            self.warn(seg, "C224/8155", code, "an ISO 6346 size-type code such as 22G1 or 45G1")
        return code, teu

    def count(self, seg: Seg, counted: int) -> None:
        """CNT+16: the number of equipment of the message must be what it holds."""
        if seg.value(0, 0) != "16":
            self.warn(seg, "C270/6069", seg.value(0, 0), "a count of equipment, 16")
            return
        declared = seg.value(0, 1)
        if not (declared.isdigit() and int(declared) == counted):
            self.error(seg, "C270/6066", declared, f"{counted}, the number of EQD segments sent")


def _kind(reader: Reader, bgm: Seg | None, unh: Seg) -> str | None:
    if bgm is None:
        reader.error(unh, "", "", "a BGM after the UNH saying discharge (44) or loading (46)")
        return None
    code = bgm.value(0, 0)
    kind = _REPORT_KINDS.get(code)
    if kind is None:
        reader.error(bgm, "C002/1001", code, "a discharge report (44) or loading report (46)")
    return kind


class _MessageReader(Reader):
    def read(self) -> CoarriMessage | None:
        span, pieces = self.span, self.pieces
        unh = self.seg(span.start)
        message_type = unh.value(1, 0)
        if message_type != "COARRI":
            self.error(unh, "S009/0065", message_type, "COARRI")
            return None
        body = range(span.start + 1, span.end - 1 if span.closed else span.end)
        bgm = next((self.seg(i) for i in body if pieces[i].tag == "BGM"), None)
        kind = _kind(self, bgm, unh)
        message = CoarriMessage(unh.value(0), bgm.value(1) if bgm else "", kind or "", Voyage())
        move: Move | None = None
        voyage = message.voyage
        moves = message.moves
        eqds = 0
        for index in body:
            piece = pieces[index]
            tag = piece.tag
            if tag == "EQD":
                seg = Seg(index + 1, piece)
                eqds += 1
                move = self._eqd(seg, kind or DISCHARGED)
                if move is not None:
                    moves.append(move)
            elif move is not None and tag in ("DTM", "MEA", "SEL", "LOC", "RFF"):
                self._equipment(Seg(index + 1, piece), move)
            elif tag == "TDT" and move is None:
                self._tdt(Seg(index + 1, piece), voyage)
            elif tag == "LOC" and move is None:
                seg = Seg(index + 1, piece)
                if seg.qualifier in ("11", "9", "5", "147") and not voyage.port:
                    voyage.port = seg.value(1, 0)
            elif tag == "CNT":
                self.count(Seg(index + 1, piece), eqds)
            elif tag not in _QUIET and tag not in ("BGM", "DTM"):
                self.warn(Seg(index + 1, piece), "", tag, "a segment of a COARRI (left out)")
        for move in moves:
            if move.at is None:
                self.warn(
                    self.seg(move.segment - 1),
                    "DTM+203",
                    move.container,
                    "the time of the move (DTM+203 after the EQD): the report's time is used",
                )
        return message if kind else None

    def _tdt(self, seg: Seg, voyage: Voyage) -> None:
        if seg.qualifier != "20":
            return
        voyage.voyage = seg.value(1)
        voyage.carrier = seg.value(4, 0)
        voyage.vessel_id = seg.value(7, 0)
        voyage.vessel_id_list = seg.value(7, 1)
        voyage.vessel_name = seg.value(7, 3)

    def _eqd(self, seg: Seg, kind: str) -> Move | None:
        if seg.qualifier != "CN":
            self.warn(seg, "8053", seg.qualifier, "equipment of type CN, a container (left out)")
            return None
        number = self.container(seg)
        if number is None:
            return None
        size_type, teu = self.size_type(seg)
        full = _FULL.get(seg.value(5))
        return Move(kind, number, size_type, teu, full, segment=seg.number)

    def _equipment(self, seg: Seg, move: Move) -> None:
        tag, qualifier = seg.tag, seg.qualifier
        if tag == "DTM":
            if qualifier == "203":
                move.at = self.time(seg)
            elif qualifier not in ("178", "133", "132", "7", "9"):
                self.warn(seg, "C507/2005", qualifier, "the time of the move, DTM+203")
        elif tag == "MEA":
            attribute = seg.value(1, 0)
            if attribute in _GROSS:
                move.gross_kg = self.weight(seg)
            elif attribute in _TARE:
                move.tare_kg = self.weight(seg)
            elif qualifier not in ("AAE", "VGM"):
                self.warn(seg, "6311", qualifier, "a weight, MEA+AAE (left out)")
        elif tag == "SEL":
            number = seg.value(0)
            if number:
                move.seals.append(number[:35])
        elif tag == "LOC":
            if qualifier == "147":
                move.position = seg.value(1, 0)
            elif qualifier not in ("9", "11", "7", "76", "83", "8", "165"):
                self.warn(seg, "3227", qualifier, "a place of the container (LOC+147, 9, 11, 7)")
        elif tag == "RFF" and qualifier in ("BN", "BM"):
            move.booking = seg.value(0, 1)[:35]


def read_interchange(
    text: str, result: Any, reader: Callable[[list[Any], Any, Any], Any], kind: str
) -> list[Any]:
    """The messages of an interchange, each read by `reader(pieces, span, result).read()`, with
    the sender and reference set on `result`; none when anything refuses the interchange (the
    errors then in `result.errors`). COARRI and BAPLIE share it."""
    pieces, spans, unb, errors = envelope(text)
    result.errors.extend(errors)
    unfit = check_text(text)
    if unfit is not None:
        result.errors.append(unfit)
    if unb is None:
        return []
    result.sender, result.reference = value(unb, 1, 0), value(unb, 4)
    found = [m for span in spans if (m := reader(pieces, span, result).read()) is not None]
    if not spans:
        result.errors.append(Problem("error", "UNH", "", "", f"at least one {kind} message"))
    return [] if result.errors else found


def read_coarri(text: str) -> CoarriResult:
    """Every move of a COARRI interchange, with its warnings; or the errors that refuse it."""
    result = CoarriResult()
    result.messages = read_interchange(text, result, _MessageReader, "COARRI")
    return result


# --- writing (the benchmark's and the tests' reports) ------------------------------------------


def write_coarri(
    moves: Iterable[Move],
    voyage: Voyage,
    *,
    sender: str = "KOUAN",
    reference: str = "1",
    prepared: datetime | None = None,
) -> str:
    """One COARRI message per kind of move: a discharge report and a loading report."""
    moves = list(moves)
    prepared = prepared or datetime(2026, 1, 1)
    lines = [f"UNB+UNOA:2+{sender}+KOUAN+{prepared:%y%m%d:%H%M}+{reference}'"]
    messages = 0
    for kind, code in ((DISCHARGED, "44"), (LOADED, "46")):
        chosen = [m for m in moves if m.kind == kind]
        if not chosen:
            continue
        messages += 1
        body = [
            f"UNH+{reference}{messages}+COARRI:D:95B:UN:ITG13'",
            f"BGM+{code}+{reference}{messages}+9'",
            f"TDT+20+{voyage.voyage}+1+13+{voyage.carrier}:172:20+++"
            f"{voyage.vessel_id}:{voyage.vessel_id_list or '103'}::{voyage.vessel_name}'",
            f"LOC+{'11' if kind == DISCHARGED else '9'}+{voyage.port}:139:6'",
            f"DTM+137:{prepared:%Y%m%d%H%M}:203'",
        ]
        for move in chosen:
            full = "4" if move.full is False else "5"
            body.append(f"EQD+CN+{move.container}+{move.size_type}:102:5++3+{full}'")
            if move.booking:
                body.append(f"RFF+BN:{move.booking}'")
            if move.at is not None:
                body.append(f"DTM+203:{move.at:%Y%m%d%H%M}:203'")
            if move.position:
                body.append(f"LOC+147+{move.position}::5'")
            if move.tare_kg is not None:
                body.append(f"MEA+AAE+T+KGM:{move.tare_kg:g}'")
            if move.gross_kg is not None:
                body.append(f"MEA+AAE+EGW+KGM:{move.gross_kg:g}'")
            body.extend(f"SEL+{seal}+CA'" for seal in move.seals)
        body.append(f"CNT+16:{len(chosen)}'")
        body.append(f"UNT+{len(body) + 1}+{reference}{messages}'")
        lines.extend(body)
    lines.append(f"UNZ+{messages}+{reference}'")
    return "\n".join(lines) + "\n"
