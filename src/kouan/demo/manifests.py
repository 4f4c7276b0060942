"""The demo's cargo manifests (舱单): for each container ship's arrival of the week, the carrier's
agent files the import manifest as a CUSCAR an hour after the arrival notice, with the bills of
lading and containers of the imports declared on that ship so far (and two consignments nobody
has declared yet); two hours after the ship arrives it amends the manifest with the bills
declared since. When the ship is alongside, the terminal reports the boxes discharged so far in
its yard (the goods-arrival report, 运抵: all but the last box of the first bill, still aboard)
and its gate clerk checks every container of the manifest: the released that have arrived go
through, the rest are refused and listed for customs.

The manifests follow the declarations (the demo files those first, from the month's trade), so
the write-off finds each declaration's containers on its bill of lading. Once, on the week's
first container ship, a broker then declares one of the undeclared consignments with more
packages than its bill of lading holds: the write-off holds it for a customs officer
(MANIFEST-WRITEOFF) and lists it on customs' write-off page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from sqlalchemy import select
from stdnum import iso6346

from kouan.adapters.cuscar import read_cuscar, write_cuscar
from kouan.adapters.db.goods_tables import BillOfLading
from kouan.adapters.db.tables import DeclarationRow, PortCall
from kouan.demo import content
from kouan.demo.content import Visit
from kouan.demo.schedule import SEED, Play, hours
from kouan.demo.timeline import timed
from kouan.domain.declaration import Declaration
from kouan.domain.errors import DomainError
from kouan.domain.manifest import MASS_UNITS, ManifestDocument
from kouan.domain.portcall import TimelineEvent
from kouan.services.cargo import declarations
from kouan.services.goods import gate, manifests
from kouan.services.terminal import moves
from kouan.services.terminal.moves import ArrivalIn

_TARE_KG = Decimal(2300)  # a 40-foot box's own weight
_LOOKBACK = timedelta(days=21)  # imports declared for this ship's arrival
_TENTHS = Decimal("0.1")


def _container(rng: Random, owner: str = "TGHU") -> str:
    stem = f"{owner}{rng.randrange(10**6):06d}"
    return stem + iso6346.calc_check_digit(stem)


def _bill_of(row: DeclarationRow, rng: Random) -> dict[str, Any]:
    """The bill of lading a declared import came on: its containers, what they weigh (the goods'
    mass, their packing and the boxes' tare)."""
    document = row.document
    boxes = list(document.get("containers", [])) or [_container(rng)]
    kilograms = Decimal(0)
    pieces = Decimal(0)
    for item in document.get("items", []):
        per_unit = MASS_UNITS.get(str(item.get("unit")))
        quantity = Decimal(str(item.get("quantity", "0")))
        if per_unit is None:
            pieces += quantity
        else:
            kilograms += quantity * per_unit
    goods = kilograms * Decimal("1.04") if kilograms else Decimal(rng.randint(6000, 18000))
    per_box = (goods / len(boxes) + _TARE_KG).quantize(_TENTHS)
    first = document.get("items", [{}])[0]
    return {
        "number": row.transport_document,
        "shipper": f"{first.get('origin', 'XX')} exporter of {row.trader_name}"[:200],
        "consignee": row.trader_name,
        "notify_party": row.trader_name,
        "goods_description": str(first.get("description", "general cargo"))[:200],
        "hs_code": str(first.get("hs_code", ""))[:6] or None,
        "packages": max(1, min(10**9, int(pieces) or len(boxes) * 20)),
        "package_type": "PK",
        "gross_weight_kg": str(per_box * len(boxes)),
        "containers": [
            {
                "number": box,
                "seal": f"SL{rng.randrange(10**7):07d}",
                "gross_weight_kg": str(per_box),
            }
            for box in boxes
        ],
    }


def _undeclared(rng: Random, n: int) -> dict[str, Any]:
    box = _container(rng)
    weight = str(Decimal(rng.randint(8000, 24000)))
    return {
        "number": f"DEMO{rng.randrange(10**9):09d}{n}",
        "shipper": "Busan Trading Co",
        "consignee": "Qingdao Import & Export Co",
        "goods_description": rng.choice(("furniture", "tyres", "ceramic tiles", "paper")),
        "packages": rng.randint(20, 400),
        "package_type": "PK",
        "gross_weight_kg": weight,
        "containers": [
            {"number": box, "seal": f"SL{rng.randrange(10**7):07d}", "gross_weight_kg": weight}
        ],
    }


class Arrival:
    """One container ship's arrival: its manifest as filed and amended."""

    def __init__(self, play: Play, visit: Visit, index: int) -> None:
        self.play, self.visit = play, visit
        self.ship = content.ships()[visit.ship]
        self.rng = Random(f"{SEED}:manifest:{index}")
        self.call_id = 0
        self.manifest_id = 0
        self.bills: list[dict[str, Any]] = []

    def _declared(self) -> list[DeclarationRow]:
        """The sea imports declared on this ship lately whose B/L is on no manifest yet."""
        since = self.play.clock() - _LOOKBACK
        on_manifests = select(BillOfLading.number)
        query = (
            select(DeclarationRow)
            .where(
                DeclarationRow.direction == "import",
                DeclarationRow.transport.startswith(f"{self.ship.name} /"),
                DeclarationRow.filed_at >= since,
                DeclarationRow.transport_document.not_in(on_manifests),
            )
            .order_by(DeclarationRow.id)
        )
        with self.play.ctx.sessions() as session:
            rows = list(session.scalars(query))
        seen: set[str] = set()
        kept = []
        for row in rows:  # a B/L declared in parts comes once
            if (
                row.transport_document not in seen
                and row.document.get("transport", {}).get("mode") == "sea"
            ):
                seen.add(row.transport_document)
                kept.append(row)
        return kept

    def _document(self) -> ManifestDocument:
        return ManifestDocument.model_validate(
            {
                "direction": "import",
                "port_call_id": self.call_id,
                "reference": f"MF{self.call_id:06d}",
                "carrier": self.ship.name.split()[0],
                "bills_of_lading": self.bills,
            }
        )

    def file(self) -> None:
        with self.play.ctx.sessions() as session:
            call_id = session.scalar(
                select(PortCall.id)
                .where(PortCall.imo == self.ship.imo)
                .order_by(PortCall.id.desc())
            )
        if call_id is None:
            return
        self.call_id = call_id
        self.bills = [_bill_of(row, self.rng) for row in self._declared()]
        self.bills += [_undeclared(self.rng, n) for n in range(2)]
        text = write_cuscar(
            self._document(), self.ship.call_sign, f"M{self.call_id}", self.play.clock()
        )
        agent = self.play.actor(self.visit.agent)
        view = manifests.file_manifest(self.play.ctx, agent, read_cuscar(text), "cuscar")
        self.manifest_id = view["id"]

    def amend(self) -> None:
        if not self.manifest_id:
            return
        more = [_bill_of(row, self.rng) for row in self._declared()]
        if not more:
            return
        self.bills += more
        agent = self.play.actor(self.visit.agent)
        manifests.amend_manifest(self.play.ctx, agent, self.manifest_id, self._document())

    def check_at_gate(self) -> None:
        if not self.manifest_id:
            return
        clerk = self.play.actor(content.month_plan().gate["box"])  # the container terminal's
        boxes = [line["number"] for bill in self.bills for line in bill["containers"]]
        aboard = self.bills[0]["containers"][-1]["number"] if self.bills else None
        landed = [box for box in boxes if box != aboard]
        if landed:  # released goods leave the gate only once reported in the yard
            at = self.play.clock()
            arrivals = [
                ArrivalIn(container=box, arrived_at=at, port_call_id=self.call_id) for box in landed
            ]
            moves.record_arrivals(self.play.ctx, clerk, arrivals)
        for box in boxes:
            try:
                gate.check(self.play.ctx, clerk, box)
            except DomainError:
                continue

    def declare_too_many(self) -> None:
        """A broker declares the first undeclared consignment with 30 packages more than its
        bill of lading holds (its packing list miscounted): held for an officer."""
        undeclared = [b for b in self.bills if b["number"].startswith("DEMO")]
        if not self.manifest_id or not undeclared:
            return
        bill = undeclared[0]
        trader = content.traders()[MISCOUNTED_BY]
        broker = content.brokers()[trader.broker]
        plan = content.month_plan()
        data = {
            "reference": f"{broker.prefix}-WO-{self.call_id:05d}",
            "trader": trader.code,
            "trader_name": trader.name,
            "direction": "import",
            "trade_mode": plan.general_trade,
            "transport": {
                "mode": "sea",
                "vessel": self.ship.name,
                "imo": self.ship.imo,
                "voyage": f"V{self.call_id:04d}",
                "bill_of_lading": bill["number"],
            },
            "declaration_office": broker.office,
            "release_port": plan.release_port,
            "containers": [line["number"] for line in bill["containers"]],
            "packages": bill["packages"] + 30,
            # The pulp's mass fits the bill's gross weight: only the packages do not.
            "items": [
                {**MISCOUNTED_ITEM, "quantity": str(int(Decimal(bill["gross_weight_kg"]) * 9 / 10))}
            ],
        }
        actor = self.play.actor(broker.username)
        declarations.file_declaration(
            self.play.ctx, actor, Declaration.model_validate(data), broker.single_source
        )


# The trader whose consignment is declared with more packages than its bill of lading holds, and
# what it declares.
MISCOUNTED_BY = "3702940421"
MISCOUNTED_ITEM = {
    "hs_code": "470321",
    "description": "漂白针叶木浆",
    "unit": "KGM",
    "value": "41000",
    "currency": "USD",
    "origin": "CA",
}


def _later(moment: datetime | None, by: float) -> datetime | None:
    return None if moment is None else moment + hours(by)


def stage(play: Play) -> None:
    """Schedule the manifests of the week's container ships."""
    miscounted = False
    for index, visit in enumerate(content.week().visits):
        ship = content.ships()[visit.ship]
        if ship.kind.name != "container":
            continue
        times = timed(visit, play.now)
        arrival = Arrival(play, visit, index)
        play.at(_later(times.marks["filed"], 1), arrival.file)
        ata = times.event(TimelineEvent.ATA)
        play.at(_later(ata, 2), arrival.amend)
        if ata is not None and not miscounted:
            miscounted = True
            play.at(_later(ata, 3), arrival.declare_too_many)
        play.at(_later(times.event(TimelineEvent.ALL_FAST), 3), arrival.check_at_gate)
