"""The demo port of Qingdao: its organisations and users, about thirty ships and a week of port
calls in every state, and a month of cargo declarations (demo_cargo), played through the services
so that every rule runs and every step is in the audit log as if people had done it.

The ships are invented (names, IMO and MMSI numbers with valid check digits and flags) except
EVER DIADEM, whose identity is the one in the real AIS sample. The build is deterministic for a
given clock: the same instant always gives the same port.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from random import Random
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from stdnum import imo as stdnum_imo

from kouan.adapters.db.tables import Organisation, PortCall, User
from kouan.demo import cargo as demo_cargo
from kouan.domain.agency import Agency, Decision, OrgType, Phase
from kouan.domain.errors import ValidationFailed
from kouan.domain.filing import ArrivalNotice, DepartureNotice
from kouan.domain.portcall import TimelineEvent
from kouan.rules.base import RuleSet
from kouan.services.platform import users
from kouan.services.platform.permissions import SYSTEM, Actor
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import reviews, rulesets
from kouan.services.review.rulesets import active_rule_sets
from kouan.services.ships import portcalls
from kouan.site import PORT_TIME_ZONE

if TYPE_CHECKING:
    from rich.progress import Progress

SEED = 2009
PORT = "CNTAO"
# Hours between the instants of a call, the same for every ship of the demo.
PILOTAGE_HOURS = 1.5  # from the pilot boarding place (ATA) to all fast at the berth
PREPARATION_HOURS = 0.5  # from all fast to the first crane or grab
PERMIT_TO_WORK_HOURS = 0.25  # from an entry permit issued late to the first crane
DEPARTURE_FILED_HOURS = 2.0  # the agent files the departure this long after work starts
UNMOORING_HOURS = 1.0  # from the departure permit to leaving the berth
ETD_MARGIN_HOURS = 2.0  # what the agent adds to the planned stay when estimating the ETD


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


CUSTOMS = "Qingdao Customs"
USERS: tuple[DemoUser, ...] = (
    DemoUser("portoffice", OrgType.PORT_OFFICE, "Qingdao Port Office", "ZHAO Min 赵敏"),
    DemoUser("customs.wang", OrgType.CUSTOMS, CUSTOMS, "WANG Lei 王磊"),
    DemoUser("customs.li", OrgType.CUSTOMS, CUSTOMS, "LI Na 李娜"),
    DemoUser(
        "ciq.zhang",
        OrgType.CIQ,
        "Shandong Entry-Exit Inspection and Quarantine Bureau",
        "ZHANG Wei 张伟",
    ),
    DemoUser(
        "border.liu", OrgType.BORDER, "Qingdao Border Inspection General Station", "LIU Yang 刘洋"
    ),
    DemoUser("msa.chen", OrgType.MSA, "Qingdao Maritime Safety Administration", "CHEN Gang 陈刚"),
    DemoUser("qqct", OrgType.TERMINAL, "Qingdao Qianwan Container Terminal (QQCT)", "XU Bo 徐波"),
    DemoUser("dagang", OrgType.TERMINAL, "Qingdao Port Dagang Company", "GAO Feng 高峰"),
    DemoUser("qdport", OrgType.TERMINAL, "Qingdao Port Group (ore and oil)", "MA Jun 马骏"),
    DemoUser("penavico", OrgType.SHIPPING_AGENT, "Penavico Qingdao", "SUN Hui 孙慧"),
    DemoUser("sinotrans", OrgType.SHIPPING_AGENT, "Sinotrans Qingdao", "ZHOU Jie 周杰"),
    DemoUser("cosco", OrgType.SHIPPING_AGENT, "COSCO Shipping Agency Qingdao", "HU Jing 胡静"),
    DemoUser(
        "inchcape", OrgType.SHIPPING_AGENT, "Inchcape Shipping Services Qingdao", "Tom HARPER"
    ),
    DemoUser(
        "qdbroker", OrgType.CUSTOMS_BROKER, "Qingdao Jiaozhou Bay Customs Brokerage", "LIN Tao 林涛"
    ),
    # Brokers at the inland declaration offices (Jinan CNJNA, Houma CNHOM): goods declared there
    # are released at Qingdao.
    DemoUser(
        "jnbroker", OrgType.CUSTOMS_BROKER, "Jinan Quancheng Customs Brokerage", "QIN Hao 秦浩"
    ),
    DemoUser(
        "hmbroker", OrgType.CUSTOMS_BROKER, "Houma Land Port Customs Brokerage", "DUAN Li 段丽"
    ),
    DemoUser(
        "jdcargo", OrgType.TERMINAL, "Qingdao Jiaodong Airport Cargo Terminal", "SONG Yu 宋雨"
    ),
    DemoUser("sdair", OrgType.AIRLINE, "Shandong Airlines", "GUO Yan 郭燕"),
    DemoUser("costa", OrgType.CRUISE_LINE, "Costa Crociere Asia", "Marco ROSSI"),
)
AGENT_USERNAMES = tuple(u.username for u in USERS if u.org_type is OrgType.SHIPPING_AGENT)


def _terminal_of(berth: str) -> str:
    """The terminal operator's user that records a berth's instants."""
    if berth.startswith("QQCT"):
        return "qqct"
    return "dagang" if berth.startswith("DG") else "qdport"


@dataclass(frozen=True)
class ShipSpec:
    """A ship of the demo: its identity, its kind and where its crew comes from."""

    name: str
    imo_base: str  # the first six digits; the check digit is computed
    mmsi: str
    call_sign: str
    flag: str
    kind: str  # a key of SHIP_TYPES
    gross_tonnage: float
    officers: str  # nationalities the officers come from, e.g. "UA IN"
    ratings: str

    @property
    def imo(self) -> str:
        return self.imo_base + stdnum_imo.calc_check_digit(self.imo_base)


SHIP_TYPES = {
    "container": "container ship",
    "ore": "bulk carrier (ore)",
    "coal": "bulk carrier (coal)",
    "grain": "bulk carrier (grain)",
    "crude": "crude oil tanker",
    "chemical": "chemical tanker",
    "general": "general cargo ship",
    "roro": "ro-ro vehicle carrier",
    "cruise": "passenger ship (cruise)",
}
CREW_SIZE = {"container": 20, "cruise": 40, "general": 14, "chemical": 18}
BULK_CARGO = {
    "ore": "Iron ore fines",
    "coal": "Steam coal",
    "grain": "Soybeans in bulk",
    "crude": "Crude oil",
    "chemical": "Methanol",
}

# name | first six IMO digits | MMSI | call sign | flag | kind | gross tonnage | officers' and
# ratings' nationalities
SHIP_TABLE = """
EVER DIADEM         | 913427 | 351759000 | 3FOF8   | PA | container | 53359  | TW    | PH
COSCO LAOSHAN       | 938155 | 413452180 | BPLS    | CN | container | 66452  | CN    | CN
XIN JIAOZHOU        | 936214 | 477108900 | VRDJ5   | HK | container | 90645  | CN    | CN
OOCL HUANGDAO       | 941782 | 477305600 | VRGH8   | HK | container | 66571  | CN IN | PH CN
HANJIN YELLOW SEA   | 934571 | 440128000 | DSQN7   | KR | container | 40952  | KR    | PH
SITC MOJI           | 939406 | 477802300 | VRHU4   | HK | container | 9530   | CN    | CN
KMTC SHANDONG       | 933820 | 441237000 | D7MS    | KR | container | 17280  | KR    | PH
MOL PROSPERITY      | 944163 | 563018700 | 9V7631  | SG | container | 78316  | JP IN | PH
NYK CASSIOPEIA      | 942257 | 432618000 | 7JBC    | JP | container | 97825  | JP    | PH
MSC ALTAIR          | 930456 | 355812000 | 3EKZ7   | PA | container | 107849 | UA IN | PH IN
CMA CGM ELBE        | 940235 | 248716000 | 9HA2417 | MT | container | 73779  | HR UA | PH
MAERSK SEMBAWANG    | 945519 | 565312000 | 9V8842  | SG | container | 94193  | IN    | PH IN
APL BOHAI           | 936872 | 566104000 | 9V9913  | SG | container | 71787  | IN UA | PH
CSCL MANZANILLO     | 941203 | 477906100 | VRKN2   | HK | container | 90757  | CN    | CN
KOTA SERASI         | 937390 | 564227000 | 9V6518  | SG | container | 27779  | CN IN | PH
CAPE HARMONY        | 926318 | 538002741 | V7RH3   | MH | ore       | 87410  | GR UA | PH
PACIFIC IRONSTONE   | 939917 | 636014455 | A8PQ6   | LR | ore       | 93031  | CN    | CN
STAR MINERVA        | 924861 | 240671000 | SVAQ4   | GR | ore       | 88620  | GR    | PH UA
ORE JIAOZHOU        | 946582 | 229518000 | 9HB3392 | MT | ore       | 198980 | CN    | CN
OCEAN GRACE         | 935826 | 357104000 | 3FGR6   | PA | grain     | 39727  | UA    | PH
NEWCASTLE SPIRIT    | 935263 | 372946000 | 3FHN2   | PA | coal      | 40302  | IN    | IN
SEA KAILUAN         | 927349 | 414087000 | BOKL    | CN | coal      | 22835  | CN    | CN
GOLDEN BOHAI        | 932714 | 477523800 | VRCV9   | HK | coal      | 31236  | CN    | CN
DELTA POSEIDON      | 928842 | 241098000 | SVBD7   | GR | crude     | 156916 | GR    | PH
DONG HAI STAR       | 937718 | 413209870 | BOXD    | CN | crude     | 160216 | CN    | CN
HUANGDAO SPIRIT     | 943308 | 564772000 | 9V6270  | SG | crude     | 81502  | IN    | IN
NORDIC LIUTING      | 939662 | 636091234 | A8UK3   | LR | crude     | 62371  | RU UA | PH
ASIA PEARL          | 931524 | 353270000 | 3EPT5   | PA | chemical  | 8539   | KR    | PH
HAI YANG 8          | 918673 | 412374520 | BPHY    | CN | general   | 12544  | CN    | CN
SHIN YO MARU        | 929107 | 431602154 | JD2671  | JP | general   | 4998   | JP    | JP PH
ORIENT AUTO EXPRESS | 947138 | 372018000 | 3ENR4   | PA | roro      | 58767  | KR    | PH
COSTA ORIENTE       | 920547 | 247293100 | IBOR    | IT | cruise    | 53049  | IT    | PH IN
"""


def _ships(table: str) -> tuple[ShipSpec, ...]:
    """The ships of a table like SHIP_TABLE."""
    rows = [[cell.strip() for cell in line.split("|")] for line in table.strip().splitlines()]
    return tuple(
        ShipSpec(name, imo, mmsi, sign, flag, kind, float(gt), officers, ratings)
        for name, imo, mmsi, sign, flag, kind, gt, officers, ratings in rows
    )


SHIPS = _ships(SHIP_TABLE)
SHIP_BY_NAME = {ship.name: ship for ship in SHIPS}

# Per nationality: family names, men's and women's given names, passport number pattern
# ("#" a digit, "@" a letter), as comma-separated lists.
PEOPLE: dict[str, tuple[str, str, str, str]] = {
    "CN": (
        "WANG,LI,ZHANG,LIU,CHEN,YANG,ZHAO,HUANG,ZHOU,WU,XU,SUN,MA,ZHU,HU,GUO,LIN,GAO,LUO,SONG",
        "Jianguo,Wei,Hao,Lei,Yong,Jun,Qiang,Ming,Tao,Bin,Gang,Peng,Haitao,Zhiqiang,Xiaodong",
        "Fang,Jing,Li,Na,Xiaoyan,Hong,Yan,Min,Lijuan,Xue",
        "G########",
    ),
    "TW": (
        "CHEN,LIN,HUANG,CHANG,LEE,WANG,WU,LIU,TSAI,YANG",
        "Chih-Ming,Wen-Hsiung,Chun-Hung,Kuo-Hua,Chien-Hung,Tsung-Han",
        "Yu-Ting,Shu-Fen,Mei-Ling,Hsiu-Ying",
        "3########",
    ),
    "PH": (
        "SANTOS,REYES,CRUZ,BAUTISTA,OCAMPO,GARCIA,MENDOZA,TORRES,DELA CRUZ,AQUINO,RAMOS",
        "Mark Anthony,Jose,Juan Miguel,Rodel,Jomar,Ronaldo,Arnel,Jerome,Rey,Edgardo,Noel",
        "Maria Cristina,Jocelyn,Rowena,Analyn,Mary Grace",
        "EB#######",
    ),
    "KR": (
        "KIM,LEE,PARK,CHOI,JUNG,KANG,CHO,YOON,JANG,LIM,HAN,SHIN",
        "Minho,Jihoon,Sungmin,Dongwook,Youngsoo,Jaehyun,Seojun,Hyunwoo,Sangwoo",
        "Minji,Soyeon,Jiyoung,Eunji,Hyejin,Sujin",
        "M########",
    ),
    "JP": (
        "SATO,SUZUKI,TAKAHASHI,TANAKA,WATANABE,ITO,YAMAMOTO,NAKAMURA,KOBAYASHI,KATO",
        "Hiroshi,Takashi,Kenji,Daisuke,Akira,Shota,Kazuo,Makoto",
        "Yuki,Haruka,Yumiko,Naoko,Keiko,Aya",
        "TK#######",
    ),
    "UA": (
        "KOVALENKO,SHEVCHENKO,BONDARENKO,TKACHENKO,KRAVCHENKO,OLIINYK,MELNYK,BOIKO",
        "Andriy,Oleksandr,Serhiy,Dmytro,Volodymyr,Mykola,Ihor,Yuriy",
        "Olena,Iryna,Natalia,Oksana",
        "EK######",
    ),
    "IN": (
        "SHARMA,SINGH,KUMAR,NAIR,PATEL,IYER,MENON,DAS,FERNANDES,PILLAI",
        "Rajesh,Amit,Sanjay,Vikram,Arun,Pradeep,Suresh,Anil,Joseph",
        "Priya,Anita,Deepa,Sunita",
        "@#######",
    ),
    "GR": (
        "PAPADOPOULOS,GEORGIOU,NIKOLAOU,IOANNOU,KONSTANTINOU,VLACHOS",
        "Georgios,Dimitrios,Konstantinos,Nikolaos,Ioannis,Panagiotis",
        "Maria,Eleni,Katerina,Sofia",
        "AE#######",
    ),
    "HR": (
        "HORVAT,KOVACIC,BABIC,MARIC,JURIC,NOVAK",
        "Ivan,Marko,Tomislav,Ante,Josip",
        "Ana,Marija,Ivana",
        "#########",
    ),
    "RU": (
        "IVANOV,SMIRNOV,KUZNETSOV,POPOV,VOLKOV,SOKOLOV",
        "Sergei,Alexei,Dmitry,Andrei,Nikolai",
        "Olga,Tatiana,Elena",
        "72#######",
    ),
    "IT": (
        "ROSSI,RUSSO,FERRARI,ESPOSITO,BIANCHI,ROMANO,COLOMBO,RICCI",
        "Marco,Luca,Giuseppe,Andrea,Paolo,Francesco",
        "Giulia,Chiara,Francesca,Elena",
        "YA#######",
    ),
    "US": (
        "SMITH,JOHNSON,WILLIAMS,BROWN,MILLER,DAVIS",
        "James,Robert,Michael,David",
        "Mary,Linda,Susan,Karen",
        "#########",
    ),
    "DE": (
        "MUELLER,SCHMIDT,SCHNEIDER,FISCHER,WEBER",
        "Thomas,Michael,Andreas,Stefan",
        "Sabine,Petra,Claudia,Monika",
        "C@@######",
    ),
    "AU": (
        "SMITH,JONES,WILLIAMS,TAYLOR,WILSON",
        "Peter,John,David,Mark",
        "Jennifer,Karen,Michelle,Susan",
        "N#######",
    ),
}
OFFICER_RANKS = (
    "Master",
    "Chief Officer",
    "Second Officer",
    "Third Officer",
    "Chief Engineer",
    "Second Engineer",
    "Third Engineer",
    "Electrician",
)
RATING_RANKS = (
    "Bosun",
    "Able Seaman",
    "Able Seaman",
    "Ordinary Seaman",
    "Oiler",
    "Oiler",
    "Fitter",
    "Chief Cook",
    "Messman",
    "Able Seaman",
    "Wiper",
    "Steward",
)
# A cruise passenger list: Korean and Japanese travellers were over 90% of the foreigners.
CRUISE_PASSENGERS = (("KR", 22), ("JP", 14), ("CN", 8), ("US", 2), ("DE", 2), ("AU", 2))

# Container cargo: description, tonnes per TEU, packages per TEU.
IMPORTS = (
    ("Machinery and parts", 11.5, 24),
    ("Electronic components", 6.25, 160),
    ("Plastic resin in bags", 19.75, 790),
    ("Paper pulp in bales", 18.5, 16),
    ("Frozen fish (reefer)", 21.0, 1050),
    ("Auto parts", 9.25, 48),
)
EXPORTS = (
    ("Tyres", 8.5, 460),
    ("Garments", 4.75, 620),
    ("Furniture", 6.5, 120),
    ("Household appliances", 5.25, 180),
    ("Frozen seafood (reefer)", 20.5, 1000),
    ("Steel products", 23.75, 12),
)
# Dangerous goods a container ship commonly carries: UN number, class, name, packing group.
COMMON_DG = (
    ("UN1263", "3", "PAINT", "II"),
    ("UN1760", "8", "CORROSIVE LIQUID, N.O.S.", "II"),
    ("UN3082", "9", "ENVIRONMENTALLY HAZARDOUS SUBSTANCE, LIQUID, N.O.S.", "III"),
    ("UN1950", "2.1", "AEROSOLS", None),
    ("UN1993", "3", "FLAMMABLE LIQUID, N.O.S.", "III"),
)
RADIOACTIVE = ("UN2915", "7", "RADIOACTIVE MATERIAL, TYPE A PACKAGE", None)
CARTRIDGES = ("UN0012", "1.4", "CARTRIDGES FOR WEAPONS, INERT PROJECTILE", None)
FIREWORKS = ("UN0336", "1.4", "FIREWORKS", None)
ILL_NOTE = "One able seaman with fever (38.4 °C), cough and sore throat for two days; isolated"
BULK_DG = {
    "crude": ("UN1267", "3", "PETROLEUM CRUDE OIL", "I"),
    "chemical": ("UN1230", "3", "METHANOL", "II"),
}


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
    departure), crew_change (border refers the departure); passengers fill the cruise's FAL 6.
    """

    ship: str
    agent: str
    berth: str
    last_ports: tuple[str, ...]
    next_port: str
    ata: float = 0.0
    left_today: float | None = None
    lead: float = 40.0  # filed this long before the ETA
    anchor: float = 0.0  # waiting at anchor for the berth
    working: float = 16.0
    departs: bool = True  # the agent files the departure while the ship works
    twists: frozenset[str] = frozenset()
    decisions: tuple[Decide, ...] = ()
    # Phases whose reviews the rules refer and no officer has decided yet: the permit waits.
    waiting: frozenset[Phase] = frozenset()
    amend_after: float | None = None  # hours after filing the agent amends the arrival


