"""What the demo port holds, read from the files in data/ on first use: its users, ships, week of
port calls, traders, goods and the month's stories."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from stdnum import imo as stdnum_imo

from kouan.domain.agency import Agency, Decision, OrgType, Phase
from kouan.domain.declaration import InspectionKind


def _text(name: str) -> str:
    return resources.files("kouan.demo").joinpath("data", name).read_text("utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(_text(name).splitlines()))


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads(_text(name))


# --- organisations and users ---------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    """A demo user's credentials, as printed by `kouan demo`."""

    username: str
    password: str
    org_name: str


@dataclass(frozen=True)
class DemoUser:
    """One user of the demo and the organisation it works for."""

    username: str
    org_type: OrgType
    org_name: str
    full_name: str

    @property
    def login(self) -> Login:
        # Easy on purpose: the demo prints them, and a demo database holds nothing secret.
        return Login(self.username, f"demo-{self.username}", self.org_name)


@cache
def users() -> tuple[DemoUser, ...]:
    return tuple(
        DemoUser(row["username"], OrgType(row["org_type"]), row["org_name"], row["full_name"])
        for row in _rows("users.csv")
    )


# --- ships and the week of port calls ------------------------------------------------------------


@dataclass(frozen=True)
class DangerousGoods:
    """An entry of the IMDG Code as FAL 7 lists it."""

    un_number: str
    imdg_class: str
    proper_shipping_name: str
    packing_group: str | None


@cache
def dangerous_goods() -> dict[str, DangerousGoods]:
    """By UN number."""
    return {
        row["un_number"]: DangerousGoods(
            row["un_number"],
            row["imdg_class"],
            row["proper_shipping_name"],
            row["packing_group"] or None,
        )
        for row in _rows("dangerous_goods.csv")
    }


@dataclass(frozen=True)
class ShipKind:
    """A kind of ship of the demo: its ship type, crew size, what a bulk carrier or tanker
    discharges, and the dangerous goods it carries (a tanker its cargo; a container ship two of
    these on every arrival)."""

    name: str
    ship_type: str
    crew: int
    bulk_cargo: str | None
    dangerous_goods: tuple[DangerousGoods, ...]


@cache
def ship_kinds() -> dict[str, ShipKind]:
    goods = dangerous_goods()
    return {
        row["kind"]: ShipKind(
            row["kind"],
            row["ship_type"],
            int(row["crew"]),
            row["bulk_cargo"] or None,
            tuple(goods[un_number] for un_number in row["dangerous_goods"].split()),
        )
        for row in _rows("ship_kinds.csv")
    }


@dataclass(frozen=True)
class ShipSpec:
    """A ship of the demo: its identity, its kind and where its crew comes from. The ships are
    invented (names, IMO and MMSI numbers with valid check digits and flags) except EVER DIADEM,
    whose identity is the one in the real AIS sample."""

    name: str
    imo_base: str  # the first six digits; the check digit is computed
    mmsi: str
    call_sign: str
    flag: str
    kind: ShipKind
    gross_tonnage: float
    officers: tuple[str, ...]  # nationalities the officers come from
    ratings: tuple[str, ...]

    @property
    def imo(self) -> str:
        return self.imo_base + stdnum_imo.calc_check_digit(self.imo_base)


@cache
def ships() -> dict[str, ShipSpec]:
    """By name."""
    kinds = ship_kinds()
    return {
        row["name"]: ShipSpec(
            row["name"],
            row["imo_base"],
            row["mmsi"],
            row["call_sign"],
            row["flag"],
            kinds[row["kind"]],
            float(row["gross_tonnage"]),
            tuple(row["officers"].split()),
            tuple(row["ratings"].split()),
        )
        for row in _rows("ships.csv")
    }


@dataclass(frozen=True)
class Nationality:
    """The names people of one nationality are given and how their passports are numbered."""

    family_names: tuple[str, ...]
    men: tuple[str, ...]
    women: tuple[str, ...]
    passport: str  # the number's pattern: "#" a digit, "@" a letter


@dataclass(frozen=True)
class People:
    """Who sails: the ranks of a crew and the nationalities."""

    officer_ranks: tuple[str, ...]
    rating_ranks: tuple[str, ...]
    nationalities: dict[str, Nationality]


