"""Charts drawn as SVG by hand, for the bulletin's HTML file and its PDF (plotly writes SVG only
with kaleido, which Kouan does not install): horizontal bars, one a port, and a sparkline."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

FONTS = "WenQuanYi Zen Hei, Noto Sans CJK SC, Source Han Sans SC, sans-serif"
BAR = "#9db4cc"
MINE = "#1f4e79"


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def bar_chart(
    title: str, bars: Sequence[tuple[str, float, bool]], width: int = 520, row: int = 22
) -> Markup:
    """One bar a (label, value, marked) biggest first as given; the marked bar darker."""
    left, right, top = 70, 70, 28
    height = top + row * len(bars) + 8
    most = max((v for _, v, _ in bars), default=0) or 1
    span = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" font-family="{FONTS}" font-size="12">',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value, marked) in enumerate(bars):
        y = top + i * row
        length = max(value / most * span, 1)
        colour = MINE if marked else BAR
        weight = ' font-weight="bold"' if marked else ""
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end"{weight}>{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{colour}"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + 14}"{weight}>{_number(value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: Sequence[float | None], width: int = 160, height: int = 36) -> Markup:
    """The months' figures as a line (a gap where a month has none), the last month a dot."""
    known = [v for v in values if v is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true">'
    ]
    if known:
        low, high = min(known), max(known)
        spread = (high - low) or 1.0
        step = (width - 6) / max(len(values) - 1, 1)
        runs: list[list[str]] = [[]]
        last_point = None
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            x = 3 + i * step
            y = height - 3 - (value - low) / spread * (height - 6)
            runs[-1].append(f"{x:.1f},{y:.1f}")
            last_point = (x, y) if i == len(values) - 1 else last_point
        for run in runs:
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{MINE}" '
                    'stroke-width="1.5"/>'
                )
        if last_point is not None:
            parts.append(
                f'<circle cx="{last_point[0]:.1f}" cy="{last_point[1]:.1f}" r="2.5" fill="{MINE}"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
