"""The demo port's cargo: a month of customs declarations filed by brokers at Qingdao and at the
inland offices of Jinan and Houma (declare anywhere, release at the port), played through the
services on the demo's clock like the port calls.

Traders are registered by customs with their credit classes; the brokers file in CUSDEC batches,
through the API or the web form; the risk rules give the lanes. Customs and CIQ officers decide the
reviews during office hours, inspections are booked and their results recorded, and the terminals
let released goods out of the gate. A few scripted declarations give the month its stories: an
undervalued beef shipment that led to a new risk rule, counterfeit shoes seized, fruit flies in a
durian container. The companies, codes and people are invented.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from random import Random
from typing import Any

from stdnum import iso6346

from kouan.demo import content
from kouan.demo.content import (
    Broker,
    Goods,
    Handling,
    RiskRuleVersion,
    ShipSpec,
    Story,
    TraderSpec,
)
from kouan.demo.schedule import SEED, Play, hours
from kouan.domain.agency import Agency, Decision, ReviewStatus
from kouan.domain.declaration import Declaration, InspectionKind
from kouan.domain.errors import InvalidTransition, NotFound
from kouan.services.cargo import declarations, exchange_rates, queries, release, risk_rules, traders
from kouan.services.review import inspections, reviews
from kouan.site import PORT_ZONE

GATE_RETRIES = 24  # hours a truck comes back for goods not yet released

# --- what happens after filing ----------------------------------------------------------------


@dataclass(frozen=True)
class Fate:
    """Everything that can happen to a declaration after filing; which parts do depends on the
    reviews the rules open."""

    customs: Handling
    ciq: Handling
    gate_hours: float  # from release to the gate


def _on_duty(moment: datetime) -> datetime:
    """When an officer gets to it: at once in office hours, else in the next morning's first
    hours (spread by the minute it came in)."""
    local = moment.astimezone(PORT_ZONE)
    start, end = content.month_plan().office_hours
    if start <= local.hour < end:
        return moment
    day = local.date() + timedelta(days=1 if local.hour >= end else 0)
    spread = timedelta(minutes=(local.hour * 60 + local.minute) * 7 % 150)
    return datetime.combine(day, time(start), PORT_ZONE) + spread


def _lognormal(rng: Random, median_hours: float, sigma: float, cap: float) -> float:
    return min(cap, median_hours * math.exp(rng.gauss(0, sigma)))


def _reject_note(rng: Random, declaration: Declaration) -> str:
    """Why customs sends a declaration back: the reasons document reviews find most."""
    item = declaration.items[0]
    english = item.description.split(" ", 1)[-1]
    goods = english if english[:2].isupper() else english[0].lower() + english[1:]
    counted = (item.quantity * Decimal(rng.choice(("0.85", "0.9", "1.12")))).quantize(Decimal(1))
    return rng.choice(content.notes().customs_reject).format(
        goods=goods,
        quantity=item.quantity,
        counted=counted,
        unit=item.unit,
        currency=item.currency,
        unit_value=item.value / item.quantity,
        hs_code=item.hs_code,
    )


def _customs_handling(rng: Random, declaration: Declaration) -> Handling:
    officer = rng.choice(content.month_plan().customs_officers)
    decision = rng.choices((Decision.APPROVE, Decision.INSPECT, Decision.REJECT), (89, 8, 3))[0]
    written = {
        Decision.APPROVE: rng.choice(content.notes().customs_approve),
        Decision.INSPECT: rng.choice(content.notes().customs_inspect),
        Decision.REJECT: _reject_note(rng, declaration),
    }
    kind = rng.choices((InspectionKind.XRAY, InspectionKind.OPENED), (3, 1))[0]
    return Handling(
        officer,
        decision,
        written[decision],
        hours=_lognormal(rng, 1.2, 0.9, 30),
        kind=kind,
        finding=rng.choice(content.notes().inspection_passed[kind]),
        inspection_hours=rng.uniform(2, 20),
    )


def _ciq_handling(rng: Random, declaration: Declaration) -> Handling:
    written = content.notes()
    chapter = declaration.items[0].hs_code[:2]
    sampled = chapter in written.ciq_sampled_chapters and rng.random() < 0.15
    return Handling(
        content.month_plan().ciq_officer,
        Decision.INSPECT if sampled else Decision.APPROVE,
        written.ciq_sample if sampled else written.ciq_chapters.get(chapter, written.ciq_goods),
        hours=_lognormal(rng, 2.5, 0.8, 30),
        finding=written.ciq_passed,
        kind=InspectionKind.OPENED,
        inspection_hours=rng.uniform(3, 24),
    )


def _gate_hours(rng: Random, carriage: str) -> float:
    """From release to the gate: air cargo within hours, boxes in a day or two, bulk in days."""
    if carriage == "air":
        return rng.uniform(1.5, 8)
    if carriage in ("box", "reefer"):
        return _lognormal(rng, 22, 0.7, 120) + 1.5
    return rng.uniform(24, 96)


def _fate(rng: Random, declaration: Declaration, carriage: str) -> Fate:
    return Fate(
        _customs_handling(rng, declaration),
        _ciq_handling(rng, declaration),
        _gate_hours(rng, carriage),
    )


# --- the declarations -------------------------------------------------------------------------


Fleet = dict[str, list[ShipSpec]]  # the demo's ships by kind (container, ore, roro, ...)


def _fleet() -> Fleet:
    fleet: Fleet = {}
    for ship in content.ships().values():
        fleet.setdefault(ship.kind.name, []).append(ship)
    return fleet


def _container_number(rng: Random, owner: str) -> str:
    """ISO 6346: the owner code with its category letter U, a serial and the check digit."""
    serial = f"{owner}{rng.randrange(10**6):06d}"
    return serial + iso6346.calc_check_digit(serial)


def _voyage(day: date, imported: bool) -> str:
    return f"{day.isocalendar().week:03d}{'W' if imported else 'E'}"


def _transport(
    rng: Random, fleet: Fleet, goods: Goods, day: date, boxes: int
) -> tuple[dict[str, Any], list[str]]:
    """The transport document and containers of a shipment of these goods."""
    if goods.carriage == "air":
        flight, prefix = rng.choice(content.flights())
        serial = rng.randrange(10**7)
        awb = f"{prefix}-{serial:07d}{serial % 7}"
        return {"mode": "air", "flight": flight, "air_waybill": awb}, []
    containerised = goods.carriage in ("box", "reefer")
    ship = rng.choice(fleet["container" if containerised else goods.carriage])
    voyage = _voyage(day, goods.imported)
    if containerised:
        line = content.container_lines()[ship.name.split()[0]]
        bill = f"{line.bill_prefix}{rng.randrange(10**9, 10**10)}"
        owners = line.container_owners
        containers = [_container_number(rng, rng.choice(owners)) for _ in range(boxes)]
    else:
        bill, containers = f"{ship.call_sign}{voyage}{rng.randint(1, 24):02d}", []
    sea = {"mode": "sea", "vessel": ship.name, "imo": ship.imo, "voyage": voyage}
    return {**sea, "bill_of_lading": bill}, containers


def _quantity(rng: Random, goods: Goods, boxes: int, share: float) -> Decimal:
    if goods.carriage in ("box", "reefer"):
        amount = goods.size * boxes * share * rng.uniform(0.82, 1.0)
    else:
        amount = goods.size * share * rng.uniform(0.08 if goods.carriage == "air" else 0.5, 1.0)
    places = 3 if goods.unit == "TNE" else 0
    return max(Decimal(1), Decimal(f"{amount:.{places}f}"))


def _item(
    rng: Random, goods: Goods, boxes: int, share: float, price: float | None = None
) -> dict[str, str]:
    quantity = _quantity(rng, goods, boxes, share)
    unit_price = Decimal(str(price or round(rng.uniform(goods.low, goods.high), 4)))
    return {
        "hs_code": goods.hs_code,
        "description": goods.description,
        "quantity": str(quantity),
        "unit": goods.unit,
        "value": str((quantity * unit_price).quantize(Decimal("0.01"))),
        "currency": goods.currency,
        "origin": rng.choice(goods.origins),
    }


def _companions(trader: TraderSpec, goods: Goods) -> list[Goods]:
    """Other goods of the trader that can share the shipment: same carriage, same direction."""
    catalogue = content.goods()
    return [
        catalogue[key]
        for key in trader.goods
        if key != goods.key
        and catalogue[key].carriage == goods.carriage
        and catalogue[key].imported == goods.imported
    ]


def declaration_of(
    rng: Random,
    fleet: Fleet,
    trader: TraderSpec,
    reference: str,
    day: date,
    goods: Goods | None = None,
    price: float | None = None,
) -> tuple[Declaration, Goods]:
    """A declaration of the trader's goods (one kind picked, or these), as its broker files it."""
    plan = content.month_plan()
    goods = goods or content.goods()[rng.choice(trader.goods)]
    boxes = rng.choices((1, 2, 3, 4, 6), (40, 30, 15, 10, 5))[0]
    kinds = [goods]
    companions = _companions(trader, goods)
    if companions and price is None and rng.random() < 0.3:
        kinds += rng.sample(companions, min(len(companions), rng.choice((1, 1, 2))))
    items = [_item(rng, g, boxes, 1 / len(kinds), price) for g in kinds]
    transport, containers = _transport(rng, fleet, goods, day, boxes)
    mode = plan.processing_trade.get(goods.key) if trader.credit_class in ("AA", "A") else None
    data = {
        "reference": reference,
        "trader": trader.code,
        "trader_name": trader.name,
        "direction": "import" if goods.imported else "export",
        "trade_mode": mode if mode and rng.random() < 0.4 else plan.general_trade,
        "transport": transport,
        "declaration_office": content.brokers()[trader.broker].office,
        "release_port": plan.release_port,
        "containers": containers,
        "items": items,
    }
    return Declaration.model_validate(data), goods


