"""The OEE page of a line: per station its state now, A, P, Q and OEE over the chosen range and
per shift, a daily trend, the downtime Pareto and the state timeline (docs/oee.md). Any
signed-in user reads it; managers, engineers and operators alike."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lines.models import Line, Station
from oee.models.states import StateCategory
from oee.selectors.machine_time import Row, line_clock, station_timeline
from oee.selectors.pareto import line_pareto
from oee.selectors.periods import line_rows, station_figures
from oee.templatetags.oee_tags import percent
from oee.web.svg import COLOURS, TimelineRow, sparkline_svg, timeline_svg
from oee.web.svg import Bar as StateBar

RANGES = {"2h": timedelta(hours=2), "8h": timedelta(hours=8), "24h": timedelta(days=1)}
DEFAULT_RANGE = "8h"
TREND_DAYS = 7
SHIFTS_SHOWN = 3


@login_required
def oee_index(request: HttpRequest) -> HttpResponse:
    lines = list(Line.objects.order_by("code"))
    if len(lines) == 1:
        return redirect("oee-line", line_code=lines[0].code)
    return render(request, "oee/index.html", {"lines": lines})


@login_required
def line_page(request: HttpRequest, line_code: str) -> HttpResponse:
    line = Line.objects.filter(code=line_code).first()
    if line is None:
        raise Http404(_("No line %(code)s.") % {"code": line_code})
    chosen = request.GET.get("range", DEFAULT_RANGE)
    chosen = chosen if chosen in RANGES else DEFAULT_RANGE
    end = timezone.now().replace(microsecond=0)
    start = end - RANGES[chosen]
    clock = line_clock(line)
    stations = list(Station.objects.filter(line=line).order_by("code"))
    names = {value: str(label) for value, label in StateCategory.choices}
    rows: list[dict[str, Any]] = []
    timeline_rows = []
    shift_names: list[str] = []
    wholes: list[Row] = []
    shift_rows: list[list[Row]] = []
    trend_rows: list[list[Row]] = []
    for station in stations:
        (whole,) = station_figures(station, start, end, clock=clock)
        shifts: list[Row] = []
        if clock.patterns:
            shifts = station_figures(station, end - timedelta(days=1), end, "shift", clock)[
                -SHIFTS_SHOWN:
            ]
        trend = station_figures(station, end - timedelta(days=TREND_DAYS), end, "day", clock)[
            -TREND_DAYS:
        ]
        shift_names = shift_names or [r.group for r in shifts]
        wholes.append(whole)
        shift_rows.append(shifts)
        trend_rows.append(trend)
        timeline = station_timeline(station, start, end)
        state_now = timeline[-1].category if timeline else "no_data"
        rows.append(
            {
                "station": station,
                "state": state_now,
                "state_name": names.get(state_now, state_now),
                "colour": COLOURS.get(state_now, "#9e9e9e"),
                "figures": whole.figures,
                "counts": whole.counts,
                "shifts": shifts,
                "trend": sparkline_svg(
                    [r.figures.oee for r in trend],
                    _("OEE per day, last %(n)s days: %(values)s")
                    % {
                        "n": len(trend),
                        "values": ", ".join(percent(r.figures.oee) for r in trend),
                    },
                ),
            }
        )
        timeline_rows.append(
            TimelineRow(
                station.code,
                [
                    StateBar(
                        i.start,
                        i.end,
                        i.category,
                        _bar_title(
                            names.get(i.category, i.category),
                            i.start,
                            i.end,
                            i.plc_state,
                            i.reason,
                            clock.time_zone,
                        ),
                    )
                    for i in timeline
                ],
            )
        )
    bars = line_pareto(line, start, end)
    context_line = _line_row(wholes, shift_rows, trend_rows)
    context = {
        "line": line,
        "rows": rows,
        "ranges": list(RANGES),
        "chosen": chosen,
        "shift_names": shift_names,
        "line_row": context_line,
        "timeline": timeline_svg(
            timeline_rows, start, end, clock.time_zone, _("State of each station over time")
        ),
        "pareto": [
            {
                "label": b.label,
                "seconds": b.seconds,
                "detail": _stop_detail(b.seconds, b.stops),
                "share": f"{100 * b.seconds / bars[0].seconds:.1f}",
            }
            for b in bars
        ],
        "legend": [(names[c], COLOURS[c]) for c in COLOURS if c in names],
        "has_calendar": bool(clock.patterns),
    }
    return render(request, "oee/line.html", context)


def _line_row(
    wholes: list[Row], shift_rows: list[list[Row]], trend_rows: list[list[Row]]
) -> dict[str, Any] | None:
    """The line's row: per group, its stations' seconds and counts summed (line_rows)."""
    if not wholes:
        return None
    trend = [r.figures for r in line_rows([r for rows in trend_rows for r in rows])]
    return {
        "figures": line_rows(wholes)[0].figures,
        "shifts": [r.figures for r in line_rows([r for rows in shift_rows for r in rows])],
        "trend": sparkline_svg(
            [f.oee for f in trend],
            _("Line OEE per day, last %(n)s days: %(values)s")
            % {"n": len(trend), "values": ", ".join(percent(f.oee) for f in trend)},
        ),
    }


def _stop_detail(seconds: float, stops: int) -> str:
    return _("%(minutes)s min, %(stops)s stops") % {
        "minutes": f"{seconds / 60:.1f}",
        "stops": stops,
    }


def _bar_title(
    name: str, start: datetime, end: datetime, plc_state: str, reason: str, tz: str
) -> str:
    zone = ZoneInfo(tz)
    text = f"{name} {start.astimezone(zone):%H:%M:%S}–{end.astimezone(zone):%H:%M:%S}"
    if plc_state:
        text += " · " + _("PLC state %(state)s") % {"state": plc_state}
    if reason:
        text += " · " + _("PLC reason %(code)s") % {"code": reason}
    return text
