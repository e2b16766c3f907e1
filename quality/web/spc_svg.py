"""Control charts as SVG: a series of points with its horizontal lines (centre, control and spec
limits), a time axis, and one marker per point a rule fired at, its details in a <title> (hover)
and a data-detail the page shows on tap.

Pure: numbers in, markup out. Points carry data-index, data-value and, when marked, data-rules,
which the browser tests assert on; each line carries data-line (center, ucl, lcl, lsl, usl).
Line labels are spread apart so that close lines (LSL next to LCL) never print over each other.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 960, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 130, 16, 48
LABEL_STEP = 18  # px between two line labels' baselines: 14 px text never touches
TICK_LEN = 5
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
    x_ticks: Sequence[tuple[int, str]] = (),
    details: Mapping[int, str] | None = None,
    band: tuple[int, int, str] | None = None,
) -> SafeString:
    """One chart. `marks` maps a point's index to what marks it (rule numbers, or "flag");
    `details` the sentence a marked point shows on hover or tap; `x_ticks` (index, time) pairs
    for the time axis; `band` (first index, last index, label) shades the baseline period."""
    low, high = _scale(values, lines)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(values) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + index * step, 1)

    def y(value: float) -> float:
        return round(TOP + (high - value) / (high - low) * inner_h, 1)

    path = _polyline(values, x, y)
    label_y = spread([y(ln.value) + 5 for ln in lines], LABEL_STEP, TOP + 5, HEIGHT - BOTTOM + 5)
    drawn_lines = format_html_join(
        "",
        '<g class="limit limit-{}" data-line="{}" data-value="{}"><line x1="{}" x2="{}" y1="{}" '
        'y2="{}"></line><path class="leader" d="M{},{} L{},{}"></path>'
        '<text x="{}" y="{}" data-label-y="{}">{} {}</text></g>',
        (
            (ln.name, ln.name, f"{ln.value:g}", LEFT, WIDTH - RIGHT, y(ln.value), y(ln.value))
            + (WIDTH - RIGHT, y(ln.value), WIDTH - RIGHT + 10, at - 5)
            + (WIDTH - RIGHT + 12, at, at, ln.label, f"{ln.value:.4g}")
            for ln, at in zip(lines, label_y, strict=True)
        ),
    )
    axis = _time_axis(x_ticks, x, HEIGHT - BOTTOM)
    shade = _band(band, x, inner_h) if band else ""
    everything = len(values) <= MAX_CIRCLES
    points = format_html_join(
        "",
        '<circle class="{}" cx="{}" cy="{}" r="{}" data-index="{}" data-value="{}"{}>{}</circle>',
        (
            _point(i, v, marks.get(i), x(i), y(v), (details or {}).get(i, ""))
            for i, v in enumerate(values)
            if _finite(v) and (everything or i in marks)
        ),
    )
    return format_html(
        '<svg class="chart" id="{}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'aria-labelledby="{}-title"><title id="{}-title">{}</title>'
        '<rect class="plot" x="{}" y="{}" width="{}" height="{}"></rect>{}{}'
        '<path class="series" d="{}"></path>{}{}'
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
        shade,
        drawn_lines,
        path,
        axis,
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


def spread(wanted: Sequence[float], step: float, low: float, high: float) -> list[float]:
    """Positions as near to `wanted` as possible, at least `step` apart, in the same order, kept
    within [low, high] when there is room: line labels that never print over each other."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [max(low, wanted[i]) for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + step)
    overflow = placed[-1] - high if placed else 0.0
    if overflow > 0:
        placed[-1] -= overflow
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - step)
    result = [0.0] * len(wanted)
    for k, i in enumerate(order):
        result[i] = round(placed[k], 1)
    return result


def _band(band: tuple[int, int, str], x, inner_h: float) -> SafeString:  # noqa: ANN001
    first, last, label = band
    left, right = x(first), x(last)
    return format_html(
        '<g class="baseline-band" data-band="{}-{}"><rect x="{}" y="{}" width="{}" height="{}">'
        '</rect><text x="{}" y="{}">{}</text></g>',
        first,
        last,
        left,
        TOP,
        max(round(right - left, 1), 2),
        inner_h,
        left + 4,
        TOP + 16,
        label,
    )


def _time_axis(ticks: Sequence[tuple[int, str]], x, baseline_y: float) -> SafeString:  # noqa: ANN001
    return format_html_join(
        "",
        '<g class="tick" data-tick="{}"><line x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
        (
            (label, x(i), x(i), baseline_y, baseline_y + TICK_LEN, x(i), baseline_y + 20, label)
            for i, label in ticks
        ),
    )


def _point(index: int, value: float, marked, cx: float, cy: float, detail: str) -> tuple:  # noqa: ANN001
    if not marked:
        return ("point", cx, cy, 3, index, f"{value:g}", "", "")
    rules = ",".join(str(m) for m in marked)
    # One marker per point, however many rules fired there: the numbers are in the title and
    # in the rule table, never printed beside the point (hundreds of them overprinted).
    extra = format_html(
        ' data-rules="{}" data-detail="{}" tabindex="0" role="img" aria-label="{}"',
        rules,
        detail,
        detail or rules,
    )
    title = format_html("<title>{}</title>", detail or rules)
    return ("point marked", cx, cy, 6, index, f"{value:g}", extra, title)
