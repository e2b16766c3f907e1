"""SPC per station parameter: the individuals (or X-bar) chart and its range chart, the rule
violations explained, capability, a time-range picker, a chart partial htmx polls, and the
signed form that fixes the chart's baseline (Phase I) limits."""

from datetime import datetime, timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lines.models import Station, Tag
from mes.actors import request_actor
from mes.errors import DomainError, RuleViolation
from mes.web.params import answers_bad_parameters, int_param
from quality.selectors.spc import DEFAULT_BASELINE, SpcResult, spc_chart
from quality.selectors.spc_baselines import spc_baseline_current
from quality.services.spc_baselines import MIN_BASELINE_READINGS, spc_baseline_set
from quality.spc.constants import MAX_SUBGROUP_SIZE
from quality.spc.limits import ChartLimits
from quality.web.access import quality_required
from quality.web.labels import RULE, word
from quality.web.spc_baseline_form import SpcBaselineForm, replaced_version
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
TICKS = 6  # time-axis labels: about one per 130 px of the 960 px chart


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


def _point_times(result: SpcResult) -> list[datetime]:
    """The time of each plotted point: its reading's, or the last reading of its subgroup."""
    times, size = result.series.times, result.chart.subgroup_size
    count = len(result.chart.points)
    return [times[min(i * size + size - 1, len(times) - 1)] for i in range(count)]


def _ticks(times: list[datetime]) -> list[tuple[int, str]]:
    """About TICKS evenly spaced (index, local time) labels; the date shown when the range
    spans more than a day."""
    if not times:
        return []
    long = times[-1] - times[0] > timedelta(days=1)
    shape = "m-d H:i" if long else "H:i"
    last = len(times) - 1
    picks = sorted({round(k * last / (TICKS - 1)) for k in range(TICKS)}) if last else [0]
    return [(i, date_format(timezone.localtime(times[i]), shape)) for i in picks]


def _marks(result: SpcResult, first: int, times: list[datetime]) -> tuple[dict, dict]:
    """Rule numbers and a sentence per marked point shown (time, value, every rule fired)."""
    marks: dict[int, list[int]] = {}
    for violation in result.violations:
        for index in violation.indices.tolist():
            if index >= first:
                marks.setdefault(index - first, []).append(violation.rule)
    points = result.chart.points
    details = {
        i: "{} · {:.4g} · {}".format(
            date_format(timezone.localtime(times[i + first]), "Y-m-d H:i:s"),
            float(points[i + first]),
            "; ".join(
                _("Rule %(rule)s: %(meaning)s") % {"rule": r, "meaning": word(RULE, r)}
                for r in sorted(rules)
            ),
        )
        for i, rules in marks.items()
    }
    return marks, details


def _baseline_band(result: SpcResult, times: list[datetime]) -> tuple[int, int, str] | None:
    """The shown points inside the baseline period, to shade them: where the limits came from."""
    baseline = result.baseline
    if baseline is None:
        return None
    inside = [i for i, t in enumerate(times) if baseline.period_from <= t <= baseline.period_to]
    if not inside:
        return None
    label = _("Baseline v%(version)s") % {"version": baseline.version}
    return inside[0], inside[-1], label


def _charts(result: SpcResult) -> dict[str, object]:
    chart = result.chart
    points = chart.points.tolist()
    first = max(len(points) - SHOWN_POINTS, 0)
    times = _point_times(result)
    marks, details = _marks(result, first, times)
    ticks = _ticks(times[first:])
    band = _baseline_band(result, times[first:])
    name = {"parameter": result.parameter, "station": result.station.code}
    location = series_svg(
        points[first:],
        lines=_lines(result, chart.limits, spec=True),
        marks=marks,
        details=details,
        x_ticks=ticks,
        band=band,
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
        x_ticks=ticks,
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
        "marked": len({i for v in result.violations for i in v.indices.tolist()}),
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
    context.update(
        result=result,
        charts=_charts(result),
        violations=_violations(result),
        provisional_count=min(DEFAULT_BASELINE, len(result.chart.points)),
    )
    return context


def _baseline_context(station: Station, parameter: str, form: SpcBaselineForm | None) -> dict:
    current = spc_baseline_current(station=station, parameter=parameter)
    if form is None:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = SpcBaselineForm(
            initial={
                "period_from": now - timedelta(hours=8),
                "period_to": now,
            }
        )
    return {"baseline": current, "baseline_form": form, "min_baseline": MIN_BASELINE_READINGS}


@quality_required
@answers_bad_parameters
def spc_page(request: HttpRequest, station_code: str, parameter: str) -> HttpResponse:
    context = _context(request, station_code, parameter)
    station = context["station"]
    assert isinstance(station, Station)
    context.update(_baseline_context(station, parameter, None))
    context["baseline_saved"] = request.GET.get("baseline") == "set"
    return render(request, "quality/spc.html", context)


@quality_required
@require_POST
def spc_baseline_post(request: HttpRequest, station_code: str, parameter: str) -> HttpResponse:
    """Sign the baseline: on success back to the chart, now judged against it (post, redirect,
    get: a reload does not sign twice); on a refusal the page again with the input kept."""
    station = Station.objects.filter(code=station_code).first()
    if station is None:
        raise Http404("No such station.")
    form = SpcBaselineForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            spc_baseline_set(
                station=station,
                parameter=parameter,
                user=request_actor(request),
                replaces=replaced_version(request.POST),
                **form.cleaned_data,
            )
        except DomainError as exc:
            error = exc.message
        else:
            url = reverse("quality-spc", args=[station.code, parameter])
            return redirect(f"{url}?baseline=set")
    context = _context(request, station_code, parameter)
    context.update(_baseline_context(station, parameter, form), baseline_error=error)
    return render(request, "quality/spc.html", context, status=400 if error or form.errors else 200)


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
