"""The OEE page's state timeline and trend as SVG, drawn at the width they are shown on a
portrait tablet (760 px), so text is never scaled below its 13-14 px. Pure: rows in, markup
out. Every bar has a <title> (hover) and data attributes the browser tests read."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 760
LABEL_W = 150
ROW_H, ROW_GAP = 26, 8
AXIS_H = 30
COLOURS = {
    "running": "#2e7d32",
    "idle": "#f9a825",
    "down": "#c62828",
    "stopped": "#ad1457",
    "planned_stop": "#546e7a",
    "setup": "#6a1b9a",
    "no_data": "#d6d6d6",
    "unmapped": "#212121",
}


@dataclass(frozen=True)
class Bar:
    start: datetime
    end: datetime
    category: str
    title: str  # what hover says


@dataclass(frozen=True)
class TimelineRow:
    label: str
    bars: Sequence[Bar]


def timeline_svg(
    rows: Sequence[TimelineRow], start: datetime, end: datetime, tz: str, title: str
) -> SafeString:
    """One row of state bars per station over [start, end), a local-time axis below."""
    span = (end - start).total_seconds() or 1.0
    inner = WIDTH - LABEL_W - 10
    height = len(rows) * (ROW_H + ROW_GAP) + AXIS_H

    def x(moment: datetime) -> float:
        return LABEL_W + inner * (moment - start).total_seconds() / span

    parts: list[SafeString] = []
    for n, row in enumerate(rows):
        y = n * (ROW_H + ROW_GAP)
        parts.append(
            format_html(
                '<text class="oee-row-label" x="{}" y="{}" text-anchor="end">{}</text>',
                LABEL_W - 8,
                y + ROW_H / 2 + 5,
                row.label,
            )
        )
        parts.append(
            format_html_join(
                "",
                '<rect class="oee-state" data-state="{}" x="{}" y="{}" width="{}" '
                'height="{}" fill="{}"><title>{}</title></rect>',
                (
                    (
                        bar.category,
                        _n(x(bar.start)),
                        y,
                        _n(max(x(bar.end) - x(bar.start), 1.0)),
                        ROW_H,
                        COLOURS.get(bar.category, "#9e9e9e"),
                        bar.title,
                    )
                    for bar in row.bars
                ),
            )
        )
    axis_y = len(rows) * (ROW_H + ROW_GAP)
    parts.append(
        format_html_join(
            "",
            '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="oee-tick"/>'
            '<text class="oee-axis" x="{0}" y="{3}" text-anchor="middle">{4}</text>',
            (
                (_n(x(t)), axis_y - 4, axis_y + 2, axis_y + 20, label)
                for t, label in ticks(start, end, tz)
            ),
        )
    )
    return format_html(
        '<svg class="oee-timeline" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}">{}</svg>',
        WIDTH,
        height,
        WIDTH,
        height,
        title,
        mark_safe("".join(parts)),  # noqa: S308 - every part above is format_html output
    )


def ticks(start: datetime, end: datetime, tz: str, count: int = 5) -> list[tuple[datetime, str]]:
    """About `count` evenly spaced local times across the window, labelled HH:MM (with the date
    when the window spans more than a day)."""
    zone = ZoneInfo(tz)
    span = end - start
    fmt = "%m-%d %H:%M" if span > timedelta(days=1) else "%H:%M"
    return [
        (moment, moment.astimezone(zone).strftime(fmt))
        for moment in (start + span * n / (count - 1) for n in range(count))
    ]


def sparkline_svg(values: Sequence[float | None], title: str) -> SafeString:
    """A small trend of figures between 0 and 1; gaps where a figure is empty."""
    width, height, pad = 140, 36, 4
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = [
        (pad + n * step, height - pad - (height - 2 * pad) * v)
        for n, v in enumerate(values)
        if v is not None
    ]
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    dots = format_html_join(
        "", '<circle cx="{}" cy="{}" r="2.5"/>', ((_n(px), _n(py)) for px, py in points)
    )
    return format_html(
        '<svg class="oee-spark" viewBox="0 0 {0} {1}" width="{0}" height="{1}" role="img" '
        'aria-label="{2}"><polyline points="{3}" fill="none" stroke="#1565c0" stroke-width="2"/>'
        "{4}</svg>",
        width,
        height,
        title,
        path,
        dots,
    )


def _n(value: float, places: int = 1) -> str:
    """A coordinate as text: format_html escapes its arguments to strings before formatting."""
    return f"{value:.{places}f}"
