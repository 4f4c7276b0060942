"""Charts drawn as SVG by hand, for the bulletin's HTML file and its PDF (plotly writes SVG only
with kaleido, which Kouan does not install): horizontal bars, one a port labelled with its name,
and a sparkline."""

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


def label_width(text: str, size: int = 12) -> float:
    """About how wide `text` is drawn at `size` px: a CJK character is square, Latin about half."""
    return sum(size if ord(c) >= 0x2E80 else size * 0.6 for c in text)


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float, bool]],
    width: int = 520,
    row: int = 22,
    codes: Sequence[str] | None = None,
) -> Markup:
    """One bar a (label, value, marked) biggest first as given; the marked bar darker. The
    labels' column is as wide as the longest label (a port's name: "青岛胶东国际机场");
    `codes`, in the bars' order, are shown on hover (an SVG title)."""
    longest = max((label_width(label) for label, _, _ in bars), default=0)
    left, right, top = max(70, round(longest) + 12), 70, 28
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
        code = codes[i] if codes is not None and i < len(codes) else None
        hint = f"<title>{escape(code)}</title>" if code and code != label else ""
        parts.append(
            f'<g>{hint}<text x="{left - 6}" y="{y + 14}" text-anchor="end"{weight}>'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{colour}"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + 14}"{weight}>{_number(value)}</text></g>'
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
