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
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from random import Random
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from stdnum import iso6346

from kouan.domain.agency import Agency, Decision, ReviewStatus
from kouan.domain.declaration import Declaration, InspectionKind
from kouan.services.cargo import declarations, exchange_rates, risk_rules, traders
from kouan.services.review import inspections, reviews
from kouan.site import PORT_TIME_ZONE

if TYPE_CHECKING:
    from kouan.demo.port import Play, ShipSpec

SEED = 2009
ZONE = ZoneInfo(PORT_TIME_ZONE)
DAYS = 30  # the month of declarations: the clearance figures' default window
RELEASE_PORT = "CNTAO"
WEEKDAY_SHARE = (1.0, 1.0, 1.0, 1.0, 0.95, 0.45, 0.3)  # Monday to Sunday
REGISTRAR = "customs.wang"  # registers the traders and edits the risk rules
CIQ_OFFICER = "ciq.zhang"
CUSTOMS_OFFICERS = ("customs.wang", "customs.li")
OFFICE_HOURS = (8, 21)  # officers decide reviews and record results between these hours


@dataclass(frozen=True)
class Broker:
    """A customs broker of the demo and the office it declares at."""

    username: str
    office: str  # the declaration office (UN/LOCODE)
    prefix: str  # of the broker's own references: prefix, date, serial
    single_share: float  # filed one at a time (web form or API), the rest in CUSDEC batches
    single_source: str


BROKERS = (
    Broker("qdbroker", "CNTAO", "QJB", 0.05, "form"),
    Broker("jnbroker", "CNJNA", "JNQC", 0.2, "api"),
    # Houma, Shanxi: the inland land port whose goods go to sea at Qingdao.
    Broker("hmbroker", "CNHOM", "HMLP", 0.4, "form"),
)
BROKER_BY_NAME = {broker.username: broker for broker in BROKERS}


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


