"""Cargo manifests as UN/EDIFACT CUSCAR (customs cargo report), D:95B, read with the envelope's
fast tokeniser (`edifact_envelope.tokenise` and `walk`); every error names its segment and
element ("segment 14 (EQD+CN) C237/8260").

One message is one manifest; the interchange's first message is read (a manifest is one voyage's
import or export cargo). The segments Kouan reads, in the message's order:

| segment | ManifestDocument field | notes |
|---|---|---|
| BGM+785+reference+9 | reference | 1001: 785 cargo manifest |
| TDT+20+voyage+1++carrier:172:20+++IMO:146::name | voyage, carrier, imo | C222/8213 IMO |
| RFF+ZZZ:port call id | port_call_id | optional: Kouan's port call |
| LOC+9+UN/LOCODE | direction | 3227: 9 port of loading: here -> export |
| LOC+11+UN/LOCODE | direction | 3227: 11 port of discharge: here -> import |
| DTM+178:CCYYMMDDHHMM:203 | loading_at | export: when loading begins, UTC |
| CNI+n+B/L number | bills_of_lading[n].number | starts a bill of lading (C503/1004) |
| NAD+CZ/CN/N1+++name | shipper, consignee, notify_party | C080/3036 |
| GID+n+packages:type | packages, package_type | C213/7224, C213/7065 |
| FTX+AAA+++description | goods_description | C108/4440 |
| PIA+5+HS code:HS | hs_code | C212/7140 |
| MEA+WT+G+KGM:weight | gross_weight_kg | after GID: the B/L's gross weight |
| DGS+IMD+class+UN number | dangerous_goods, un_number | C234/7124 |
| EQD+CN+container number | containers[n].number | C237/8260, ISO 6346 |
| SEL+seal | containers[n].seal | 9308 |
| MEA+AAE+G+KGM:weight | containers[n].gross_weight_kg | after EQD |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pydantic

from kouan.adapters.edifact_envelope import Seg, Separators, tokenise, walk
from kouan.domain import manifest as domain
from kouan.domain.errors import FieldError, ValidationFailed
from kouan.domain.manifest import ManifestDocument
from kouan.site import PORT

_MESSAGE = ["CUSCAR", "D", "95B", "UN"]
_NAMES = {"CZ": "shipper", "CN": "consignee", "N1": "notify_party"}
_ELEMENTS = {
    "BGM": {1: "C002/1001", 2: "C106/1004"},
    "TDT": {2: "8028", 5: "C040/3127", 8: "C222/8213"},
    "RFF": {1: "C506/1154"},
    "LOC": {2: "C517/3225"},
    "DTM": {1: "C507/2380"},
    "CNI": {2: "C503/1004"},
    "NAD": {4: "C080/3036"},
    "GID": {2: "C213/7224"},
    "FTX": {4: "C108/4440"},
    "PIA": {2: "C212/7140"},
    "MEA": {3: "C174/6314"},
    "DGS": {3: "C234/7124"},
    "EQD": {2: "C237/8260"},
    "SEL": {1: "9308"},
    "UNH": {2: "S009/0065"},
}
# Where a ManifestDocument field is read from (for what is missing).
_MISSING = {
    "voyage": "the voyage in TDT+20 (8028)",
    "imo": "the ship's IMO number in TDT+20 (C222/8213)",
    "bills_of_lading": "at least one bill of lading, each starting with CNI",
    "number": "the B/L number in CNI (C503/1004)",
    "shipper": "the shipper in NAD+CZ (C080/3036)",
    "consignee": "the consignee in NAD+CN (C080/3036)",
    "goods_description": "a description in FTX+AAA (C108/4440)",
    "packages": "the packages in GID (C213/7224)",
    "gross_weight_kg": "a gross weight in MEA+WT (after GID) or MEA+AAE (after EQD)",
}


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def where(seg: Seg, element: int) -> str:
    """A segment's place and one of its elements: "segment 14 (EQD+CN) C237/8260"."""
    name = _ELEMENTS.get(seg.tag, {}).get(element, str(element))
    return f"{seg.place} {name}"