def _twists(*names: str) -> frozenset[str]:
    return frozenset(names)


ENTRY = frozenset({Phase.ENTRY})
DEPARTURE = frozenset({Phase.DEPARTURE})
LOST_PASSPORT_CREW_INDEX = 2  # the second officer of a lost_passport ship

# fmt: off
VISITS: tuple[Visit, ...] = (
    # Departed earlier in the week.
    Visit("COSCO LAOSHAN", "penavico", "QQCT-01", ("CNSHA", "CNNGB", "HKHKG"), "KRPUS",
          ata=-158, lead=48, working=20),
    Visit("SITC MOJI", "sinotrans", "QQCTU-02", ("KRPUS", "JPMOJ", "JPHKT"), "KRINC",
          ata=-150, lead=30, working=9),
    Visit("CAPE HARMONY", "inchcape", "QWORE-01", ("AUPHE",), "AUPHE",
          ata=-146, lead=72, anchor=14, working=46),
    Visit("NEWCASTLE SPIRIT", "inchcape", "DG-03", ("AUNTL",), "AUNTL",
          ata=-136, lead=60, anchor=6, working=38),
    Visit("DELTA POSEIDON", "sinotrans", "HDOIL-01", ("OMSOH", "AEFJR"), "SGSIN",
          ata=-122, lead=72, anchor=5, working=30),
    Visit("HANJIN YELLOW SEA", "cosco", "QQCT-03", ("KRKAN", "KRPUS"), "CNSHA",
          ata=-110, lead=36, twists=_twists("cargo_mismatch"), decisions=(
              Decide(Agency.CUSTOMS, Phase.ENTRY, "customs.li", Decision.APPROVE,
                     "Packages re-counted against the manifest with the agent: the total was "
                     "right, one bill of lading was missing from the items; corrected copy filed",
                     "ALL_FAST", 0.8),)),
    Visit("ORIENT AUTO EXPRESS", "penavico", "DG-01", ("KRUSN",), "JPNGO",
          ata=-97, lead=30, working=12),
    Visit("CMA CGM ELBE", "inchcape", "QQCTU-01", ("SGSIN", "VNVUT", "HKHKG"), "KRPUS",
          ata=-84, lead=44, anchor=1, working=22, twists=_twists("ill"), decisions=(
              Decide(Agency.CIQ, Phase.ENTRY, "ciq.zhang", Decision.APPROVE,
                     "Boarding quarantine at the anchorage: the ill able seaman has a common "
                     "cold (38.1 °C, influenza A test negative); free pratique granted",
                     "ATA", 1.0),)),
    Visit("KMTC SHANDONG", "cosco", "QQCT-02", ("KRINC",), "KRINC",
          ata=-74, lead=28, working=10, twists=_twists("cartridges"), decisions=(
              Decide(Agency.MSA, Phase.ENTRY, "msa.chen", Decision.APPROVE,
                     "Class 1.4 cartridges in one 20' container, stowed on deck away from the "
                     "accommodation; transit only, no special berth needed", "filed", 3.0),)),
    # Departed today, Shanghai time; OOCL HUANGDAO waited for its departure permit.
    Visit("XIN JIAOZHOU", "penavico", "QQCT-04", ("SGSIN", "HKHKG", "CNXMN"), "KRPUS",
          left_today=0.2, lead=40, working=18),
    Visit("STAR MINERVA", "inchcape", "QWORE-01", ("BRVIX",), "BRVIX",
          left_today=0.45, lead=72, anchor=12, working=44),
    Visit("DONG HAI STAR", "sinotrans", "HDOIL-02", ("IRBND", "SGSIN"), "SGSIN",
          left_today=0.6, lead=60, anchor=3, working=26),
    Visit("OOCL HUANGDAO", "cosco", "QQCTU-03", ("JPTYO", "JPOSA", "KRPUS"), "CNSHA",
          left_today=0.85, lead=40, working=16, twists=_twists("export_mismatch"), decisions=(
              Decide(Agency.CUSTOMS, Phase.DEPARTURE, "customs.wang", Decision.APPROVE,
                     "Export manifest checked: 24 TEU of empties were declared but left off the "
                     "item list; the agent files the corrected list after sailing",
                     "OPS_COMPLETE", 1.5),)),
    # Operations complete, waiting for the departure permit.
    Visit("MOL PROSPERITY", "sinotrans", "QQCT-05", ("JPYOK", "JPNGO", "CNSHA"), "SGSIN",
          ata=-22, lead=44, working=19, twists=_twists("fireworks"), waiting=DEPARTURE),
    Visit("SEA KAILUAN", "penavico", "DG-04", ("IDBPN",), "IDBPN",
          ata=-40, lead=50, anchor=8, working=28, twists=_twists("crew_change"), waiting=DEPARTURE),
    # Working.
    Visit("MSC ALTAIR", "inchcape", "QQCT-06", ("SGSIN", "CNYTN", "CNNGB"), "KRPUS",
          ata=-8, lead=40, working=20),
    Visit("PACIFIC IRONSTONE", "cosco", "QWORE-02", ("BRVIX",), "AUPHE",
          ata=-50, lead=72, anchor=16, working=40),
    Visit("HUANGDAO SPIRIT", "sinotrans", "HDOIL-03", ("AEFJR", "SGSIN"), "SGSIN",
          ata=-14, lead=60, anchor=2, working=24, departs=False),
    Visit("HAI YANG 8", "penavico", "DG-02", ("KRINC",), "JPOSA",
          ata=-12, lead=30, working=30, departs=False),
    # Alongside, about to start.
    Visit("NYK CASSIOPEIA", "penavico", "QQCT-01", ("JPTYO", "JPNGO", "KRPUS"), "CNSHA",
          ata=-2.2, lead=40, anchor=0.5, working=18, departs=False),
    Visit("GOLDEN BOHAI", "cosco", "DG-03", ("IDSUB",), "IDSUB",
          ata=-9, lead=48, anchor=7.1, working=30, departs=False),
    # At anchor.
    Visit("ORE JIAOZHOU", "penavico", "QWORE-01", ("BRVIX",), "BRVIX",
          ata=-5, lead=72, anchor=20, working=50),
    Visit("NORDIC LIUTING", "inchcape", "HDOIL-01", ("RUVVO",), "RUVVO",
          ata=-3, lead=48, anchor=9, working=20),
    # Cleared, expected within 48 hours; SHIN YO MARU was rejected once and amended.
    Visit("EVER DIADEM", "sinotrans", "QQCT-02", ("KRPUS", "CNSHA", "HKHKG", "SGSIN"), "JPTYO",
          ata=14, lead=40, working=20),
    Visit("COSTA ORIENTE", "penavico", "DGCRU-01", ("KRPUS", "JPNGS", "CNSHA"), "CNTXG",
          ata=20, lead=60, working=9, twists=_twists("passengers")),
    Visit("SITC MOJI", "sinotrans", "QQCTU-02", ("KRPUS", "JPMOJ", "JPHKT"), "KRINC",
          ata=18, lead=30, working=9),
    Visit("SHIN YO MARU", "cosco", "DG-01", ("JPSMZ",), "JPSMZ",
          ata=36, lead=44, working=12, twists=_twists("cargo_mismatch"), amend_after=3.5,
          decisions=(
              Decide(Agency.CUSTOMS, Phase.ENTRY, "customs.li", Decision.REJECT,
                     "FAL 2 totals do not match the items: correct cargo.total_packages and "
                     "amend the filing", "filed", 2.0),)),
    Visit("APL BOHAI", "inchcape", "QQCTU-01", ("SGSIN", "CNSHK", "CNXMN"), "KRPUS",
          ata=10, lead=11, working=18),
    # Filed, waiting for the officers.
    Visit("CSCL MANZANILLO", "cosco", "QQCT-03", ("MXZLO", "USLGB"), "CNSHA",
          ata=16, lead=44, twists=_twists("ill"), waiting=ENTRY),
    Visit("MAERSK SEMBAWANG", "inchcape", "QQCT-04", ("SGSIN", "MYPKG", "VNVUT"), "KRPUS",
          ata=30, lead=44, twists=_twists("cargo_mismatch"), waiting=ENTRY),
    Visit("KOTA SERASI", "sinotrans", "QQCTU-03", ("JPHIJ", "JPOSA"), "KRPUS",
          ata=26, lead=44, twists=_twists("radioactive"), waiting=ENTRY),
    Visit("OCEAN GRACE", "cosco", "DG-02", ("BRSSZ",), "BRSSZ",
          ata=22, lead=48, working=40, twists=_twists("lost_passport", "cargo_mismatch"),
          waiting=ENTRY),
    # Rejected: the ship sanitation certificate expired before arrival.
    Visit("ASIA PEARL", "inchcape", "HDOIL-02", ("KRUSN",), "KRUSN",
          ata=44, lead=50, twists=_twists("sanitation_expired"), decisions=(
              Decide(Agency.CIQ, Phase.ENTRY, "ciq.zhang", Decision.REJECT,
                     "Ship sanitation certificate expired before arrival: renew it (SSCC or "
                     "SSCEC) at the last port or request one here, then amend the filing",
                     "filed", 2.5),)),
)
# fmt: on


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