# key | HS | unit | size | low | high | currency | origins | carriage
GOODS_TABLE = """
beef       | 020230 | KGM | 26000  | 5.2     | 7.4     | USD | AU BR AR UY NZ | reefer
pork       | 020329 | KGM | 25000  | 1.9     | 2.8     | EUR | ES DK NL DE    | reefer
chicken    | 020714 | KGM | 25000  | 2.2     | 3.4     | USD | BR US AR       | reefer
shrimp     | 030617 | KGM | 20000  | 5.5     | 8.8     | USD | EC IN VN       | reefer
cherry     | 080929 | KGM | 18000  | 7.0     | 11.0    | USD | CL             | reefer
durian     | 081060 | KGM | 18000  | 4.0     | 6.5     | USD | TH VN          | reefer
banana     | 080390 | KGM | 20000  | 0.6     | 0.9     | USD | PH EC          | reefer
logs       | 440321 | MTQ | 32000  | 125     | 170     | USD | NZ UY          | general
ore        | 260111 | TNE | 170000 | 95      | 122     | USD | AU BR          | ore
soy        | 120190 | TNE | 65000  | 470     | 560     | USD | BR US AR       | grain
wine       | 220421 | LTR | 9000   | 3       | 14      | EUR | FR IT ES       | box
car_de     | 870323 | PCE | 80     | 30000   | 62000   | EUR | DE             | roro
car_jp     | 870323 | PCE | 120    | 3600000 | 6500000 | JPY | JP             | roro
chips      | 854231 | PCE | 200000 | 0.8     | 42      | USD | KR TW JP MY    | air
valves     | 848180 | KGM | 12000  | 18      | 45      | EUR | DE IT          | box
medicine   | 300490 | KGM | 3000   | 90      | 420     | EUR | CH DE FR       | box
cosmetics  | 330499 | PCE | 40000  | 3       | 28      | USD | FR KR JP       | box
pe         | 390110 | KGM | 25000  | 1.05    | 1.35    | USD | SA KR SG       | box
pulp       | 470321 | TNE | 25     | 650     | 790     | USD | FI SE CA       | box
copper     | 740311 | TNE | 25     | 8200    | 9300    | USD | CL PE          | box
rubber     | 400122 | TNE | 20     | 1450    | 1800    | USD | TH MY VN       | box
scanner    | 901819 | PCE | 6      | 18000   | 95000   | EUR | DE NL          | air
tyre_car   | 401110 | PCE | 1100   | 22      | 48      | USD | CN             | box
tyre_truck | 401120 | PCE | 280    | 95      | 165     | USD | CN             | box
tshirt     | 610910 | PCE | 30000  | 1.8     | 4.6     | USD | CN             | box
trousers   | 620342 | PCE | 14000  | 4.0     | 9.5     | USD | CN             | box
shoes      | 640399 | PCE | 6000   | 8       | 26      | USD | CN             | box
fridge     | 841821 | PCE | 110    | 160     | 380     | USD | CN             | box
washer     | 845011 | PCE | 160    | 120     | 260     | USD | CN             | box
aircon     | 841510 | PCE | 220    | 180     | 320     | USD | CN             | box
tv         | 852872 | PCE | 380    | 120     | 560     | USD | CN             | box
microwave  | 851650 | PCE | 1200   | 35      | 70      | USD | CN             | box
furniture  | 940360 | PCE | 260    | 40      | 210     | USD | CN             | box
steel      | 721049 | TNE | 26     | 620     | 760     | USD | CN             | box
excavator  | 842952 | PCE | 12     | 45000   | 160000  | USD | CN             | roro
garlic     | 070320 | KGM | 28000  | 0.9     | 1.6     | USD | CN             | reefer
apple      | 080810 | KGM | 20000  | 1.1     | 1.8     | USD | CN             | reefer
peanut     | 120242 | KGM | 25000  | 1.3     | 1.7     | USD | CN             | box
fillet     | 030489 | KGM | 24000  | 3.0     | 6.0     | USD | CN             | reefer
toys       | 950300 | PCE | 25000  | 1.5     | 9.0     | USD | CN             | box
phone      | 851713 | PCE | 3000   | 90      | 380     | USD | CN             | air
coke       | 270400 | TNE | 40000  | 240     | 320     | USD | CN             | coal
castings   | 732510 | KGM | 24000  | 7.5     | 12      | CNY | CN             | box
vinegar    | 220900 | LTR | 18000  | 0.8     | 1.6     | USD | CN             | box
baijiu     | 220890 | LTR | 9000   | 12      | 40      | USD | CN             | box
magnesium  | 810411 | TNE | 24     | 2600    | 3300    | USD | CN             | box
"""
# key | Chinese | English
GOODS_NAMES = """
beef       | 冷冻去骨牛肉     | Frozen boneless beef
pork       | 冷冻猪肉分割品   | Frozen pork cuts
chicken    | 冷冻鸡爪         | Frozen chicken paws
shrimp     | 冷冻南美白虾     | Frozen whiteleg shrimps
cherry     | 鲜樱桃           | Fresh cherries
durian     | 鲜榴莲           | Fresh durians
banana     | 鲜香蕉           | Fresh bananas
logs       | 辐射松原木       | Radiata pine logs
ore        | 铁矿砂           | Iron ore fines
soy        | 大豆             | Soybeans
wine       | 瓶装葡萄酒       | Bottled wine
car_de     | 小轿车           | Passenger cars, 1.5 to 3 litres
car_jp     | 小轿车           | Passenger cars, 1.5 to 3 litres
chips      | 集成电路         | Processors and controllers (ICs)
valves     | 工业阀门         | Industrial valves
medicine   | 药品             | Medicaments in measured doses
cosmetics  | 护肤品           | Skin care preparations
pe         | 聚乙烯           | Polyethylene, density below 0.94
pulp       | 漂白针叶木浆     | Bleached softwood kraft pulp
copper     | 精炼铜阴极       | Refined copper cathodes
rubber     | 技术分类天然橡胶 | Technically specified natural rubber
scanner    | 电子诊断设备     | Electro-diagnostic apparatus
tyre_car   | 乘用车轮胎       | Car tyres
tyre_truck | 卡客车轮胎       | Truck and bus tyres
tshirt     | 棉制针织T恤衫    | Cotton knitted T-shirts
trousers   | 棉制男裤         | Men's cotton trousers
shoes      | 皮面鞋靴         | Leather-upper footwear
fridge     | 家用压缩式冰箱   | Household refrigerators
washer     | 全自动洗衣机     | Fully automatic washing machines
aircon     | 壁挂式空调       | Wall-mounted air conditioners
tv         | 液晶电视机       | LCD television sets
microwave  | 微波炉           | Microwave ovens
furniture  | 木制家具         | Wooden furniture
steel      | 镀锌钢板         | Galvanised flat-rolled steel
excavator  | 履带式挖掘机     | Crawler excavators
garlic     | 鲜大蒜           | Fresh garlic
apple      | 鲜苹果           | Fresh apples
peanut     | 去壳花生         | Shelled groundnuts
fillet     | 冷冻鱼片         | Frozen fish fillets
toys       | 塑料玩具         | Plastic toys
phone      | 智能手机         | Smartphones
coke       | 冶金焦炭         | Metallurgical coke
castings   | 铸铁井盖         | Cast iron manhole covers
vinegar    | 山西老陈醋       | Shanxi mature vinegar
baijiu     | 白酒             | Baijiu
magnesium  | 原镁锭           | Unwrought magnesium, 99.8 % Mg
"""