@cache
def people() -> People:
    data = _toml("people.toml")
    nationalities = {
        code: Nationality(
            tuple(names["family_names"]),
            tuple(names["men"]),
            tuple(names["women"]),
            names["passport"],
        )
        for code, names in data["nationalities"].items()
    }
    return People(
        tuple(data["officer_ranks"]),
        tuple(data["rating_ranks"]),
        nationalities,
    )


@dataclass(frozen=True)
class ContainerCargo:
    """What a container ship carries in or out, by the TEU."""

    description: str
    tonnes_per_teu: float
    packages_per_teu: int


@cache
def container_cargo(direction: str) -> tuple[ContainerCargo, ...]:
    """What container ships discharge ("import") or load ("export") at Qingdao."""
    return tuple(
        ContainerCargo(
            row["description"], float(row["tonnes_per_teu"]), int(row["packages_per_teu"])
        )
        for row in _rows("container_cargo.csv")
        if row["direction"] == direction
    )


@dataclass(frozen=True)
class Decide:
    """An officer's decision on a review, some hours after a milestone of the call.

    Milestones: filed, ATA, ALL_FAST (entry); departure_filed, OPS_COMPLETE (departure).
    """

    agency: Agency
    phase: Phase
    officer: str
    decision: Decision
    reason: str
    milestone: str
    hours: float


@dataclass(frozen=True)
class Visit:
    """One call of the demo week. The call's life follows from its ATA (hours from now, or
    the fraction of today, Shanghai time, at which it left) and these durations in hours.

    Twists make the rules hit: cargo_mismatch (FAL 2 totals off: customs refers), ill (CIQ
    orders boarding quarantine), cartridges and radioactive (IMDG class 1 and 7: MSA refers),
    lost_passport (a crew member's passport on the watch list: border holds),
    sanitation_expired (CIQ refers), export_mismatch and fireworks (customs and MSA refer the
    departure), crew_change (border refers the departure). A cruise ship's FAL 6 is its line's list.
    """

    ship: str
    agent: str
    berth: str
    last_ports: tuple[str, ...]
    next_port: str
    lead: float  # filed this long before the ETA
    ata: float = 0.0
    left_today: float | None = None
    anchor: float = 0.0  # waiting at anchor for the berth
    working: float = 16.0
    departs: bool = True  # the agent files the departure while the ship works
    twists: frozenset[str] = frozenset()
    decisions: tuple[Decide, ...] = ()
    # Phases whose reviews the rules refer and no officer has decided yet: the permit waits.
    waiting: frozenset[Phase] = frozenset()
    amend_after: float | None = None  # hours after filing the agent amends the arrival


@dataclass(frozen=True)
class CallHours:
    """Hours between the instants of a call, the same for every ship of the demo."""

    pilotage: float  # from the pilot boarding place (ATA) to all fast at the berth
    preparation: float  # from all fast to the first crane or grab
    permit_to_work: float  # from an entry permit issued late to the first crane
    departure_filed: float  # the agent files the departure this long after work starts
    unmooring: float  # from the departure permit to leaving the berth
    etd_margin: float  # what the agent adds to the planned stay when estimating the ETD


@dataclass(frozen=True)
class TwistGoods:
    """Dangerous goods a twist adds to a filing."""

    twist: str
    goods: DangerousGoods
    kg: float


@dataclass(frozen=True)
class Twists:
    """What the twists put in the filings."""

    ill_note: str
    lost_passport_crew: int  # the crew member, by place in FAL 5, whose passport was lost
    lost_passport_reason: str  # on the watch list
    arrival_goods: tuple[TwistGoods, ...]
    departure_goods: tuple[TwistGoods, ...]


@dataclass(frozen=True)
class Week:
    """The demo week of port calls and what goes with them."""

    port: str
    border_officer: str  # publishes the watch list
    hours: CallHours
    twists: Twists
    terminals: tuple[tuple[str, str], ...]  # berth code prefix, the terminal's user; first wins
    watched: tuple[dict[str, str], ...]  # people on the border's watch list aboard no demo ship
    visits: tuple[Visit, ...]


def _decide(table: dict[str, Any]) -> Decide:
    return Decide(
        Agency(table["agency"]),
        Phase(table["phase"]),
        table["officer"],
        Decision(table["decision"]),
        table["reason"],
        table["milestone"],
        table["hours"],
    )


_VISIT_LISTS = frozenset({"last_ports", "twists", "decision", "waiting"})