@dataclass
class _Reader:
    here: str
    errors: list[FieldError] = field(default_factory=list)
    head: dict[str, Any] = field(default_factory=dict)
    bills: list[dict[str, Any]] = field(default_factory=list)
    places: dict[str, str] = field(default_factory=dict)  # JSON path -> segment and element
    direction: str | None = None
    last: str = ""  # "gid" or "eqd": what a MEA measures

    def refuse(self, seg: Seg, element: int, value: object, expected: str) -> None:
        self.errors.append(FieldError(where(seg, element), value, expected))

    def number(self, seg: Seg, element: int, component: int) -> Decimal | None:
        text = seg.value(element - 1, component).replace(",", ".")
        try:
            return Decimal(text)
        except InvalidOperation:
            self.refuse(seg, element, text, "a number such as 12.5")
            return None

    @property
    def bill(self) -> dict[str, Any] | None:
        return self.bills[-1] if self.bills else None

    def path(self, name: str, container: bool = False) -> str:
        b = len(self.bills) - 1
        if container and self.bill is not None:
            c = len(self.bill["containers"]) - 1
            return f"bills_of_lading[{b}].containers[{c}].{name}"
        return f"bills_of_lading[{b}].{name}" if b >= 0 else name

    def put(self, seg: Seg, element: int, name: str, value: Any, container: bool = False) -> None:
        target: dict[str, Any] | None
        if container:
            target = self.bill["containers"][-1] if self.bill and self.bill["containers"] else None
        else:
            target = self.bill
        if target is None:
            self.refuse(seg, element, seg.tag, "a segment inside a CNI (bill of lading) group")
            return
        target[name] = value
        self.places[self.path(name, container)] = where(seg, element)

    # -- the segments --------------------------------------------------------------------

    def bgm(self, seg: Seg) -> None:
        if seg.value(0) != "785":
            self.refuse(seg, 1, seg.value(0), "785, a cargo manifest (C002/1001)")
        if seg.value(1):
            self.head["reference"] = seg.value(1)
            self.places["reference"] = where(seg, 2)

    def tdt(self, seg: Seg) -> None:
        if seg.value(0) != "20":
            return
        if seg.value(1):
            self.head["voyage"] = seg.value(1)
        self.places["voyage"] = where(seg, 2)
        carrier = seg.value(4)
        if carrier:
            self.head["carrier"] = carrier
            self.places["carrier"] = where(seg, 5)
        imo = seg.value(7)
        if imo:
            self.head["imo"] = imo
            self.places["imo"] = where(seg, 8)

    def rff(self, seg: Seg) -> None:
        if seg.value(0, 0) == "ZZZ":
            text = seg.value(0, 1)
            if not text.isdigit():
                self.refuse(seg, 1, text, "Kouan's port call id: digits")
                return
            self.head["port_call_id"] = int(text)
            self.places["port_call_id"] = where(seg, 1)

    def loc(self, seg: Seg) -> None:
        code = seg.value(1)
        if seg.qualifier == "11" and code == self.here:
            self.direction = "import"
        elif seg.qualifier == "9" and code == self.here:
            self.direction = "export"
        self.places.setdefault("direction", where(seg, 2))

    def dtm(self, seg: Seg) -> None:
        if seg.value(0, 0) != "178":
            return
        text = seg.value(0, 1)
        try:
            moment = datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=UTC)
        except ValueError:
            self.refuse(seg, 1, text, "a time CCYYMMDDHHMM (format 203), in UTC")
            return
        self.head["loading_at"] = moment.isoformat()
        self.places["loading_at"] = where(seg, 1)

    def cni(self, seg: Seg) -> None:
        self.bills.append({"containers": [], "packages": 0})
        self.last = ""
        self.put(seg, 2, "number", seg.value(1))

    def nad(self, seg: Seg) -> None:
        name = _NAMES.get(seg.qualifier)
        if name is not None:
            text = "".join(seg.components(3)[:5])
            self.put(seg, 4, name, text)

    def gid(self, seg: Seg) -> None:
        self.last = "gid"
        count = seg.value(1, 0)
        if not count.isdigit():
            self.refuse(seg, 2, count, "a number of packages: digits")
            return
        if self.bill is None:
            self.put(seg, 2, "packages", 0)
            return
        self.put(seg, 2, "packages", self.bill.get("packages", 0) + int(count))
        if seg.value(1, 1):
            self.put(seg, 2, "package_type", seg.value(1, 1))

    def ftx(self, seg: Seg) -> None:
        if (
            seg.qualifier == "AAA"
            and self.bill is not None
            and "goods_description" not in self.bill
        ):
            self.put(seg, 4, "goods_description", "".join(seg.components(3)[:5]))

    def pia(self, seg: Seg) -> None:
        if self.bill is not None and "hs_code" not in self.bill:
            self.put(seg, 2, "hs_code", seg.value(1, 0))

    def dgs(self, seg: Seg) -> None:
        self.put(seg, 3, "dangerous_goods", True)
        if seg.value(2):
            self.put(seg, 3, "un_number", "UN" + seg.value(2).removeprefix("UN"))

    def eqd(self, seg: Seg) -> None:
        if seg.qualifier != "CN":
            return
        if self.bill is None:
            self.refuse(seg, 2, seg.tag, "a segment inside a CNI (bill of lading) group")
            return
        self.last = "eqd"
        self.bill["containers"].append({})
        self.put(seg, 2, "number", seg.value(1), container=True)

    def sel(self, seg: Seg) -> None:
        if self.last == "eqd":
            self.put(seg, 1, "seal", seg.value(0), container=True)

    def mea(self, seg: Seg) -> None:
        if seg.value(2, 0) != "KGM":
            if seg.qualifier in ("WT", "AAE"):
                self.refuse(seg, 3, seg.value(2, 0), "KGM, a gross weight in kilograms")
            return
        weight = self.number(seg, 3, 1)
        if weight is None:
            return
        if self.last == "eqd" and seg.qualifier == "AAE":
            self.put(seg, 3, "gross_weight_kg", str(weight), container=True)
        elif self.last == "gid" and seg.qualifier == "WT" and self.bill is not None:
            total = Decimal(self.bill.get("gross_weight_kg", "0")) + weight
            self.put(seg, 3, "gross_weight_kg", str(total))