def _later(moment: datetime | None, hours: float) -> datetime | None:
    return None if moment is None else moment + _hours(hours)


def _latest(moments: list[datetime | None]) -> datetime | None:
    """The last of the instants, or None when one of them has not happened (an open review)."""
    return None if None in moments else max(m for m in moments if m is not None)


@dataclass(frozen=True)
class Times:
    """When each thing happens in one call: the filing, the officers, the timeline."""

    eta: datetime
    etd: datetime
    marks: dict[str, datetime | None]
    decisions: tuple[tuple[Decide, datetime | None], ...]

    def event(self, event: TimelineEvent) -> datetime | None:
        return self.marks[event.value]


def _permit(
    visit: Visit, phase: Phase, earliest: datetime | None, marks: dict[str, Any]
) -> datetime | None:
    """When the phase's permit is issued: at the last decision, never while a review waits."""
    if phase in visit.waiting:
        return None
    decided = [_later(marks[d.milestone], d.hours) for d in visit.decisions if d.phase is phase]
    return _latest([earliest, *decided])


def times_of(visit: Visit, ata: datetime) -> Times:
    """Every instant of the call from its ATA: a permit waits for the last officer, operations
    for the entry permit, the ship for its departure permit."""
    eta = ata - timedelta(minutes=20)
    marks: dict[str, datetime | None] = {"filed": eta - _hours(visit.lead), "ATA": ata}
    all_fast = ata + _hours(visit.anchor + PILOTAGE_HOURS)
    marks["ALL_FAST"] = all_fast
    entry_permit = _permit(visit, Phase.ENTRY, marks["filed"], marks)
    if entry_permit is not None:
        marks["OPS_START"] = max(
            entry_permit + _hours(PERMIT_TO_WORK_HOURS), all_fast + _hours(PREPARATION_HOURS)
        )
    else:
        marks["OPS_START"] = None
    marks["departure_filed"] = (
        _later(marks["OPS_START"], DEPARTURE_FILED_HOURS) if visit.departs else None
    )
    marks["OPS_COMPLETE"] = _later(marks["OPS_START"], visit.working)
    departure_permit = (
        _permit(visit, Phase.DEPARTURE, marks["OPS_COMPLETE"], marks) if visit.departs else None
    )
    marks["ATD"] = _later(departure_permit, UNMOORING_HOURS)
    decisions = tuple((d, _later(marks[d.milestone], d.hours)) for d in visit.decisions)
    stay = PILOTAGE_HOURS + PREPARATION_HOURS + visit.working + UNMOORING_HOURS
    etd = eta + _hours(visit.anchor + stay + ETD_MARGIN_HOURS)
    return Times(eta, etd, marks, decisions)