def _visit(table: dict[str, Any]) -> Visit:
    return Visit(
        **{key: value for key, value in table.items() if key not in _VISIT_LISTS},
        last_ports=tuple(table["last_ports"]),
        twists=frozenset(table.get("twists", ())),
        decisions=tuple(_decide(d) for d in table.get("decision", ())),
        waiting=frozenset(Phase(p) for p in table.get("waiting", ())),
    )


def _twist_goods(entries: list[dict[str, Any]]) -> tuple[TwistGoods, ...]:
    goods = dangerous_goods()
    return tuple(TwistGoods(e["twist"], goods[e["un_number"]], e["kg"]) for e in entries)


@cache
def week() -> Week:
    data = _toml("week.toml")
    twists = data["twists"]
    return Week(
        data["port"],
        data["border_officer"],
        CallHours(**data["hours"]),
        Twists(
            twists["ill_note"],
            twists["lost_passport_crew"],
            twists["lost_passport_reason"],
            _twist_goods(twists["arrival_goods"]),
            _twist_goods(twists["departure_goods"]),
        ),
        tuple((t["berths"], t["user"]) for t in data["terminal"]),
        tuple(data["watched"]),
        tuple(_visit(table) for table in data["visit"]),
    )


# --- the month of cargo --------------------------------------------------------------------------


@dataclass(frozen=True)
class Broker:
    """A customs broker of the demo and the office it declares at: Qingdao, or the inland offices
    of Jinan and Houma whose goods are released at Qingdao."""

    username: str
    office: str  # the declaration office (UN/LOCODE)
    prefix: str  # of the broker's own references: prefix, date, serial
    single_share: float  # filed one at a time (web form or API), the rest in CUSDEC batches
    single_source: str


@cache
def brokers() -> dict[str, Broker]:
    """By username."""
    return {
        row["username"]: Broker(
            row["username"],
            row["office"],
            row["prefix"],
            float(row["single_share"]),
            row["single_source"],
        )
        for row in _rows("brokers.csv")
    }


@dataclass(frozen=True)
class Goods:
    """A kind of goods the demo's traders declare, with the usual price and shipment size."""

    key: str
    hs_code: str
    name_zh: str
    name_en: str
    unit: str
    size: float  # per container; per shipment for bulk, ro-ro and air
    low: float  # unit price range in the currency
    high: float
    currency: str
    origins: tuple[str, ...]
    carriage: str  # box or reefer (containers), air, or the kind of ship that carries it

    @property
    def description(self) -> str:
        return f"{self.name_zh} {self.name_en}"

    @property
    def imported(self) -> bool:
        return self.origins != ("CN",)


@cache
def goods() -> dict[str, Goods]:
    """By key."""
    return {
        row["key"]: Goods(
            row["key"],
            row["hs_code"],
            row["name_zh"],
            row["name_en"],
            row["unit"],
            float(row["size"]),
            float(row["low"]),
            float(row["high"]),
            row["currency"],
            tuple(row["origins"].split()),
            row["carriage"],
        )
        for row in _rows("goods.csv")
    }


@dataclass(frozen=True)
class TraderSpec:
    """A trader registered with customs: its 10-character code (the first four digits are the
    place: 3702 Qingdao, 3701 Jinan, 3703 Zibo, 3706 Yantai, 3707 Weifang, 3713 Linyi, 1401
    Taiyuan, 1408 Yuncheng, 1410 Linfen with Houma), credit class, broker and trade."""

    code: str
    credit_class: str
    broker: str
    per_weekday: float  # declarations on a working day
    goods: tuple[str, ...]
    name: str


@cache
def traders() -> dict[str, TraderSpec]:
    """By code."""
    return {
        row["code"]: TraderSpec(
            row["code"],
            row["credit_class"],
            row["broker"],
            float(row["per_weekday"]),
            tuple(row["goods"].split()),
            row["name"],
        )
        for row in _rows("traders.csv")
    }


@dataclass(frozen=True)
class ContainerLine:
    """A container line calling at Qingdao: the prefix of its bills of lading and the owner codes
    of its containers (ISO 6346)."""

    bill_prefix: str
    container_owners: tuple[str, ...]


@cache
def container_lines() -> dict[str, ContainerLine]:
    """By the first word of the names of the line's ships in the demo."""
    return {
        row["ship"]: ContainerLine(row["bill_prefix"], tuple(row["container_owners"].split()))
        for row in _rows("container_lines.csv")
    }