# --- playing it ---------------------------------------------------------------------------------


@dataclass
class Consignment:
    """One declaration on the play: filed, then followed by officers and the terminal."""

    play: Play
    broker: Broker
    declaration: Declaration
    goods: Goods
    fate: Fate

    def file(self) -> None:
        """Filed alone, through the web form or the API."""
        actor = self.play.actor(self.broker.username)
        source = self.broker.single_source
        _, view = declarations.file_declaration(self.play.ctx, actor, self.declaration, source)
        self.filed(view["id"], {r["agency"]: (r["id"], r["status"]) for r in view["reviews"]})

    def filed(self, declaration_id: int, opened: dict[str, tuple[int, str]]) -> None:
        """Schedule what follows from the reviews the rules opened; release needs every one."""
        now = self.play.clock()
        approved = [
            self._follow(declaration_id, Agency(agency), review_id, ReviewStatus(status), now)
            for agency, (review_id, status) in opened.items()
        ]
        if None not in approved:
            release = max(moment for moment in approved if moment is not None)
            gate = release + hours(self.fate.gate_hours)
            self.play.at(gate, partial(self._gate_out, declaration_id))

    def _follow(
        self,
        declaration_id: int,
        agency: Agency,
        review_id: int,
        status: ReviewStatus,
        filed: datetime,
    ) -> datetime | None:
        """Schedule the agency's officers; the instant its review is approved, None if never."""
        handling = self.fate.customs if agency is Agency.CUSTOMS else self.fate.ciq
        if status is ReviewStatus.APPROVED:
            return filed
        if status is ReviewStatus.INSPECT:
            return self._inspected(declaration_id, agency, handling, filed)
        decided = _on_duty(filed + hours(handling.hours))
        decide = partial(self._decide, handling.officer, review_id, handling)
        self.play.at(decided, decide)
        if handling.decision is Decision.APPROVE:
            return decided
        if handling.decision is Decision.INSPECT:
            return self._inspected(declaration_id, agency, handling, decided)
        return None

    def _inspected(
        self, declaration_id: int, agency: Agency, handling: Handling, booked: datetime
    ) -> datetime | None:
        result = _on_duty(booked + hours(handling.inspection_hours))
        record = partial(self._record, declaration_id, agency, handling)
        self.play.at(result, record)
        if handling.passed:
            return result
        if handling.after_fail:
            acted = _on_duty(result + hours(handling.after_fail_hours))
            self.play.at(acted, partial(self._after_fail, declaration_id, agency, handling))
        return None

    def _decide(self, officer: str, review_id: int, handling: Handling) -> None:
        actor = self.play.actor(officer)
        reviews.decide(self.play.ctx, actor, review_id, handling.decision, handling.note)

    def _record(self, declaration_id: int, agency: Agency, handling: Handling) -> None:
        officer = self.play.actor(handling.officer)
        view = queries.get_declaration(self.play.ctx, officer, declaration_id)
        booked = next(
            i["id"]
            for i in view["inspections"]
            if i["agency"] == agency.value and i["status"] == "booked"
        )
        inspections.record_result(
            self.play.ctx, officer, booked, handling.passed, handling.finding, handling.kind
        )

    def _after_fail(self, declaration_id: int, agency: Agency, handling: Handling) -> None:
        officer = self.play.actor(handling.officer)
        if agency is Agency.CUSTOMS:
            release.seize(self.play.ctx, officer, declaration_id, handling.after_fail)
            return
        view = queries.get_declaration(self.play.ctx, officer, declaration_id)
        review_id = next(r["id"] for r in view["reviews"] if r["agency"] == agency.value)
        reviews.decide(self.play.ctx, officer, review_id, Decision.REJECT, handling.after_fail)

    def _gate_out(self, declaration_id: int, tries: int = 0) -> None:
        """The goods leave the terminal; goods still awaiting their duties (the bank pays
        within the hour) are asked for again an hour later, for a day at most."""
        terminal = self.play.actor(content.month_plan().gate[self.goods.carriage])
        try:
            release.gate_out(self.play.ctx, terminal, declaration_id)
        except (NotFound, InvalidTransition):
            if tries < GATE_RETRIES:
                later = self.play.clock.now + hours(1.0)
                self.play.at(later, partial(self._gate_out, declaration_id, tries + 1))