def _timed(visit: Visit, now: datetime) -> Times:
    """The call's times, placing a ship that left today within today so far (Shanghai time)."""
    if visit.left_today is None:
        return times_of(visit, now + _hours(visit.ata))
    local = now.astimezone(ZoneInfo(PORT_TIME_ZONE))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    target = midnight + (local - midnight) * visit.left_today
    draft = times_of(visit, now)
    atd = draft.event(TimelineEvent.ATD)
    assert atd is not None, f"{visit.ship} left today but never gets its departure permit"
    return times_of(visit, now + (target - atd))


def _number(rng: Random, pattern: str) -> str:
    """A document number of the pattern ("#" a digit, "@" a letter)."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return "".join(
        str(rng.randrange(10)) if c == "#" else rng.choice(letters) if c == "@" else c
        for c in pattern
    )


def _person(
    rng: Random, nationality: str, today: date, age: tuple[int, int], woman: bool
) -> dict[str, Any]:
    families, men, women, pattern = PEOPLE[nationality]
    born = date(today.year - rng.randint(*age), rng.randint(1, 12), rng.randint(1, 28))
    return {
        "family_name": rng.choice(families.split(",")),
        "given_names": rng.choice((women if woman else men).split(",")),
        "nationality": nationality,
        "date_of_birth": born.isoformat(),
        "sex": "F" if woman else "M",
        "document": {
            "type": "P",
            "number": _number(rng, pattern),
            "issuing_state": nationality,
            "expiry": (today + timedelta(days=rng.randint(400, 3400))).isoformat(),
        },
    }


def _age(rank: str) -> tuple[int, int]:
    """The range of ages a seafarer of this rank is likely to have."""
    if rank in ("Master", "Chief Engineer"):
        return 45, 62
    return (25, 50) if rank in OFFICER_RANKS else (20, 55)


def crew_of(ship: ShipSpec, today: date, size: int | None = None) -> list[dict[str, Any]]:
    """FAL 5: the ship's crew, the same on every call (seeded by the ship), no name twice."""
    rng = Random(f"{SEED}:{ship.imo}")
    count = size or CREW_SIZE.get(ship.kind, 22)
    ratings = (RATING_RANKS[n % len(RATING_RANKS)] for n in range(count - len(OFFICER_RANKS)))
    crew: list[dict[str, Any]] = []
    names: set[tuple[str, str]] = set()
    for rank in (*OFFICER_RANKS, *ratings):
        pool = (ship.officers if rank in OFFICER_RANKS else ship.ratings).split()
        person = _person(rng, rng.choice(pool), today, _age(rank), False)
        while (person["family_name"], person["given_names"]) in names:
            person = _person(rng, person["nationality"], today, _age(rank), False)
        names.add((person["family_name"], person["given_names"]))
        crew.append({**person, "rank": rank})
    return crew


