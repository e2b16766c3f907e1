"""Control charts as SVG: a series of points with its horizontal lines (centre, control and spec
limits) and the points a rule fired at marked and numbered.

Pure: numbers in, markup out. Points carry data-index, data-value and, when marked, data-rules,
which the browser tests assert on; each line carries data-line (center, ucl, lcl, lsl, usl).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 960, 280
LEFT, RIGHT, TOP, BOTTOM = 70, 120, 16, 30
MAX_CIRCLES = 600  # beyond this only the marked points get a circle; the line shows the rest


@dataclass(frozen=True, slots=True)
class Line:
    name: str  # center, ucl, lcl, lsl, usl, target
    label: str
    value: float


def _finite(value: float | None) -> TypeGuard[float]:
    return value is not None and math.isfinite(value)


def _scale(values: Sequence[float | None], lines: Sequence[Line]) -> tuple[float, float]:
    seen = [v for v in values if _finite(v)] + [line.value for line in lines]
    low, high = (min(seen), max(seen)) if seen else (0.0, 1.0)
    pad = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
    return low - pad, high + pad


def series_svg(
    values: Sequence[float | None],
    *,
    lines: Sequence[Line],
    marks: Mapping[int, Sequence[int | str]],
    title: str,
    chart_id: str,
    x_labels: tuple[str, str] = ("", ""),
) -> SafeString:
    """One chart. `marks` maps a point's index to what marks it (rule numbers, or "flag")."""
    low, high = _scale(values, lines)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(values) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + index * step, 1)

    def y(value: float) -> float:
        return round(TOP + (high - value) / (high - low) * inner_h, 1)

    path = _polyline(values, x, y)
    drawn_lines = format_html_join(
        "",
        '<g class="limit limit-{}" data-line="{}" data-value="{}"><line x1="{}" x2="{}" y1="{}" '
        'y2="{}"></line><text x="{}" y="{}">{} {}</text></g>',
        (
            (ln.name, ln.name, f"{ln.value:g}", LEFT, WIDTH - RIGHT, y(ln.value), y(ln.value))
            + (WIDTH - RIGHT + 4, y(ln.value) + 5, ln.label, f"{ln.value:.4g}")
            for ln in lines
        ),
    )
    everything = len(values) <= MAX_CIRCLES
    points = format_html_join(
        "",
        '<circle class="{}" cx="{}" cy="{}" r="{}" data-index="{}" data-value="{}"{}></circle>{}',
        (
            _point(i, v, marks.get(i), x(i), y(v))
            for i, v in enumerate(values)
            if _finite(v) and (everything or i in marks)
        ),
    )
    return format_html(
        '<svg class="chart" id="{}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'aria-labelledby="{}-title"><title id="{}-title">{}</title>'
        '<rect class="plot" x="{}" y="{}" width="{}" height="{}"></rect>{}'
        '<path class="series" d="{}"></path>{}'
        '<text class="axis" x="{}" y="{}">{}</text>'
        '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text></svg>',
        chart_id,
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        title,
        LEFT,
        TOP,
        inner_w,
        inner_h,
        drawn_lines,
        path,
        points,
        LEFT,
        HEIGHT - 8,
        x_labels[0],
        WIDTH - RIGHT,
        HEIGHT - 8,
        x_labels[1],
    )


def _polyline(values: Sequence[float | None], x, y) -> str:  # noqa: ANN001
    """A path that breaks at missing points instead of bridging them."""
    parts, pen_down = [], False
    for index, value in enumerate(values):
        if not _finite(value):
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x(index)},{y(value)}")
        pen_down = True
    return " ".join(parts)


def _point(index: int, value: float, marked, cx: float, cy: float) -> tuple:  # noqa: ANN001
    if not marked:
        return ("point", cx, cy, 3, index, f"{value:g}", "", "")
    rules = ",".join(str(m) for m in marked)
    label = format_html('<text class="mark" x="{}" y="{}">{}</text>', cx + 6, cy - 8, rules)
    extra = format_html(' data-rules="{}"', rules)
    return ("point marked", cx, cy, 6, index, f"{value:g}", extra, label)