_HANDLERS: dict[str, Callable[[_Reader, Seg], None]] = {
    "BGM": _Reader.bgm,
    "TDT": _Reader.tdt,
    "RFF": _Reader.rff,
    "LOC": _Reader.loc,
    "DTM": _Reader.dtm,
    "CNI": _Reader.cni,
    "NAD": _Reader.nad,
    "GID": _Reader.gid,
    "FTX": _Reader.ftx,
    "PIA": _Reader.pia,
    "DGS": _Reader.dgs,
    "EQD": _Reader.eqd,
    "SEL": _Reader.sel,
    "MEA": _Reader.mea,
}


def read_cuscar(text: str, here: str = PORT) -> ManifestDocument:
    """The manifest of a CUSCAR interchange (its first message); ValidationFailed naming each
    segment and element that is wrong, and nothing read when anything is."""
    head = text.lstrip("\ufeff \t\r\n")[:3]
    if head not in ("UNA", "UNB"):
        raise ValidationFailed.one(
            "interchange", text[:40], "a UN/EDIFACT interchange, starting with UNA or UNB"
        )
    tokens = tokenise(text)
    walked = walk(tokens)
    errors = [
        FieldError(f"{i.segment} {i.element}".strip(), i.value, i.what_was_expected)
        for i in walked.errors
        if i.severity == "error"
    ]
    if not walked.spans:
        errors.append(FieldError("UNH", "", "a CUSCAR message (UNH to UNT)"))
        _raise(errors)
    span = walked.spans[0]
    pieces = tokens.pieces
    unh = Seg(span.start + 1, pieces[span.start])
    if unh.components(1)[:4] != _MESSAGE:
        errors.append(FieldError(where(unh, 2), ":".join(unh.components(1)[:4]), "CUSCAR:D:95B:UN"))
        _raise(errors)
    reader = _Reader(here)
    end = span.end - 1 if span.closed else span.end
    for index in range(span.start + 1, end):
        seg = Seg(index + 1, pieces[index])
        handler = _HANDLERS.get(seg.tag)
        if handler is not None:
            handler(reader, seg)
    errors += reader.errors
    if reader.direction is None:
        errors.append(
            FieldError(
                reader.places.get("direction", "LOC"),
                "",
                f"LOC+11 (port of discharge, import) or LOC+9 (port of loading, export) naming "
                f"{here}",
            )
        )
    _raise(errors)
    body = {**reader.head, "direction": reader.direction, "bills_of_lading": reader.bills}
    try:
        document = ManifestDocument.model_validate(body)
    except pydantic.ValidationError as exc:
        _raise([_located(error, reader.places) for error in exc.errors()])
        raise  # unreachable: _raise raised
    problems = domain.problems(
        document, lambda b, name, c=None: _place_of(reader.places, b, name, c)
    )
    _raise(problems)
    return document