def _goods(table: str, names: str) -> dict[str, Goods]:
    named = {}
    for line in names.strip().splitlines():
        key, zh, en = (cell.strip() for cell in line.split("|"))
        named[key] = (zh, en)
    out = {}
    for line in table.strip().splitlines():
        key, hs, unit, size, low, high, currency, origins, carriage = (
            cell.strip() for cell in line.split("|")
        )
        zh, en = named[key]
        out[key] = Goods(
            key,
            hs,
            zh,
            en,
            unit,
            float(size),
            float(low),
            float(high),
            currency,
            tuple(origins.split()),
            carriage,
        )
    return out


GOODS = _goods(GOODS_TABLE, GOODS_NAMES)


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


# code | class | broker | declarations a weekday | goods | name
TRADER_TABLE = """
3702230101 | AA | qdbroker | 13  | fridge washer aircon tv   | 青岛瑞海电器进出口有限公司
3702640223 | AA | qdbroker | 10  | tyre_car tyre_truck rubber | 青岛澜港轮胎有限公司
3701230155 | AA | jnbroker | 5   | excavator valves          | 济南华岳机械进出口有限公司
3702640318 | A  | qdbroker | 4   | fillet shrimp             | 青岛鑫诚食品有限公司
3702940421 | A  | qdbroker | 8   | pe copper pulp            | 青岛中瀚国际贸易有限公司
3702230517 | A  | qdbroker | 8   | tshirt trousers           | 青岛北海纺织服装有限公司
3701640209 | A  | jnbroker | 4   | rubber pe                 | 济南泉晟橡塑进出口有限公司
3707940115 | A  | jnbroker | 4   | garlic peanut             | 潍坊华农食品有限公司
1410640031 | A  | hmbroker | 6   | castings                  | 侯马晋南铸造有限公司
1401230077 | A  | hmbroker | 2.5 | baijiu vinegar            | 山西晋酿酒业进出口有限公司
3702940633 | B  | qdbroker | 5   | furniture                 | 青岛东方家具有限公司
3702960708 | B  | qdbroker | 4   | beef pork chicken         | 青岛嘉禾冷链食品有限公司
3702960812 | B  | qdbroker | 2.5 | cherry durian banana      | 青岛果源进出口有限公司
3702940917 | B  | qdbroker | 5   | steel                     | 青岛宏远钢铁贸易有限公司
3702941024 | B  | qdbroker | 4   | chips phone               | 青岛海纳电子科技有限公司
3702961131 | B  | qdbroker | 0.6 | ore                       | 青岛金港矿产品贸易有限公司
3702961205 | B  | qdbroker | 0.5 | soy                       | 青岛丰禾粮油有限公司
3702961319 | B  | qdbroker | 0.9 | car_de car_jp             | 青岛德美汽车贸易有限公司
3702941427 | B  | qdbroker | 4   | shoes                     | 青岛海韵鞋业有限公司
3702961502 | B  | qdbroker | 2   | wine                      | 青岛欧雅酒业有限公司
3706941477 | B  | qdbroker | 2   | apple                     | 烟台福山果品进出口有限公司
3701941033 | B  | jnbroker | 1.3 | medicine                  | 济南鲁信医药进出口有限公司
3701961148 | B  | jnbroker | 4   | microwave                 | 济南明湖电器有限公司
3701941256 | B  | jnbroker | 2.5 | valves scanner            | 济南泉城机电设备有限公司
3703961320 | B  | jnbroker | 4   | pe                        | 淄博齐鲁化工贸易有限公司
3713961503 | B  | jnbroker | 1.3 | logs                      | 临沂金源木业有限公司
1408941019 | B  | hmbroker | 4   | magnesium                 | 山西运城镁业有限公司
1410961152 | B  | hmbroker | 1.3 | coke                      | 侯马通达焦化有限公司
1401941233 | B  | hmbroker | 2   | valves excavator          | 太原晋源机械进出口有限公司
1410961284 | B  | hmbroker | 2.5 | vinegar                   | 侯马晋都醋业有限公司
3702961608 | C  | qdbroker | 1.5 | cosmetics toys            | 青岛凯瑞商贸有限公司
3702961711 | C  | qdbroker | 1.3 | trousers tshirt           | 青岛鼎盛国际贸易有限公司
3701961566 | C  | jnbroker | 1   | shoes tshirt              | 济南中亿贸易有限公司
3713961622 | C  | jnbroker | 1   | toys                      | 临沂汇通进出口有限公司
1401961317 | C  | hmbroker | 1   | castings magnesium        | 山西恒瑞贸易有限公司
3713961799 | D  | jnbroker | 0.5 | toys shoes                | 临沂宏发小商品有限公司
1410961399 | D  | hmbroker | 0.5 | castings                  | 侯马鑫达贸易有限公司
"""