@dataclass
class Batch:
    """Declarations a broker's system sends in one CUSDEC interchange."""

    play: Play
    broker: Broker
    consignments: list[Consignment] = field(default_factory=list)

    def file(self) -> None:
        ctx = self.play.ctx
        with ctx.uow(self.play.actor(self.broker.username)) as uow:
            batch = [c.declaration for c in self.consignments]
            filed = declarations.file_batch(uow, ctx, batch, "cusdec")
            uow.commit()
        for consignment, result in zip(self.consignments, filed, strict=True):
            assert result.row is not None, f"the demo filed a bad declaration: {result.errors}"
            opened = {r.agency: (r.id, r.status) for r in result.reviews}
            consignment.filed(result.row.id, opened)


def _local(day: date, hour: float) -> datetime:
    return datetime.combine(day, time(0), PORT_ZONE) + hours(hour)


# The broker's system sends what is ready every half hour in the working day, and what was
# prepared in the evening in one run in the small hours.
BATCH_HOURS = (1.6, *(8 + n / 2 for n in range(24)))
BATCH_WEIGHTS = (3.0, *(1.0 for _ in range(24)))


class Month:
    """The month of cargo on the play: references, traders' declarations and their fates."""

    def __init__(self, play: Play) -> None:
        self.play = play
        self.fleet = _fleet()
        self.today = play.now.astimezone(PORT_ZONE).date()
        self.first = self.today - timedelta(days=content.month_plan().days - 1)
        self.serials: dict[tuple[str, date], int] = {}

    def reference(self, broker: Broker, day: date) -> str:
        serial = self.serials.get((broker.username, day), 0) + 1
        self.serials[(broker.username, day)] = serial
        return f"{broker.prefix}{day:%y%m%d}{serial:04d}"

    def consignment(
        self,
        trader: TraderSpec,
        day: date,
        goods: Goods | None = None,
        price: float | None = None,
    ) -> Consignment:
        broker = content.brokers()[trader.broker]
        reference = self.reference(broker, day)
        rng = Random(f"{SEED}:{reference}")
        declaration, goods = declaration_of(rng, self.fleet, trader, reference, day, goods, price)
        fate = _fate(rng, declaration, goods.carriage)
        return Consignment(self.play, broker, declaration, goods, fate)

    def stage_day(self, broker: Broker, day: date) -> None:
        """The broker's declarations of one day: in batches, a few filed alone."""
        rng = Random(f"{SEED}:{broker.username}:{day.isoformat()}")
        share = content.month_plan().weekday_share[day.weekday()]
        mine = [t for t in content.traders().values() if t.broker == broker.username]
        expected = sum(t.per_weekday for t in mine) * share
        count = round(expected * rng.uniform(0.85, 1.15))
        weights = [t.per_weekday for t in mine]
        batches = [Batch(self.play, broker) for _ in BATCH_HOURS]
        for _ in range(count):
            trader = rng.choices(mine, weights)[0]
            consignment = self.consignment(trader, day)
            if rng.random() < broker.single_share:
                self.play.at(_local(day, rng.uniform(8.5, 18.5)), consignment.file)
                continue
            rng.choices(batches, BATCH_WEIGHTS)[0].consignments.append(consignment)
        for hour, batch in zip(BATCH_HOURS, batches, strict=True):
            if batch.consignments:
                self.play.at(_local(day, hour + rng.uniform(0, 0.1)), batch.file)