def _raise(errors: list[FieldError]) -> None:
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValidationFailed(
            f"CUSCAR: {first.field} {first.value!r} is not {first.expected}{more}", errors
        )


def _place_of(places: dict[str, str], b: int, name: str, c: int | None) -> str:
    path = (
        f"bills_of_lading[{b}].{name}"
        if c is None
        else f"bills_of_lading[{b}].containers[{c}].{name}"
    )
    return places.get(path, path)


def _located(error: Any, places: dict[str, str]) -> FieldError:
    """A pydantic error of the document, named by the segment and element it was read from."""
    loc = [str(part) for part in error.get("loc", ()) if not str(part).startswith("function")]
    path = ""
    for part in loc:
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    missing = error.get("type") == "missing"
    if missing:
        name = loc[-1] if loc else ""
        owner = path.rsplit(".", 1)[0] if "." in path else ""
        at = places.get(owner + ".number", "") if owner else ""
        expected = _MISSING.get(name, f"{name}")
        return FieldError(f"{at} {path}".strip() if at else path, None, expected)
    value = error.get("input")
    return FieldError(
        places.get(path, path),
        value if isinstance(value, str | int) else str(value),
        error.get("msg", ""),
    )


# ---- writing ----------------------------------------------------------------------------------


def write_cuscar(
    document: ManifestDocument,
    sender: str,
    control_ref: str,
    now: datetime,
    here: str = PORT,
    elsewhere: str = "KRPUS",
) -> str:
    """A CUSCAR D:95B interchange of one message (tests, the demo, the benchmark)."""
    esc = Separators().escape
    ship = f"{document.imo or ''}:146::"
    body = [
        f"BGM+785+{esc(document.reference or control_ref)}+9",
        f"TDT+20+{esc(document.voyage or '')}+1++{esc(document.carrier or '')}:172:20+++{ship}",
    ]
    if document.port_call_id is not None:
        body.append(f"RFF+ZZZ:{document.port_call_id}")
    loading, discharge = (
        (elsewhere, here) if document.direction.value == "import" else (here, elsewhere)
    )
    body += [f"LOC+9+{loading}", f"LOC+11+{discharge}"]
    if document.loading_at is not None:
        body.append(f"DTM+178:{document.loading_at.astimezone(UTC):%Y%m%d%H%M}:203")
    for n, bill in enumerate(document.bills_of_lading, 1):
        body.append(f"CNI+{n}+{esc(bill.number)}")
        body.append(f"NAD+CZ+++{esc(bill.shipper)}")
        body.append(f"NAD+CN+++{esc(bill.consignee)}")
        if bill.notify_party:
            body.append(f"NAD+N1+++{esc(bill.notify_party)}")
        body.append(f"GID+1+{bill.packages}:{bill.package_type or 'PK'}")
        body.append(f"FTX+AAA+++{esc(bill.goods_description)}")
        if bill.hs_code:
            body.append(f"PIA+5+{bill.hs_code}:HS")
        body.append(f"MEA+WT+G+KGM:{bill.gross_weight_kg}")
        if bill.dangerous_goods:
            body.append(f"DGS+IMD++{(bill.un_number or '').removeprefix('UN')}")
        for line in bill.containers:
            body.append(f"EQD+CN+{line.number}")
            if line.seal:
                body.append(f"SEL+{esc(line.seal)}")
            body.append(f"MEA+AAE+G+KGM:{line.gross_weight_kg}")
    stamp = now.astimezone(UTC)
    segments = [
        "UNA:+.? '",
        f"UNB+UNOC:3+{esc(sender)}+KOUAN+{stamp:%y%m%d}:{stamp:%H%M}+{esc(control_ref)}",
        "UNH+1+CUSCAR:D:95B:UN",
        *body,
        f"UNT+{len(body) + 2}+1",
        f"UNZ+1+{esc(control_ref)}",
    ]
    return segments[0] + "\n".join(segment + "'" for segment in segments[1:]) + "\n"