def _passengers(rng: Random, today: date) -> list[dict[str, Any]]:
    """FAL 6 of the cruise call: about fifty passengers who embarked at Shanghai or Busan."""
    out = []
    for nationality, count in CRUISE_PASSENGERS:
        for _ in range(count):
            person = _person(rng, nationality, today, (6, 78), rng.random() < 0.5)
            embarked = "KRPUS" if nationality == "KR" and rng.random() < 0.5 else "CNSHA"
            out.append({**person, "port_of_embarkation": embarked})
    return out


def _crew_change(ship: ShipSpec, today: date) -> list[dict[str, Any]]:
    """The departure's crew: two ratings sign off, two relievers sign on at Qingdao."""
    crew = crew_of(ship, today)
    relievers = crew_of(ship, today, len(crew) + 2)[-2:]
    return crew[:-2] + relievers


def _item(description: str, tonnes: float, packages: int, teu: int, bl: str) -> dict[str, Any]:
    return {
        "description": description,
        "packages": packages,
        "gross_tonnes": tonnes,
        "teu": teu,
        "bill_of_lading": bl,
    }


def _totals(items: list[dict[str, Any]], **off: float) -> dict[str, Any]:
    """FAL 2 whose totals add up, or are off by `off` (total_packages=12, ...)."""
    return {
        "items": items,
        "total_packages": sum(i["packages"] for i in items) + int(off.get("total_packages", 0)),
        "total_gross_tonnes": sum(i["gross_tonnes"] for i in items)
        + off.get("total_gross_tonnes", 0.0),
        "total_teu": sum(i["teu"] for i in items) + int(off.get("total_teu", 0)),
    }