# --- customs' records: traders, exchange rates, risk rules ----------------------------------------


def _register(play: Play, trader: TraderSpec, credit_class: str) -> None:
    checked = traders.checked(trader.code, trader.name, credit_class)
    traders.register(play.ctx, play.actor(content.month_plan().registrar), checked)


def _publish_rates(play: Play) -> None:
    registrar = play.actor(content.month_plan().registrar)
    for currency, rate in content.month_plan().exchange_rates.items():
        exchange_rates.set_rate(play.ctx, registrar, currency, rate)


def _new_version(play: Play, version: RiskRuleVersion) -> None:
    """A risk officer drafts a version with one more rule and (perhaps) activates it."""
    actor = play.actor(version.officer)
    draft = risk_rules.create_draft(play.ctx, actor, version.note)
    risk_rules.add_rule(play.ctx, actor, draft["version"], version.rule)
    if version.activate:
        risk_rules.activate(play.ctx, actor, draft["version"])


def _stage_records(play: Play, month: Month) -> None:
    """Customs registers the traders the day before the month, publishes the month's exchange
    rates on the 1st, downgrades a trader, and tunes the risk rules."""
    opened = _local(month.first - timedelta(days=1), 9)
    for n, trader in enumerate(content.traders().values()):
        play.at(
            opened + timedelta(minutes=n), partial(_register, play, trader, trader.credit_class)
        )
    first_of_month = month.today.replace(day=1)
    if first_of_month >= month.first:
        play.at(_local(first_of_month, 9.2), partial(_publish_rates, play))
    code, days_ago, credit_class = content.month_plan().downgrade
    downgrade = partial(_register, play, content.traders()[code], credit_class)
    play.at(_local(month.today - timedelta(days=days_ago), 10.5), downgrade)
    for version in content.month_plan().risk_rules:
        moment = _local(month.today - timedelta(days=version.days_ago), version.hour)
        play.at(moment, partial(_new_version, play, version))


# --- the month's stories --------------------------------------------------------------------------


def _stage_story(month: Month, story: Story) -> None:
    trader = content.traders()[story.trader]
    if story.hours_ago is not None:
        moment = month.play.now - hours(story.hours_ago)
    else:
        moment = _local(month.today - timedelta(days=story.days_ago), story.hour)
    day = moment.astimezone(PORT_ZONE).date()
    consignment = month.consignment(trader, day, content.goods()[story.goods], story.price)
    fate = consignment.fate
    consignment.fate = replace(
        fate, customs=story.customs or fate.customs, ciq=story.ciq or fate.ciq
    )
    month.play.at(moment, consignment.file)


def stage(play: Play) -> None:
    """Schedule the month of cargo: customs' records, every broker's days, the stories."""
    month = Month(play)
    _stage_records(play, month)
    for n in range(content.month_plan().days):
        day = month.first + timedelta(days=n)
        for broker in content.brokers().values():
            month.stage_day(broker, day)
    for story in content.stories():
        _stage_story(month, story)