def _traders(table: str) -> tuple[TraderSpec, ...]:
    rows = [[cell.strip() for cell in line.split("|")] for line in table.strip().splitlines()]
    return tuple(
        TraderSpec(code, credit, broker, float(per_day), tuple(goods.split()), name)
        for code, credit, broker, per_day, goods, name in rows
    )


TRADERS = _traders(TRADER_TABLE)
TRADER_BY_CODE = {trader.code: trader for trader in TRADERS}
# Downgraded from B to C a week and a day ago, after unit values that did not hold up.
DOWNGRADED = ("3702941427", 8, "C")
# Processing trade (进料加工 0615, 来料加工 0214) beside general trade (一般贸易 0110).
PROCESSING = {"pe": "0615", "copper": "0615", "pulp": "0615", "rubber": "0615", "tshirt": "0214"}

# Container lines calling at Qingdao: the demo's ships by their first word, with the prefix of
# the line's bills of lading and the owner codes of its containers (ISO 6346).
LINES = {
    "COSCO": ("COSU", "CBHU CSNU CCLU"),
    "XIN": ("COSU", "CBHU CSNU"),
    "CSCL": ("COSU", "CCLU CSNU"),
    "OOCL": ("OOLU", "OOLU OOCU"),
    "HANJIN": ("HJSC", "HJCU"),
    "SITC": ("SITC", "SITU"),
    "KMTC": ("KMTC", "KMTU"),
    "MOL": ("ONEY", "ONEU MOLU"),
    "NYK": ("ONEY", "ONEU NYKU"),
    "MSC": ("MEDU", "MSCU MEDU"),
    "CMA": ("CMDU", "CMAU"),
    "MAERSK": ("MAEU", "MSKU MRKU"),
    "APL": ("APLU", "APLU"),
    "KOTA": ("PCIU", "PCIU"),
    "EVER": ("EGLV", "EGHU EMCU"),
}
# Cargo flights into and out of Qingdao Jiaodong, with their airline's air waybill prefix.
FLIGHTS = (
    ("KE831", "180"),
    ("OZ317", "988"),
    ("NH935", "205"),
    ("CI521", "297"),
    ("SC4617", "324"),
    ("CK262", "112"),
)
# Who lets the goods out: containers at Qianwan, bulk at the ore and oil or the Dagang terminal,
# air cargo at the airport's cargo terminal.
GATE = {
    "box": "qqct",
    "reefer": "qqct",
    "ore": "qdport",
    "coal": "qdport",
    "grain": "dagang",
    "general": "dagang",
    "roro": "dagang",
    "air": "jdcargo",
}


# --- what happens after filing ----------------------------------------------------------------


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
class Fate:
    """Everything that can happen to a declaration after filing; which parts do depends on the
    reviews the rules open."""

    customs: Handling
    ciq: Handling
    gate_hours: float  # from release to the gate


def _on_duty(moment: datetime) -> datetime:
    """When an officer gets to it: at once in office hours, else in the next morning's first
    hours (spread by the minute it came in)."""
    local = moment.astimezone(ZONE)
    start, end = OFFICE_HOURS
    if start <= local.hour < end:
        return moment
    day = local.date() + timedelta(days=1 if local.hour >= end else 0)
    spread = timedelta(minutes=(local.hour * 60 + local.minute) * 7 % 150)
    return datetime.combine(day, time(start), ZONE) + spread


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


