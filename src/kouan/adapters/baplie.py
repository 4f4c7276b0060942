"""UN/EDIFACT BAPLIE (bay plan, D.95B and later, SMDG) read tolerantly: what is aboard a ship,
container by container and slot by slot.

Each stowage group begins with its cell (LOC+147, bay-row-tier) and holds the weight (MEA+WT or
VGM), the ports of loading and discharge (LOC+9, LOC+11) and the equipment (EQD) stowed there. As
with COARRI (`kouan.adapters.coarri`, whose problems and checks this reader shares), the unknown
is warned, not refused; the interchange is refused only for a broken envelope, counts that
disagree, an EQD without a number or a time that is no time, each error naming segment and element.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kouan.adapters.coarri import Problem, Reader, Voyage, read_interchange
from kouan.adapters.edifact_envelope import Seg
from kouan.domain.errors import ValidationFailed

# Segments of a BAPLIE Kouan does not keep: read past without a warning.
_QUIET = frozenset(
    {
        "NAD",
        "FTX",
        "RFF",
        "DGS",
        "TMP",
        "RNG",
        "EQA",
        "GDS",
        "DIM",
        "HAN",
        "CTA",
        "COM",
        "ATT",
        "PIA",
        "UNS",
    }
)


@dataclass(slots=True)
class Slot:
    """One cell of the bay plan and what is stowed there."""

    position: str
    container: str = ""
    size_type: str = ""
    teu: int | None = None
    full: bool | None = None
    gross_kg: float | None = None
    load_port: str = ""
    discharge_port: str = ""
    operator: str = ""
    segment: int = 0  # the LOC+147's number in the text

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "container": self.container,
            "size_type": self.size_type,
            "teu": self.teu,
            "full": self.full,
            "gross_kg": self.gross_kg,
            "load_port": self.load_port,
            "discharge_port": self.discharge_port,
            "operator": self.operator,
        }


@dataclass
class BayPlan:
    reference: str
    voyage: Voyage
    departure_port: str = ""
    prepared: datetime | None = None
    slots: list[Slot] = field(default_factory=list)

    @property
    def containers(self) -> list[Slot]:
        return [slot for slot in self.slots if slot.container]


@dataclass
class BaplieResult:
    sender: str = ""
    reference: str = ""
    plans: list[BayPlan] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def raise_if_refused(self) -> None:
        if self.errors:
            first = self.errors[0]
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            raise ValidationFailed(
                f"{first.where}: {first.value!r} is not {first.expected}{more}",
                [e.field_error() for e in self.errors],
            )


class _PlanReader(Reader):
    def read(self) -> BayPlan | None:
        span, pieces = self.span, self.pieces
        unh = self.seg(span.start)
        if unh.value(1, 0) != "BAPLIE":
            self.error(unh, "S009/0065", unh.value(1, 0), "BAPLIE")
            return None
        body = range(span.start + 1, span.end - 1 if span.closed else span.end)
        plan = BayPlan(unh.value(0), Voyage())
        slot: Slot | None = None
        eqds = 0
        for index in body:
            seg = Seg(index + 1, pieces[index])
            tag, qualifier = seg.tag, seg.qualifier
            if tag == "LOC" and qualifier == "147":
                slot = Slot(seg.value(1, 0), segment=seg.number)
                plan.slots.append(slot)
            elif slot is None:
                self._header(seg, plan)
            elif tag == "EQD":
                eqds += 1
                self._eqd(seg, slot)
            elif tag == "MEA":
                if qualifier in ("WT", "VGM", "AAE") or seg.value(1, 0) in ("G", "VGM", "AAB"):
                    slot.gross_kg = self.weight(seg)
                else:
                    self.warn(seg, "6311", qualifier, "a weight, MEA+WT or MEA+VGM (left out)")
            elif tag == "LOC":
                if qualifier in ("9", "6"):
                    slot.load_port = seg.value(1, 0)
                elif qualifier in ("11", "12", "83"):
                    slot.discharge_port = slot.discharge_port or seg.value(1, 0)
                elif qualifier not in ("76", "13", "7"):
                    self.warn(seg, "3227", qualifier, "a port of the slot, LOC+9 or LOC+11")
            elif tag == "NAD" and qualifier == "CA":
                slot.operator = seg.value(1, 0)
            elif tag == "CNT":
                self.count(seg, eqds)
            elif tag not in _QUIET and tag != "DTM":
                self.warn(seg, "", tag, "a segment of a BAPLIE (left out)")
        return plan

    def _header(self, seg: Seg, plan: BayPlan) -> None:
        tag, qualifier = seg.tag, seg.qualifier
        voyage = plan.voyage
        if tag == "TDT" and qualifier == "20":
            voyage.voyage = seg.value(1)
            voyage.carrier = seg.value(4, 0)
            voyage.vessel_id = seg.value(7, 0)
            voyage.vessel_id_list = seg.value(7, 1)
            voyage.vessel_name = seg.value(7, 3)
        elif tag == "LOC" and qualifier == "5":
            plan.departure_port = seg.value(1, 0)
        elif tag == "LOC" and qualifier in ("61", "11"):
            voyage.port = seg.value(1, 0)
        elif tag == "DTM" and qualifier in ("133", "178", "136", "132"):
            at = self.time(seg)
            if qualifier == "178" and at is not None:
                plan.prepared = plan.prepared or at
        elif tag == "DTM" and qualifier == "137":
            # SMDG writes the document's date here; some senders leave it empty ("DTM+137::201").
            if seg.value(0, 1):
                plan.prepared = self.time(seg)
        elif tag not in ("BGM", "RFF", "NAD", "FTX", "DTM"):
            self.warn(seg, "", tag, "a segment of a BAPLIE's header (left out)")

    def _eqd(self, seg: Seg, slot: Slot) -> None:
        if seg.qualifier != "CN":
            self.warn(seg, "8053", seg.qualifier, "equipment of type CN, a container (left out)")
            return
        number = self.container(seg)
        if number is None:
            return
        slot.container = number
        slot.size_type, slot.teu = self.size_type(seg)
        slot.full = {"4": False, "5": True}.get(seg.value(5))


def read_baplie(text: str) -> BaplieResult:
    """Every bay plan of a BAPLIE interchange, with its warnings; or the errors that refuse it."""
    result = BaplieResult()
    result.plans = read_interchange(text, result, _PlanReader, "BAPLIE")
    return result
