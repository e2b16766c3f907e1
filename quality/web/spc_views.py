"""SPC per station parameter: the individuals (or X-bar) chart and its range chart, the rule
violations explained, capability, a time-range picker, and a chart partial htmx polls."""

from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from lines.models import Station, Tag
from mes.errors import RuleViolation
from mes.web.params import answers_bad_parameters, int_param
from quality.selectors.spc import SpcResult, spc_chart
from quality.spc.constants import MAX_SUBGROUP_SIZE
from quality.spc.limits import ChartLimits
from quality.web.access import quality_required
from quality.web.labels import RULE, word
from quality.web.spc_svg import Line, series_svg

RANGES = {
    "1h": timedelta(hours=1),
    "8h": timedelta(hours=8),
    "24h": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
DEFAULT_RANGE = "24h"
POLL_SECONDS = 10
SHOWN_POINTS = 500  # the rules run over the whole range; the chart draws the newest points


def _settings(request: HttpRequest) -> tuple[str, int]:
    chosen = request.GET.get("range", DEFAULT_RANGE)
    chosen = chosen if chosen in RANGES or chosen == "all" else DEFAULT_RANGE
    size = int_param(request, "n", default=1, maximum=MAX_SUBGROUP_SIZE)
    return chosen, size or 1


def _lines(result: SpcResult, limits: ChartLimits, *, spec: bool) -> list[Line]:
    lines = [
        Line("ucl", _("UCL"), limits.ucl),
        Line("center", _("CL"), limits.center),
        Line("lcl", _("LCL"), limits.lcl),
    ]
    version = result.version
    if spec and version is not None and result.chart.kind == "individuals":
        lines += [
            Line(n, label, v)
            for n, label, v in (("lsl", _("LSL"), version.lsl), ("usl", _("USL"), version.usl))
            if v is not None
        ]
    return lines


def _charts(result: SpcResult) -> dict[str, object]:
    chart = result.chart
    points = chart.points.tolist()
    first = max(len(points) - SHOWN_POINTS, 0)
    marks: dict[int, list[int]] = {}
    for violation in result.violations:
        for index in violation.indices.tolist():
            if index >= first:
                marks.setdefault(index - first, []).append(violation.rule)
    name = {"parameter": result.parameter, "station": result.station.code}
    location = series_svg(
        points[first:],
        lines=_lines(result, chart.limits, spec=True),
        marks=marks,
        title=(
            _("Individuals chart of %(parameter)s at %(station)s")
            if chart.kind == "individuals"
            else _("X-bar chart of %(parameter)s at %(station)s")
        )
        % name,
        chart_id="spc-location",
    )
    ranges = series_svg(
        chart.ranges.tolist()[first:],
        lines=_lines(result, chart.range_limits, spec=False),
        marks={},
        title=(
            _("Moving range chart of %(parameter)s at %(station)s")
            if chart.kind == "individuals"
            else _("Range chart of %(parameter)s at %(station)s")
        )
        % name,
        chart_id="spc-range",
    )
    return {
        "location": location,
        "ranges": ranges,
        "shown": len(points) - first,
        "total": len(points),
    }


def _violations(result: SpcResult) -> list[dict[str, object]]:
    times = result.series.times
    size = result.chart.subgroup_size
    return [
        {
            "rule": v.rule,
            "explained": word(RULE, v.rule),
            "count": len(v.indices),
            "last": times[min(int(v.indices[-1]) * size + size - 1, len(times) - 1)],
        }
        for v in result.violations
    ]


def _context(request: HttpRequest, station_code: str, parameter: str) -> dict[str, object]:
    station = Station.objects.filter(code=station_code).first()
    if station is None:
        raise Http404("No such station.")
    chosen, size = _settings(request)
    since = None if chosen == "all" else timezone.now() - RANGES[chosen]
    context: dict[str, object] = {
        "station": station,
        "parameter": parameter,
        "range": chosen,
        "n": size,
        "ranges": [*RANGES, "all"],
        "poll_seconds": POLL_SECONDS,
    }
    try:
        result = spc_chart(station=station, parameter=parameter, since=since, subgroup_size=size)
    except RuleViolation as exc:
        context["empty"] = exc.message
        return context
    context.update(result=result, charts=_charts(result), violations=_violations(result))
    return context


@quality_required
@answers_bad_parameters
def spc_page(request: HttpRequest, station_code: str, parameter: str) -> HttpResponse:
    return render(request, "quality/spc.html", _context(request, station_code, parameter))


@quality_required
@answers_bad_parameters
def spc_chart_partial(request: HttpRequest, station_code: str, parameter: str) -> HttpResponse:
    return render(request, "quality/_spc_chart.html", _context(request, station_code, parameter))


@quality_required
def spc_index(request: HttpRequest) -> HttpResponse:
    """Every station parameter the line measures (from the tag map)."""
    series = (
        Tag.objects.exclude(parameter="")
        .values_list("station__code", "parameter")
        .distinct()
        .order_by("station__code", "parameter")
    )
    return render(request, "quality/spc_index.html", {"series": list(series)})