def _misdeclared(rng: Random, items: list[dict[str, Any]]) -> dict[str, float]:
    """A total that does not add up: the packages where there are any, else the tonnes (bulk)."""
    if any(i["packages"] for i in items):
        return {"total_packages": rng.randint(6, 40)}
    return {"total_gross_tonnes": rng.randint(2, 30) * 50.0}


def _containers(
    rng: Random, ship: ShipSpec, pool: tuple[tuple[str, float, int], ...]
) -> list[dict[str, Any]]:
    capacity = int(ship.gross_tonnage / 11)
    items = []
    for description, per_teu, packages in rng.sample(pool, 3):
        teu = rng.randint(capacity // 40 + 5, capacity // 12 + 10)
        bl = f"{ship.name[:4].replace(' ', '')}{rng.randrange(10**9, 10**10)}"
        items.append(_item(description, teu * per_teu, teu * packages, teu, bl))
    return items


def _cargo_in(rng: Random, ship: ShipSpec) -> list[dict[str, Any]]:
    """What the ship discharges at Qingdao."""
    if ship.kind == "container":
        return _containers(rng, ship, IMPORTS)
    if ship.kind in BULK_CARGO:
        tonnes = round(ship.gross_tonnage * rng.uniform(1.5, 1.85), -1)
        return [_item(BULK_CARGO[ship.kind], tonnes, 0, 0, f"BL{rng.randrange(10**6, 10**7)}")]
    if ship.kind == "roro":
        units = int(ship.gross_tonnage / 30)
        return [_item("New cars", units * 1.25, units, 0, f"RR{rng.randrange(10**6, 10**7)}")]
    if ship.kind == "general":
        coils = rng.randint(180, 420)
        return [_item("Steel coils", coils * 20.5, coils, 0, f"GC{rng.randrange(10**6, 10**7)}")]
    return []


def _cargo_out(rng: Random, ship: ShipSpec) -> list[dict[str, Any]]:
    """What the ship loads; bulk carriers and tankers leave in ballast."""
    if ship.kind == "container":
        return _containers(rng, ship, EXPORTS)
    if ship.kind == "general":
        units = rng.randint(20, 60)
        return [_item("Excavators", units * 21.5, units, 0, f"GC{rng.randrange(10**6, 10**7)}")]
    return []


def _good(entry: tuple[str, str, str, str | None], kg: float) -> dict[str, Any]:
    """FAL 7: one entry of dangerous goods."""
    un_number, imdg_class, name, packing_group = entry
    return {
        "un_number": un_number,
        "imdg_class": imdg_class,
        "proper_shipping_name": name,
        "quantity_kg": kg,
        "packing_group": packing_group,
    }


def _goods_in(
    rng: Random, ship: ShipSpec, twists: frozenset[str], tonnes: float
) -> list[dict[str, Any]]:
    """FAL 7 on arrival: a container ship's usual few, a tanker's cargo, and the twists'."""
    goods = []
    if ship.kind == "container":
        goods = [_good(e, rng.randint(2, 40) * 500.0) for e in rng.sample(COMMON_DG, 2)]
    if ship.kind in BULK_DG:
        goods = [_good(BULK_DG[ship.kind], tonnes * 1000)]
    if "radioactive" in twists:
        goods.append(_good(RADIOACTIVE, 340.0))
    if "cartridges" in twists:
        goods.append(_good(CARTRIDGES, 1200.0))
    return goods


def _health(rng: Random, eta: datetime, twists: frozenset[str]) -> dict[str, Any]:
    """The Maritime Declaration of Health: a valid certificate and nobody ill, unless twisted."""
    arrival_day = eta.astimezone(ZoneInfo(PORT_TIME_ZONE)).date()
    expiry = arrival_day + timedelta(days=rng.randint(20, 170))
    health: dict[str, Any] = {"sanitation_certificate_expiry": expiry.isoformat()}
    if "sanitation_expired" in twists:
        health["sanitation_certificate_expiry"] = (arrival_day - timedelta(days=12)).isoformat()
    if "ill" in twists:
        health["ill_persons"] = 1
        health["notes"] = ILL_NOTE
    return health


def _arrival(visit: Visit, ship: ShipSpec, times: Times, rng: Random) -> dict[str, Any]:
    """The arrival notice the agent files (FAL 1, 2, 5, 6, 7 and the health declaration)."""
    today = times.eta.date()
    crew = crew_of(ship, today)
    items = _cargo_in(rng, ship)
    twists = visit.twists
    off = _misdeclared(rng, items) if "cargo_mismatch" in twists else {}
    tonnes = sum(i["gross_tonnes"] for i in items)
    return {
        "ship": {
            "imo": ship.imo,
            "mmsi": ship.mmsi,
            "name": ship.name,
            "call_sign": ship.call_sign,
            "flag": ship.flag,
            "gross_tonnage": ship.gross_tonnage,
            "ship_type": SHIP_TYPES[ship.kind],
        },
        "voyage": f"{rng.randint(1, 99):03d}{rng.choice('NESW')}",
        "port": PORT,
        "berth": visit.berth,
        "eta": times.eta.isoformat(),
        "etd": times.etd.isoformat(),
        "last_ports": list(visit.last_ports),
        "general_declaration": {
            "master_name": f"{crew[0]['family_name']} {crew[0]['given_names']}",
            "next_port": visit.next_port,
            "cargo_brief": ", ".join(i["description"] for i in items) or "passengers",
        },
        "cargo": _totals(items, **off),
        "crew": crew,
        "passengers": _passengers(rng, today) if "passengers" in twists else [],
        "dangerous_goods": _goods_in(rng, ship, twists, tonnes),
        "health": _health(rng, times.eta, twists),
        "security_level": 1,
    }


def _departure(visit: Visit, ship: ShipSpec, times: Times, rng: Random) -> dict[str, Any]:
    """The departure the agent files while the ship works."""
    items = _cargo_out(rng, ship)
    off = {"total_teu": 24} if "export_mismatch" in visit.twists else {}
    goods = [_good(FIREWORKS, 8600.0)] if "fireworks" in visit.twists else []
    complete = times.event(TimelineEvent.OPS_COMPLETE) or times.etd
    return {
        "etd": (complete + _hours(UNMOORING_HOURS)).isoformat(),
        "next_port": visit.next_port,
        "crew": _crew_change(ship, times.eta.date()) if "crew_change" in visit.twists else None,
        "cargo": _totals(items, **off),
        "dangerous_goods": goods,
    }


# People the border watches who are aboard no ship of the demo.
OTHERS_WATCHED: tuple[dict[str, str], ...] = (
    {"family_name": "PETRENKO", "given_names": "Oleh", "date_of_birth": "1975-04-02"},
    {"document_number": "EB4417730", "issuing_state": "PH", "reason": "passport reported stolen"},
)


def _watch_list(today: date) -> list[dict[str, Any]]:
    """The border watch list: the lost passport of each lost_passport ship's crew member."""
    lost = [
        crew_of(SHIP_BY_NAME[v.ship], today)[LOST_PASSPORT_CREW_INDEX]["document"]
        for v in VISITS
        if "lost_passport" in v.twists
    ]
    return [
        {
            "document_number": document["number"],
            "issuing_state": document["issuing_state"],
            "reason": "passport reported lost by the issuing state",
        }
        for document in lost
    ] + [dict(entry) for entry in OTHERS_WATCHED]


class Clock:
    """The demo's own clock: each step runs at the instant it happened."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(order=True)
class Step:
    """Something someone does at an instant; steps at the same instant keep their order."""

    at: datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


class Play:
    """The demo's past: steps at their instants, run in order on the demo's clock. A step may
    schedule later ones (an officer's decision once a declaration's lane is known)."""

    def __init__(self, ctx: ServiceContext, now: datetime) -> None:
        self.now = now  # the end of the play: nothing later happens
        self.clock = Clock(now)
        self.ctx = ServiceContext(ctx.engine, ctx.settings, ctx.wiring, self.clock)
        self.steps: list[Step] = []  # a heap, earliest first
        self.actors: dict[str, Actor] = {}
        self._seq = itertools.count()
        self._running = False

    def at(self, moment: datetime | None, run: Callable[[], None]) -> None:
        """Schedule `run` at `moment` if it has happened by now."""
        if moment is not None and moment <= self.now:
            assert not self._running or moment >= self.clock.now, "a step in the past"
            # In UTC, as the real clock gives: the audit log hashes the instant as it is stored.
            moment = moment.astimezone(UTC)
            heapq.heappush(self.steps, Step(moment, next(self._seq), run))

    def actor(self, username: str) -> Actor:
        if username not in self.actors:
            self.actors[username] = users.actor_for(self.ctx, users.find_user(self.ctx, username))
        return self.actors[username]

    def begins(self) -> datetime:
        return min(step.at for step in self.steps)

    def run(self, tick: Ticker) -> None:
        self._running = True
        while self.steps:
            step = heapq.heappop(self.steps)
            self.clock.now = step.at
            step.run()
            tick(pending=len(self.steps))
        self._running = False


class Call:
    """One port call as the play goes on: who files, decides and records it, and its reviews."""

    def __init__(self, play: Play, visit: Visit, times: Times, rng: Random) -> None:
        ship = SHIP_BY_NAME[visit.ship]
        self.play, self.visit = play, visit
        self.arrival = _arrival(visit, ship, times, rng)
        self.amended = {**self.arrival, "cargo": _totals(self.arrival["cargo"]["items"])}
        self.departure = _departure(visit, ship, times, rng)
        self.id = 0
        self.reviews: dict[tuple[str, str], int] = {}

    def _remember(self, view: dict[str, Any]) -> None:
        self.id = view["id"]
        self.reviews = {(r["phase"], r["agency"]): r["id"] for r in view["reviews"]}

    def file(self) -> None:
        notice = ArrivalNotice.model_validate(self.arrival)
        _, view = portcalls.file_arrival(self.play.ctx, self.play.actor(self.visit.agent), notice)
        self._remember(view)

    def amend(self) -> None:
        notice = ArrivalNotice.model_validate(self.amended)
        agent = self.play.actor(self.visit.agent)
        self._remember(portcalls.amend_arrival(self.play.ctx, agent, self.id, notice))

    def depart(self) -> None:
        notice = DepartureNotice.model_validate(self.departure)
        agent = self.play.actor(self.visit.agent)
        _, view = portcalls.file_departure(self.play.ctx, agent, self.id, notice)
        self._remember(view)

    def decide(self, decide: Decide) -> None:
        review_id = self.reviews[(decide.phase.value, decide.agency.value)]
        officer = self.play.actor(decide.officer)
        reviews.decide(self.play.ctx, officer, review_id, decide.decision, decide.reason)

    def record(self, event: TimelineEvent) -> None:
        # The ship's AIS brings it in; the terminal reports the rest.
        if event is TimelineEvent.ATA:
            actor, source = SYSTEM, "AIS"
        else:
            actor, source = self.play.actor(_terminal_of(self.visit.berth)), "terminal"
        portcalls.record_event(self.play.ctx, actor, self.id, event, self.play.clock(), source)


def _stage(play: Play, visit: Visit, index: int) -> None:
    """Schedule everything that has happened to one call by now."""
    times = _timed(visit, play.now)
    call = Call(play, visit, times, Random(SEED * 1000 + index))
    play.at(times.marks["filed"], call.file)
    for decide, moment in times.decisions:
        play.at(moment, partial(call.decide, decide))
    if visit.amend_after is not None:
        play.at(_later(times.marks["filed"], visit.amend_after), call.amend)
    for event in TimelineEvent:
        play.at(times.event(event), partial(call.record, event))
    play.at(times.marks["departure_filed"], call.depart)


def _publish_watch_list(ctx: ServiceContext, officer: Actor) -> None:
    """Border inspection adds the demo's people to its watch list, a new version of its rules."""
    with ctx.uow(officer, write=False) as uow:
        current = active_rule_sets(uow.session, ctx.cache)[("port_call", Agency.BORDER)]
        assert isinstance(current, RuleSet)
        today = uow.now.date()
    watched = list(current.params.get("watch_list", []))
    watched += [entry for entry in _watch_list(today) if entry not in watched]
    rulesets.publish(ctx, officer, Agency.BORDER, {"watch_list": watched})


def _missing_users(ctx: ServiceContext) -> list[DemoUser]:
    """The demo users not yet created; a demo username taken in another organisation is refused."""
    with ctx.uow(SYSTEM, write=False) as uow:
        rows = uow.session.execute(
            select(User.username, Organisation.name)
            .join(Organisation, Organisation.id == User.org_id)
            .where(User.username.in_([u.username for u in USERS]))
        ).all()
    taken = {row.username: row.name for row in rows}
    for user in USERS:
        if user.username in taken and taken[user.username] != user.org_name:
            raise ValidationFailed.one(
                "username",
                user.username,
                f"free for the demo's '{user.org_name}' (it is a user of '{taken[user.username]}')",
            )
    return [u for u in USERS if u.username not in taken]


def _has_traffic(ctx: ServiceContext) -> bool:
    """Whether the demo's agents have filed anything: the week has been played already."""
    with ctx.uow(SYSTEM, write=False) as uow:
        found = uow.session.scalar(
            select(PortCall.id)
            .join(User, User.id == PortCall.filed_by)
            .where(User.username.in_(AGENT_USERNAMES))
            .limit(1)
        )
    return found is not None


class Ticker:
    """Moves the progress bar; the play tells what is still pending, as its steps add steps."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.done = 0
        if progress is not None:
            self.task = progress.add_task("Building the demo port of Qingdao", total=total)

    def __call__(self, pending: int | None = None) -> None:
        self.done += 1
        if self.progress is not None:
            total = None if pending is None else self.done + pending
            self.progress.update(self.task, completed=self.done, total=total)


def _plan(ctx: ServiceContext) -> Play:
    # Whole minutes, so that the instants of the week read cleanly.
    play = Play(ctx, ctx.clock().replace(second=0, microsecond=0))
    for index, visit in enumerate(VISITS):
        _stage(play, visit, index)
    demo_cargo.stage(play, SHIPS)
    return play


def _create_users(ctx: ServiceContext, missing: list[DemoUser], tick: Ticker) -> None:
    for user in missing:
        password = user.login.password
        users.create_user(
            ctx, user.username, password, user.org_type, user.org_name, user.full_name
        )
        tick()


def build(ctx: ServiceContext, progress: Progress | None = None) -> list[Login]:
    """Create the demo organisations, users, week of port calls and month of declarations unless
    they exist; the logins."""
    logins = [user.login for user in USERS]
    missing = _missing_users(ctx)
    play = None if _has_traffic(ctx) else _plan(ctx)
    if play is None:
        if missing:
            _create_users(ctx, missing, Ticker(progress, len(missing)))
        return logins
    tick = Ticker(progress, len(missing) + 1 + len(play.steps))
    # Users join before the play begins, so the audit log reads in the order things happened.
    play.clock.now = play.begins() - _hours(2.0)
    _create_users(play.ctx, missing, tick)
    play.clock.now += _hours(1.0)
    _publish_watch_list(play.ctx, play.actor("border.liu"))
    tick()
    play.run(tick)
    return logins
