"""Customs' risk rule set version 1: what a fresh port starts with before its risk officers tune it.

The rules follow the usual selectivity profiles: trusted traders go green, watched ones to review;
goods that are prohibited, restricted, taxed heavily or often misdeclared go to documents or the
scanner; unit values far outside the usual range suggest undervaluation. Reference ranges are in
CNY per declared unit. A small random share of the rest is still checked, so no one can count on
green.
"""

from __future__ import annotations

from typing import Any


def _rule(
    code: str, title: str, title_zh: str, lane: str, kind: str, **fields: Any
) -> dict[str, Any]:
    return {
        "code": code,
        "title": title,
        "title_zh": title_zh,
        "lane": lane,
        "kind": kind,
        **fields,
    }


RULES: list[dict[str, Any]] = [
    # Who declares: credit classes and the watch list.
    _rule(
        "CC-AA",
        "AA-class trader: release without checks",
        "高级认证企业:免于随机抽查",
        "green",
        "credit_class",
        values=["AA"],
    ),
    _rule(
        "CC-C",
        "C-class trader: documents checked",
        "失信企业(C类):单证审核",
        "document",
        "credit_class",
        values=["C"],
    ),
    _rule(
        "CC-D",
        "D-class trader: goods inspected",
        "严重失信企业(D类):实货查验",
        "inspection",
        "credit_class",
        values=["D"],
    ),
    _rule(
        "WL-PARTY",
        "Trader or declarant on the watch list",
        "布控名单企业",
        "inspection",
        "watch_list",
        values=["3702999999"],
    ),
    # What is declared: prohibited, restricted and sensitive goods.
    _rule("HS-ARMS", "Arms and ammunition", "武器弹药", "inspection", "hs_prefix", values=["93"]),
    _rule(
        "HS-EXPLOSIVES",
        "Explosives and pyrotechnics",
        "炸药、烟火制品",
        "inspection",
        "hs_prefix",
        values=["3601", "3602", "3603", "3604"],
    ),
    _rule(
        "HS-TOBACCO",
        "Tobacco products",
        "烟草制品",
        "inspection",
        "hs_prefix",
        values=["2402", "2403"],
    ),
    _rule(
        "HS-GOLD",
        "Gold and precious metals",
        "黄金及贵金属",
        "inspection",
        "hs_prefix",
        values=["7108", "7110"],
    ),
    _rule(
        "HS-WASTE",
        "Solid waste and scrap",
        "固体废物",
        "inspection",
        "hs_prefix",
        values=["3915", "4707", "7204", "7404", "7602"],
    ),
    _rule(
        "HS-PRECURSOR",
        "Precursor chemicals",
        "易制毒化学品",
        "inspection",
        "hs_prefix",
        values=["293211", "293212", "293213", "293219", "293339", "293942"],
    ),
    _rule("HS-LIVE-ANIMALS", "Live animals", "活动物", "inspection", "hs_prefix", values=["01"]),
    _rule("HS-MEAT", "Meat and offal", "肉类及食用杂碎", "document", "hs_prefix", values=["02"]),
    _rule("HS-MEDICINES", "Medicaments", "药品", "document", "hs_prefix", values=["3003", "3004"]),
    _rule("HS-LOGS", "Wood in the rough", "原木", "document", "hs_prefix", values=["4403"]),
    _rule("HS-CARS", "Motor cars", "小汽车", "document", "hs_prefix", values=["8703"]),
    _rule("HS-FUEL", "Petroleum oils", "成品油", "document", "hs_prefix", values=["2710"]),
    _rule(
        "HS-WINE",
        "Wine and spirits",
        "葡萄酒及烈酒",
        "document",
        "hs_prefix",
        values=["2204", "2208"],
    ),
    _rule("HS-WATCHES", "Watches", "手表", "document", "hs_prefix", values=["9101", "9102"]),
    # Where from: sanctions.
    _rule(
        "ORIGIN-SANCTIONS",
        "Origin under UN sanctions",
        "联合国制裁来源地",
        "inspection",
        "origin",
        values=["KP"],
    ),
    # How much: unit values outside the usual range (CNY per declared unit).
    _rule(
        "UV-LAPTOP",
        "Laptop unit value out of range",
        "笔记本电脑单价异常",
        "document",
        "unit_value",
        hs_prefix="847130",
        low=800,
        high=60000,
    ),
    _rule(
        "UV-PHONE",
        "Mobile phone unit value out of range",
        "手机单价异常",
        "document",
        "unit_value",
        hs_prefix="851713",
        low=300,
        high=20000,
    ),
    _rule(
        "UV-TSHIRT",
        "T-shirt unit value out of range",
        "T恤单价异常",
        "document",
        "unit_value",
        hs_prefix="6109",
        low=5,
        high=2000,
    ),
    _rule(
        "UV-SHOES",
        "Footwear unit value out of range",
        "鞋类单价异常",
        "document",
        "unit_value",
        hs_prefix="6403",
        low=20,
        high=10000,
    ),
    _rule(
        "UV-CARS",
        "Car unit value out of range",
        "汽车单价异常",
        "inspection",
        "unit_value",
        hs_prefix="870323",
        low=30000,
        high=3000000,
    ),
    _rule(
        "UV-CHIPS",
        "Integrated circuit unit value out of range",
        "集成电路单价异常",
        "document",
        "unit_value",
        hs_prefix="8542",
        low=0.05,
        high=200000,
    ),
]

DEFAULT_DOCUMENT: dict[str, Any] = {
    "rules": RULES,
    # Of the declarations no rule touched: 3 % to document review, 1 % to inspection.
    "random_rates": {"document": 0.03, "inspection": 0.01},
    "seed": 20261127,
}