@cache
def flights() -> tuple[tuple[str, str], ...]:
    """Cargo flights into and out of Qingdao Jiaodong, with their airline's air waybill prefix."""
    return tuple((row["flight"], row["awb_prefix"]) for row in _rows("flights.csv"))


@dataclass(frozen=True)
class RiskRuleVersion:
    """A new version of customs' risk rules with one more rule, drafted some days ago at a local
    hour, and activated or left a draft."""

    officer: str
    days_ago: int
    hour: float
    note: str
    activate: bool
    rule: dict[str, Any]


@dataclass(frozen=True)
class MonthPlan:
    """How the month of cargo goes: its days, who works when, what customs publishes."""

    days: int
    release_port: str
    weekday_share: tuple[float, ...]  # of a working day's declarations, Monday first
    office_hours: tuple[int, int]  # officers decide and record between these hours
    registrar: str
    customs_officers: tuple[str, ...]
    ciq_officer: str
    general_trade: str
    processing_trade: dict[str, str]  # the trade mode by goods key
    gate: dict[str, str]  # the terminal's user by carriage
    exchange_rates: dict[str, float]
    downgrade: tuple[str, int, str]  # trader code, days ago, credit class
    risk_rules: tuple[RiskRuleVersion, ...]


@cache
def month_plan() -> MonthPlan:
    data = _toml("month.toml")
    start, end = data["office_hours"]
    downgrade = data["downgrade"]
    return MonthPlan(
        data["days"],
        data["release_port"],
        tuple(data["weekday_share"]),
        (start, end),
        data["registrar"],
        tuple(data["customs_officers"]),
        data["ciq_officer"],
        data["general_trade"],
        data["processing_trade"],
        data["gate"],
        data["exchange_rates"],
        (downgrade["trader"], downgrade["days_ago"], downgrade["credit_class"]),
        tuple(RiskRuleVersion(**version) for version in data["risk_rules"]),
    )


@dataclass(frozen=True)
class Notes:
    """What officers write on the declarations' reviews and inspections."""

    customs_approve: tuple[str, ...]
    customs_inspect: tuple[str, ...]
    customs_reject: tuple[str, ...]  # templates on the first item, see notes.toml
    inspection_passed: dict[InspectionKind, tuple[str, ...]]
    ciq_sampled_chapters: frozenset[str]
    ciq_sample: str
    ciq_passed: str
    ciq_goods: str
    ciq_chapters: dict[str, str]


@cache
def notes() -> Notes:
    data = _toml("notes.toml")
    ciq = data["ciq"]
    return Notes(
        tuple(data["customs_approve"]),
        tuple(data["customs_inspect"]),
        tuple(data["customs_reject"]),
        {InspectionKind(kind): tuple(found) for kind, found in data["inspection_passed"].items()},
        frozenset(ciq["sampled_chapters"]),
        ciq["sample"],
        ciq["passed"],
        ciq["goods"],
        ciq["chapters"],
    )


@dataclass(frozen=True)
class Handling:
    """What one agency's officers do with their review if the rules leave it to them: decide a
    pending review, record the result of an inspection, and act on a failed one."""

    officer: str
    decision: Decision = Decision.APPROVE
    note: str = ""
    hours: float = 1.0  # from filing to the decision
    passed: bool = True
    finding: str = ""
    kind: InspectionKind = InspectionKind.XRAY
    inspection_hours: float = 6.0  # from booking to the result
    after_fail: str = ""  # customs seizes, CIQ rejects, for this reason (none: stays held)
    after_fail_hours: float = 5.0


@dataclass(frozen=True)
class Story:
    """A scripted declaration: who files what, when (days before today at a local hour, or hours
    before now) and what the officers do with it."""

    trader: str
    goods: str
    days_ago: int = 0
    hour: float = 0.0
    customs: Handling | None = None
    ciq: Handling | None = None
    price: float | None = None  # a unit price outside the usual range
    hours_ago: float | None = None


def _handling(table: dict[str, Any] | None) -> Handling | None:
    if table is None:
        return None
    fields = dict(table)
    if "decision" in table:
        fields["decision"] = Decision(table["decision"])
    if "kind" in table:
        fields["kind"] = InspectionKind(table["kind"])
    return Handling(**fields)


@cache
def stories() -> tuple[Story, ...]:
    return tuple(
        Story(
            **{
                **table,
                "customs": _handling(table.get("customs")),
                "ciq": _handling(table.get("ciq")),
            }
        )
        for table in _toml("stories.toml")["story"]
    )
