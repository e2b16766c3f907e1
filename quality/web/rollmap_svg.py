"""The roll map as SVG: the roll's length left to right, one strip per parameter coloured by in
spec / out of spec / no data per metre range, the flagged segments outlined above the strips.

Pure: a RollMap in, markup out. Each range carries data-state, data-from-m and data-to-m; each
flagged segment data-flag-from-m and data-flag-to-m.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from quality.selectors.roll_map import RollMap

WIDTH = 960
LABEL_W, RIGHT = 210, 34
STRIP_H, GAP, TOP = 30, 12, 34
TICKS = 10


def rollmap_svg(result: RollMap, *, title: str) -> SafeString:
    span = WIDTH - LABEL_W - RIGHT
    length = result.length_m or 1.0

    def x(metre: float) -> float:
        return round(LABEL_W + metre / length * span, 2)

    strips = format_html_join(
        "",
        '<g class="strip" data-parameter="{}"><text class="label" x="4" y="{}">{}</text>'
        '<text class="station" x="4" y="{}">{}</text>{}</g>',
        (
            (
                strip.parameter,
                TOP + row * (STRIP_H + GAP) + 12,
                strip.parameter,
                TOP + row * (STRIP_H + GAP) + 27,
                strip.station,
                format_html_join(
                    "",
                    '<rect class="range {}" data-state="{}" data-from-m="{}" data-to-m="{}" '
                    'x="{}" y="{}" width="{}" height="{}"></rect>',
                    (
                        (
                            b.state,
                            b.state,
                            f"{b.from_m:g}",
                            f"{b.to_m:g}",
                            x(b.from_m),
                            TOP + row * (STRIP_H + GAP),
                            max(x(b.to_m) - x(b.from_m), 0.5),
                            STRIP_H,
                        )
                        for b in strip.bins
                    ),
                ),
            )
            for row, strip in enumerate(result.strips)
        ),
    )
    bottom = TOP + max(len(result.strips), 1) * (STRIP_H + GAP)
    flags = format_html_join(
        "",
        '<rect class="flagged-segment" data-flag-from-m="{}" data-flag-to-m="{}" '
        'data-parameter="{}" x="{}" y="{}" width="{}" height="{}"></rect>',
        (
            (
                f"{f.position_from_m:g}",
                f"{f.position_to_m:g}",
                f.parameter,
                x(f.position_from_m),
                TOP - 6,
                max(x(f.position_to_m) - x(f.position_from_m), 2),
                bottom - TOP + 2,
            )
            for f in result.flags
            if f.position_from_m is not None and f.position_to_m is not None  # as queried
        ),
    )
    ticks = format_html_join(
        "",
        '<line class="tick" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="axis" x="{}" y="{}" text-anchor="middle">{} m</text>',
        (
            (x(m), x(m), TOP - 10, bottom, x(m), TOP - 14, f"{m:g}")
            for m in (round(length * i / TICKS, 1) for i in range(TICKS + 1))
        ),
    )
    return format_html(
        '<svg class="rollmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'aria-labelledby="rollmap-title"><title id="rollmap-title">{}</title>{}{}{}</svg>',
        WIDTH,
        bottom + 8,
        title,
        ticks,
        strips,
        flags,
    )