def _lognormal(rng: Random, median_hours: float, sigma: float, cap: float) -> float:
    return min(cap, median_hours * math.exp(rng.gauss(0, sigma)))


APPROVE_NOTES = (
    "",
    "Invoice, packing list and contract agree",
    "Documents checked; value in line with recent declarations",
    "Declaration elements complete; origin certificate checked",
)
INSPECT_NOTES = (
    "Container weights (VGM) do not match the packing list: physical check ordered",
    "Brand goods on the packing list that the invoice does not show: inspection ordered",
)
PASS_FINDINGS = {
    InspectionKind.XRAY: (
        "X-ray image consistent with the declared goods",
        "X-ray image consistent; seals intact",
    ),
    InspectionKind.OPENED: (
        "Opened and examined: goods, quantity and marks as declared",
        "3 of 40 cartons opened: goods as declared",
    ),
}
# CIQ's notes by HS chapter: certificates of animal products, plants, wood and manufactures.
CIQ_NOTES = {
    "02": "Veterinary health certificate checked; cold-chain temperature log in order",
    "03": "Health certificate checked; cold-chain temperature log in order",
    "07": "Phytosanitary certificate checked; packing house registered",
    "08": "Phytosanitary certificate checked; orchard and packing house registered",
    "12": "Phytosanitary and GMO safety certificates checked",
    "44": "Fumigation certificate (methyl bromide) and phytosanitary certificate checked",
    "87": "CCC certificate and VIN list checked",
}
CIQ_GOODS_NOTE = "Quality and labelling documents checked"
# Animal and plant products: CIQ samples some for pests and residues.
SAMPLED_CHAPTERS = frozenset({"02", "03", "07", "08", "12", "44"})
CIQ_SAMPLE = "Samples taken for quarantine pests and residues"
CIQ_PASS = "Laboratory: no quarantine pests found, residues within limits"


def _reject_note(rng: Random, declaration: Declaration) -> str:
    """Why customs sends a declaration back: the reasons document reviews find most."""
    item = declaration.items[0]
    english = item.description.split(" ", 1)[-1]
    goods = english if english[:2].isupper() else english[0].lower() + english[1:]
    unit_value = item.value / item.quantity
    counted = (item.quantity * Decimal(rng.choice(("0.85", "0.9", "1.12")))).quantize(Decimal(1))
    return rng.choice(
        (
            f"Invoice and packing list disagree on the quantity of {goods} ({item.quantity} vs "
            f"{counted} {item.unit}): file again with corrected documents",
            f"Declared unit value {item.currency} {unit_value:.2f}/{item.unit} for {goods} is not "
            "supported by the contract and payment record: file again with the transaction value",
            f"Declaration elements (申报要素) for HS {item.hs_code} incomplete: brand, model and "
            "material missing; file again",
        )
    )


def _customs_handling(rng: Random, declaration: Declaration) -> Handling:
    officer = rng.choice(CUSTOMS_OFFICERS)
    decision = rng.choices((Decision.APPROVE, Decision.INSPECT, Decision.REJECT), (89, 8, 3))[0]
    notes = {
        Decision.APPROVE: rng.choice(APPROVE_NOTES),
        Decision.INSPECT: rng.choice(INSPECT_NOTES),
        Decision.REJECT: _reject_note(rng, declaration),
    }
    kind = rng.choices((InspectionKind.XRAY, InspectionKind.OPENED), (3, 1))[0]
    return Handling(
        officer,
        decision,
        notes[decision],
        hours=_lognormal(rng, 1.2, 0.9, 30),
        kind=kind,
        finding=rng.choice(PASS_FINDINGS[kind]),
        inspection_hours=rng.uniform(2, 20),
    )


