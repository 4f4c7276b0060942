"""Port statistics as a bulletin writes them, in Chinese ("zh") and English ("en").

Rounding: half away from zero on the digits shown (0.125 to two digits is 0.13, never banker's
0.12), on the decimal a float prints as (2.675 is 2.68). Quantities keep `digits` significant
digits (3 by default) but never round away a whole number of the unit they are shown in: 9,994
passengers are "9994人次", 23,456,789 TEU "2346万标箱" and "23.5 million TEU". Rounding never
shows 0 for a figure that is not 0 (significant digits cannot), and a figure that rounds up to
the next unit is shown in it (9999.7 t is "1万吨", 99,995,000 t "1亿吨").

Chinese counts in 万 and 亿 from 1万 up, plain below, without group separators, as bulletins do:
"1.8亿吨", "2350万标箱", "45.6万人次", "9999人次". English counts in million and billion from
a million up, plain with thousands separators below: "180 million tonnes", "456,789 passengers".
Trailing zeros of a quantity are dropped ("1.8亿", not "1.80亿"); percentages keep their one
decimal, as statistical bulletins write "增长5.0%".
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from kouan.domain.stats.growth import Change, Rank
from kouan.domain.stats.indicators import UNIT_ALIASES
from kouan.domain.stats.periods import Month

Lang = Literal["zh", "en"]

_ZH_SCALES = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"), (Decimal(1), ""))
_EN_SCALES = ((Decimal(10) ** 9, " billion"), (Decimal(10) ** 6, " million"), (Decimal(1), ""))
_ZH_UNITS = {"t": "吨", "TEU": "标箱", "persons": "人次", "calls": "艘次", "flights": "架次"}
# (singular, plural): the singular only for a plain 1.
_EN_UNITS = {
    "t": ("tonne", "tonnes"),
    "TEU": ("TEU", "TEU"),
    "persons": ("passenger", "passengers"),
    "calls": ("call", "calls"),
    "flights": ("flight", "flights"),
}
_ZH_NUMERALS = "一二三四五六七八九十"
_EN_ORDINALS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_CANONICAL = {
    name.lower(): unit for unit, aliases in UNIT_ALIASES.items() for name in (unit, *aliases)
}


def _lang(lang: str) -> Lang:
    if lang == "zh":
        return "zh"
    if lang == "en":
        return "en"
    raise ValueError(f"language must be 'zh' or 'en', not {lang!r}")


def _decimal(value: float) -> Decimal:
    # bool is an int to Python, but True is no figure.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    # repr is the shortest decimal that reads back as the float: 2.675, not 2.67499999...
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _round(amount: Decimal, places: int) -> Decimal:
    """`amount` rounded half away from zero to `places` decimals (negative: to tens, ...)."""
    with localcontext() as context:
        context.prec = 80  # quantize may need as many digits as the amount has
        return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _significant(amount: Decimal, digits: int) -> Decimal:
    """`amount` to `digits` significant digits, keeping every digit of its whole part."""
    if amount == 0:
        return amount
    return _round(amount, max(digits - 1 - amount.adjusted(), 0))


def _plain(amount: Decimal, group: bool) -> str:
    text = f"{amount:,f}" if group else f"{amount:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _scaled(
    amount: Decimal, scales: tuple[tuple[Decimal, str], ...], digits: int
) -> tuple[Decimal, str]:
    """`amount` rounded in the largest scale it reaches, or in the next one if rounding reaches
    that: (the number shown, the scale's word)."""
    at = next(i for i, (size, _) in enumerate(scales) if abs(amount) >= size or size == 1)
    size, word = scales[at]
    shown = _significant(amount / size, digits)
    if at > 0 and abs(shown) >= scales[at - 1][0] / size:
        size, word = scales[at - 1]
        shown = _significant(amount / size, digits)
    return shown, word


def _check_digits(digits: int) -> None:
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits must be a whole number of 1 or more, not {digits!r}")


def quantity(value: float, unit: str, lang: str, digits: int = 3) -> str:
    """`value` in `unit` (an indicator's unit or one of its aliases) as a bulletin writes it:
    "1.8亿吨", "2350万标箱", "180 million tonnes", "456,789 passengers"; "%" and "minutes" go
    through `rate` and `minutes`."""
    language = _lang(lang)
    _check_digits(digits)
    canonical = _CANONICAL.get(unit.lower()) if isinstance(unit, str) else None
    if canonical is None:
        raise ValueError(f"unknown unit {unit!r}; known: {', '.join(UNIT_ALIASES)}")
    if canonical == "minutes":
        return minutes(value, language)
    if canonical == "%":
        return rate(value, language)
    amount = _decimal(value)
    if language == "zh":
        shown, word = _scaled(amount, _ZH_SCALES, digits)
        return f"{_plain(shown, group=False)}{word}{_ZH_UNITS[canonical]}"
    shown, word = _scaled(amount, _EN_SCALES, digits)
    singular, plural = _EN_UNITS[canonical]
    text = _plain(shown, group=True)
    return f"{text}{word} {singular if text == '1' and not word else plural}"


def _fixed(amount: Decimal, decimals: int) -> Decimal:
    """`amount` to `decimals` places, or to its first significant digit if those show 0."""
    shown = _round(amount, decimals)
    if shown == 0 and amount != 0:
        shown = _round(amount, -amount.adjusted())
    return shown


def percent(ratio: float, lang: str = "zh", signed: bool = False, decimals: int = 1) -> str:
    """A ratio as a percentage: 0.064 is "6.4%" ("+6.4%" when `signed`; "-3.1%" either way).
    Never "0.0%" for a ratio that is not 0: 0.0004 is "0.04%". Both languages write it alike."""
    _lang(lang)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be a whole number of 0 or more, not {decimals!r}")
    return _percent_text(_fixed(_decimal(ratio) * 100, decimals), signed)


def _percent_text(shown: Decimal, signed: bool) -> str:
    sign = "-" if shown < 0 else "+" if signed and shown > 0 else ""
    return f"{sign}{abs(shown):f}%"


def rate(value: float, lang: str = "zh") -> str:
    """A figure already in percent (an indicator in "%": 98.5 is "98.5%") to one decimal, or more
    where one would show a rate below 100 as "100.0%" or one above 0 as "0.0%"."""
    _lang(lang)
    amount = _decimal(value)
    places = 1
    shown = _fixed(amount, places)
    # 99.96% shown as 100.0% would claim that every ship went without waiting.
    while amount < 100 <= shown:
        places += 1
        shown = _round(amount, places)
    return _percent_text(shown, signed=False)


def growth_phrase(change: Change, lang: str, basis: str = "year") -> str:
    """The change as a bulletin says it: "同比增长6.4%", "环比下降3.1%", "同比持平",
    "上年同期无数据"; "up 6.4% year on year", "down 3.1% month on month", "unchanged year on
    year", "no figure for the same period last year"."""
    language = _lang(lang)
    if basis not in ("year", "month"):
        raise ValueError(f"basis must be 'year' or 'month', not {basis!r}")
    yearly = basis == "year"
    if language == "zh":
        return _growth_zh(change, "同比" if yearly else "环比", "上年同期" if yearly else "上月")
    return _growth_en(
        change,
        "year on year" if yearly else "month on month",
        "the same period last year" if yearly else "the previous month",
    )


def _growth_zh(change: Change, prefix: str, base: str) -> str:
    if change.note == "no_current":
        return "本期无数据"
    if change.note == "no_base":
        return f"{base}无数据"
    if change.note == "zero_base":
        return f"{base}为零"
    if change.note == "both_zero" or change.ratio == 0 or change.ratio is None:
        return f"{prefix}持平"
    if change.ratio > 0:
        return f"{prefix}增长{percent(change.ratio)}"
    return f"{prefix}下降{percent(-change.ratio)}"


def _growth_en(change: Change, basis: str, base: str) -> str:
    if change.note == "no_current":
        return "no figure for this period"
    if change.note == "no_base":
        return f"no figure for {base}"
    if change.note == "zero_base":
        return f"none in {base}"
    if change.note == "both_zero" or change.ratio == 0 or change.ratio is None:
        return f"unchanged {basis}"
    if change.ratio > 0:
        return f"up {percent(change.ratio, 'en')} {basis}"
    return f"down {percent(-change.ratio, 'en')} {basis}"


def _ordinal_en(position: int) -> str:
    if position <= len(_EN_ORDINALS):
        return _EN_ORDINALS[position - 1]
    if position % 100 in (11, 12, 13):
        return f"{position}th"
    return f"{position}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(position % 10, 'th') }"


def rank_phrase(rank: Rank | None, lang: str) -> str:
    """A national rank: "居全国第三位", "并列全国第二位", "居全国第11位"; "third in the
    country", "joint second in the country", "11th in the country". Chinese numerals up to ten,
    digits above; English words up to tenth."""
    language = _lang(lang)
    if rank is None:
        return "全国排名无数据" if language == "zh" else "no national rank"
    if language == "zh":
        place = _ZH_NUMERALS[rank.position - 1] if rank.position <= 10 else str(rank.position)
        return f"并列全国第{place}位" if rank.tied else f"居全国第{place}位"
    joint = "joint " if rank.tied else ""
    return f"{joint}{_ordinal_en(rank.position)} in the country"


def minutes(value: float, lang: str) -> str:
    """A duration given in minutes: "6.3分钟" / "6.3 minutes" to one decimal from a minute up;
    "42秒" / "42 seconds" in whole seconds below; "不到1秒" / "under a second" below half a second,
    never "0秒"; "25.5小时" / "25.5 hours" from an hour up (clearance times read in hours).
    Only 0 itself is "0分钟" / "0 minutes"."""
    language = _lang(lang)
    amount = _decimal(value)
    if amount < 0:
        raise ValueError(f"a duration is 0 or more, not {value!r}")
    if amount == 0:
        return _duration(Decimal(0), "minutes", language)
    if amount < 1:
        seconds = _round(amount * 60, 0)
        if seconds == 0:
            return "不到1秒" if language == "zh" else "under a second"
        if seconds < 60:
            return _duration(seconds, "seconds", language)
    shown = _round(amount, 1)
    if shown < 60:
        return _duration(shown, "minutes", language)
    return _duration(_round(amount / 60, 1), "hours", language)


def _duration(amount: Decimal, unit: str, language: Lang) -> str:
    text = _plain(amount, group=language == "en")
    if language == "zh":
        return text + {"seconds": "秒", "minutes": "分钟", "hours": "小时"}[unit]
    return f"{text} {unit.removesuffix('s') if text == '1' else unit}"


def month_phrase(
    month: Month, lang: str, year_to_date: bool = False, with_year: bool = False
) -> str:
    """The period of a figure: "10月份", year to date "截至10月份" ("2026年10月份" and
    "截至2026年10月份" `with_year`); "October 2026", "January–October 2026" (English always
    names the year). The year to date of January is January alone."""
    language = _lang(lang)
    to_date = year_to_date and month.month > 1
    if language == "zh":
        year = f"{month.year}年" if with_year else ""
        return f"{'截至' if to_date else ''}{year}{month.month}月份"
    name = _EN_MONTHS[month.month - 1]
    return f"January–{name} {month.year}" if to_date else f"{name} {month.year}"


def quarter_phrase(month: Month, lang: str, to_date: bool = False, with_year: bool = True) -> str:
    """The quarter holding `month`: "2026年第四季度", "Q4 2026" ("第四季度", "Q4" without
    `with_year`, where the year is said nearby). `to_date`: the quarter up to `month`, naming its
    months while the quarter is not complete, as statistical bulletins write "1—10月份":
    "2026年第四季度（10—11月份）", "2026年第四季度（10月份）", "Q4 2026 (October–November)",
    "Q4 2026 (October)"; the quarter's last month gives the whole quarter."""
    language = _lang(lang)
    first = month.quarter_months()[0]
    partial = to_date and month != month.quarter_months()[-1]
    if language == "zh":
        text = f"{month.year}年" if with_year else ""
        text += f"第{_ZH_NUMERALS[month.quarter - 1]}季度"
        if partial:
            span = f"{month.month}" if month == first else f"{first.month}—{month.month}"
            text += f"（{span}月份）"
        return text
    text = f"Q{month.quarter} {month.year}" if with_year else f"Q{month.quarter}"
    if partial:
        name = _EN_MONTHS[month.month - 1]
        span = name if month == first else f"{_EN_MONTHS[first.month - 1]}–{name}"
        text += f" ({span})"
    return text