def _ciq_handling(rng: Random, declaration: Declaration) -> Handling:
    chapter = declaration.items[0].hs_code[:2]
    sampled = chapter in SAMPLED_CHAPTERS and rng.random() < 0.15
    return Handling(
        CIQ_OFFICER,
        Decision.INSPECT if sampled else Decision.APPROVE,
        CIQ_SAMPLE if sampled else CIQ_NOTES.get(chapter, CIQ_GOODS_NOTE),
        hours=_lognormal(rng, 2.5, 0.8, 30),
        finding=CIQ_PASS,
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


Fleet = dict[str, list["ShipSpec"]]  # the demo's ships by kind (container, ore, roro, ...)


def _fleet(ships: Sequence[ShipSpec]) -> Fleet:
    fleet: Fleet = {}
    for ship in ships:
        fleet.setdefault(ship.kind, []).append(ship)
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
        flight, prefix = rng.choice(FLIGHTS)
        serial = rng.randrange(10**7)
        awb = f"{prefix}-{serial:07d}{serial % 7}"
        return {"mode": "air", "flight": flight, "air_waybill": awb}, []
    containerised = goods.carriage in ("box", "reefer")
    ship = rng.choice(fleet["container" if containerised else goods.carriage])
    voyage = _voyage(day, goods.imported)
    if containerised:
        line, owners = LINES[ship.name.split()[0]]
        bill = f"{line}{rng.randrange(10**9, 10**10)}"
        containers = [_container_number(rng, rng.choice(owners.split())) for _ in range(boxes)]
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
    return [
        GOODS[key]
        for key in trader.goods
        if key != goods.key
        and GOODS[key].carriage == goods.carriage
        and GOODS[key].imported == goods.imported
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
    goods = goods or GOODS[rng.choice(trader.goods)]
    boxes = rng.choices((1, 2, 3, 4, 6), (40, 30, 15, 10, 5))[0]
    kinds = [goods]
    companions = _companions(trader, goods)
    if companions and price is None and rng.random() < 0.3:
        kinds += rng.sample(companions, min(len(companions), rng.choice((1, 1, 2))))
    items = [_item(rng, g, boxes, 1 / len(kinds), price) for g in kinds]
    transport, containers = _transport(rng, fleet, goods, day, boxes)
    mode = PROCESSING.get(goods.key) if trader.credit_class in ("AA", "A") else None
    data = {
        "reference": reference,
        "trader": trader.code,
        "trader_name": trader.name,
        "direction": "import" if goods.imported else "export",
        "trade_mode": mode if mode and rng.random() < 0.4 else "0110",
        "transport": transport,
        "declaration_office": BROKER_BY_NAME[trader.broker].office,
        "release_port": RELEASE_PORT,
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
            gate = release + _hours(self.fate.gate_hours)
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
        decided = _on_duty(filed + _hours(handling.hours))
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
        result = _on_duty(booked + _hours(handling.inspection_hours))
        record = partial(self._record, declaration_id, agency, handling)
        self.play.at(result, record)
        if handling.passed:
            return result
        if handling.after_fail:
            acted = _on_duty(result + _hours(handling.after_fail_hours))
            self.play.at(acted, partial(self._after_fail, declaration_id, agency, handling))
        return None

    def _decide(self, officer: str, review_id: int, handling: Handling) -> None:
        actor = self.play.actor(officer)
        reviews.decide(self.play.ctx, actor, review_id, handling.decision, handling.note)

    def _record(self, declaration_id: int, agency: Agency, handling: Handling) -> None:
        officer = self.play.actor(handling.officer)
        view = declarations.get_declaration(self.play.ctx, officer, declaration_id)
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
            declarations.seize(self.play.ctx, officer, declaration_id, handling.after_fail)
            return
        view = declarations.get_declaration(self.play.ctx, officer, declaration_id)
        review_id = next(r["id"] for r in view["reviews"] if r["agency"] == agency.value)
        reviews.decide(self.play.ctx, officer, review_id, Decision.REJECT, handling.after_fail)

    def _gate_out(self, declaration_id: int) -> None:
        terminal = self.play.actor(GATE[self.goods.carriage])
        declarations.gate_out(self.play.ctx, terminal, declaration_id)


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


def _local(day: date, hours: float) -> datetime:
    return datetime.combine(day, time(0), ZONE) + _hours(hours)


# The broker's system sends what is ready every half hour in the working day, and what was
# prepared in the evening in one run in the small hours.
BATCH_HOURS = (1.6, *(8 + n / 2 for n in range(24)))
BATCH_WEIGHTS = (3.0, *(1.0 for _ in range(24)))


class Month:
    """The month of cargo on the play: references, traders' declarations and their fates."""

    def __init__(self, play: Play, ships: Sequence[ShipSpec]) -> None:
        self.play = play
        self.fleet = _fleet(ships)
        self.today = play.now.astimezone(ZONE).date()
        self.first = self.today - timedelta(days=DAYS - 1)
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
        broker = BROKER_BY_NAME[trader.broker]
        reference = self.reference(broker, day)
        rng = Random(f"{SEED}:{reference}")
        declaration, goods = declaration_of(rng, self.fleet, trader, reference, day, goods, price)
        fate = _fate(rng, declaration, goods.carriage)
        return Consignment(self.play, broker, declaration, goods, fate)

    def stage_day(self, broker: Broker, day: date) -> None:
        """The broker's declarations of one day: in batches, a few filed alone."""
        rng = Random(f"{SEED}:{broker.username}:{day.isoformat()}")
        share = WEEKDAY_SHARE[day.weekday()]
        mine = [t for t in TRADERS if t.broker == broker.username]
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
        for hours, batch in zip(BATCH_HOURS, batches, strict=True):
            if batch.consignments:
                self.play.at(_local(day, hours + rng.uniform(0, 0.1)), batch.file)


# --- customs' records: traders, exchange rates, risk rules ----------------------------------------

MONTHLY_RATES = {"USD": 7.12, "EUR": 7.74, "JPY": 0.0468}
UV_BEEF = {
    "code": "UV-BEEF",
    "title": "Frozen beef unit value out of range",
    "title_zh": "冷冻牛肉单价异常",
    "lane": "inspection",
    "kind": "unit_value",
    "hs_prefix": "0202",
    "low": 25,
    "high": 150,
}
HS_DURIAN = {
    "code": "HS-DURIAN",
    "title": "Fresh durians (fruit flies found)",
    "title_zh": "鲜榴莲(检出实蝇)",
    "lane": "document",
    "kind": "hs_prefix",
    "values": ["081060"],
}


def _register(play: Play, trader: TraderSpec, credit_class: str) -> None:
    checked = traders.checked(trader.code, trader.name, credit_class)
    traders.register(play.ctx, play.actor(REGISTRAR), checked)


def _publish_rates(play: Play) -> None:
    for currency, rate in MONTHLY_RATES.items():
        exchange_rates.set_rate(play.ctx, play.actor(REGISTRAR), currency, rate)


def _new_version(play: Play, officer: str, note: str, rule: dict[str, Any], activate: bool) -> None:
    """A risk officer drafts a version with one more rule and (perhaps) activates it."""
    actor = play.actor(officer)
    draft = risk_rules.create_draft(play.ctx, actor, note)
    risk_rules.add_rule(play.ctx, actor, draft["version"], rule)
    if activate:
        risk_rules.activate(play.ctx, actor, draft["version"])


def _stage_records(play: Play, month: Month) -> None:
    """Customs registers the traders the day before the month, publishes the month's exchange
    rates on the 1st, downgrades a trader, and tunes the risk rules."""
    opened = _local(month.first - timedelta(days=1), 9)
    for n, trader in enumerate(TRADERS):
        play.at(
            opened + timedelta(minutes=n), partial(_register, play, trader, trader.credit_class)
        )
    first_of_month = month.today.replace(day=1)
    if first_of_month >= month.first:
        play.at(_local(first_of_month, 9.2), partial(_publish_rates, play))
    code, days_ago, credit_class = DOWNGRADED
    downgrade = partial(_register, play, TRADER_BY_CODE[code], credit_class)
    play.at(_local(month.today - timedelta(days=days_ago), 10.5), downgrade)
    beef = (
        "Frozen beef declared at a third of market prices was found only in document review: "
        "send such values to inspection"
    )
    play.at(
        _local(month.today - timedelta(days=10), 9.7),
        partial(_new_version, play, "customs.wang", beef, UV_BEEF, True),
    )
    durian = "CIQ found fruit flies in Thai durians: review durian declarations (draft)"
    play.at(
        _local(month.today - timedelta(days=1), 16),
        partial(_new_version, play, "customs.li", durian, HS_DURIAN, False),
    )


# --- the month's stories --------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """A scripted declaration: who files what, when (days before today at a local hour, or hours
    before now) and what the officers do with it."""

    trader: str
    goods: str
    days_ago: int
    hour: float
    customs: Handling | None = None
    ciq: Handling | None = None
    price: float | None = None  # a unit price outside the usual range
    hours_ago: float | None = None


_NEVER = 24.0 * 365  # an officer who has not got to it yet

STORIES = (
    # Undervalued beef before the UV-BEEF rule: only the document review finds it.
    Story(
        "3702960708",
        "beef",
        13,
        10.3,
        price=1.85,
        customs=Handling(
            "customs.li",
            Decision.REJECT,
            "Declared USD 1.85/kg for frozen boneless beef; contract prices are USD 5 to 7/kg: "
            "undervaluation. File again with the transaction value and the sales contract",
            hours=1.6,
        ),
    ),
    # Misclassified: woven trousers declared as knitted T-shirts.
    Story(
        "3702961711",
        "tshirt",
        5,
        14.2,
        customs=Handling(
            "customs.wang",
            Decision.REJECT,
            "Goods are woven cotton trousers (6203.42), not knitted T-shirts (6109.10): "
            "classify correctly and file again",
            hours=2.1,
        ),
    ),
    # Counterfeit shoes: inspection fails, customs seizes.
    Story(
        "3713961799",
        "shoes",
        6,
        9.4,
        customs=Handling(
            "customs.wang",
            passed=False,
            kind=InspectionKind.OPENED,
            finding="1,480 pairs of sports shoes bearing a registered trademark without the "
            "owner's authorisation",
            inspection_hours=5.5,
            after_fail="Counterfeit trademark goods (Trademark Law art. 57): 1,480 pairs seized, "
            "case passed to the anti-smuggling bureau",
            after_fail_hours=3.0,
        ),
    ),
    # Undervalued beef again, after UV-BEEF: straight to inspection, held.
    Story(
        "3702960708",
        "beef",
        3,
        11.1,
        price=1.9,
        customs=Handling(
            "customs.li",
            passed=False,
            kind=InspectionKind.OPENED,
            finding="Bone-in beef (0202.20) declared as boneless (0202.30) at USD 1.90/kg; "
            "classification and value under review",
            inspection_hours=4.0,
        ),
    ),
    # Fruit flies in durians: CIQ samples, the sample fails, CIQ rejects.
    Story(
        "3702960812",
        "durian",
        2,
        8.8,
        ciq=Handling(
            CIQ_OFFICER,
            Decision.INSPECT,
            "Durians from a packing house with earlier fruit fly finds: sampling ordered",
            hours=1.5,
            passed=False,
            finding="Live fruit flies (Bactrocera dorsalis) in 3 of 20 cartons sampled",
            kind=InspectionKind.OPENED,
            inspection_hours=5.0,
            after_fail="Quarantine pest found: the goods are returned or destroyed under "
            "supervision (Law on Entry and Exit Animal and Plant Quarantine)",
            after_fail_hours=2.0,
        ),
    ),
    # Short-shipped castings: the scanner shows a third of the container empty; held.
    Story(
        "1410961399",
        "castings",
        1,
        10.2,
        customs=Handling(
            "customs.wang",
            passed=False,
            finding="X-ray image: rear third of the container empty, about 6 t less than declared",
            inspection_hours=6.0,
        ),
    ),
    # Filed in the last hours: documents and an inspection still waiting.
    Story(
        "3702961608",
        "cosmetics",
        0,
        0,
        hours_ago=0.6,
        customs=Handling("customs.li", hours=_NEVER),
        ciq=Handling(CIQ_OFFICER, hours=_NEVER),
    ),
    Story(
        "3713961799",
        "toys",
        0,
        0,
        hours_ago=2.5,
        customs=Handling("customs.wang", inspection_hours=_NEVER),
        ciq=Handling(CIQ_OFFICER, hours=_NEVER),
    ),
)


def _stage_story(month: Month, story: Story) -> None:
    trader = TRADER_BY_CODE[story.trader]
    if story.hours_ago is not None:
        moment = month.play.now - _hours(story.hours_ago)
    else:
        moment = _local(month.today - timedelta(days=story.days_ago), story.hour)
    day = moment.astimezone(ZONE).date()
    consignment = month.consignment(trader, day, GOODS[story.goods], story.price)
    fate = consignment.fate
    consignment.fate = replace(
        fate, customs=story.customs or fate.customs, ciq=story.ciq or fate.ciq
    )
    month.play.at(moment, consignment.file)


def stage(play: Play, ships: Sequence[ShipSpec]) -> None:
    """Schedule the month of cargo: customs' records, every broker's days, the stories."""
    month = Month(play, ships)
    _stage_records(play, month)
    for n in range(DAYS):
        day = month.first + timedelta(days=n)
        for broker in BROKERS:
            month.stage_day(broker, day)
    for story in STORIES:
        _stage_story(month, story)
