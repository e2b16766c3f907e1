"""Where a line loses its time: stop seconds by reason over a window (the Pareto of the OEE page).

A person's reason wins for the part of a stop it covers; the rest takes the reason the PLC's code
maps to, else it is "PLC code N" (a code the tree does not know yet) or unassigned. Micro-stops
are one bar of their own: they cost speed, not availability (docs/oee.md)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from lines.models import Line, Station
from oee.models import DowntimeReason, PlcStopCode
from oee.selectors.machine_time import line_clock
from oee.selectors.periods import stations_parts


@dataclass(frozen=True)
class Bar:
    key: str  # reason code, "plc:<code>", "unassigned" or "micro"
    label: str
    seconds: float
    stops: int


def line_pareto(line: Line, start: datetime, end: datetime) -> list[Bar]:
    """Bars, the largest first. Summed period by period (oee/selectors/periods.py): a stop that
    crosses a shift boundary counts once in each shift."""
    clock = line_clock(line)
    # A PLC's code means what its station kind's table says: kept apart by kind until looked up.
    totals: dict[tuple[str, str], list[float]] = {}
    stations = list(Station.objects.filter(line=line))
    kinds = {s.pk: s.kind for s in stations}
    for station_id, periods in stations_parts(stations, clock, start, end).items():
        for parts in periods:
            for key, (seconds, count) in parts.items():
                if seconds > 0:
                    entry = totals.setdefault(
                        (key, kinds[station_id] if key.startswith("plc:") else ""), [0.0, 0]
                    )
                    entry[0] += seconds
                    entry[1] += count
    codes = {key.removeprefix("plc:") for key, _ in totals if key.startswith("plc:")}
    mapping = {
        (m.station_kind, m.plc_code): m.reason
        for m in PlcStopCode.objects.filter(plc_code__in=codes).select_related("reason")
    }
    chosen = {key.removeprefix("reason:") for key, _ in totals if key.startswith("reason:")}
    reasons = {r.code: r for r in DowntimeReason.objects.filter(code__in=chosen)}
    bars: dict[str, Bar] = {}
    for (key, kind), (seconds, count) in totals.items():
        code = key.partition(":")[2]
        reason = reasons.get(code) if key.startswith("reason:") else mapping.get((kind, code))
        if reason is not None:
            bar = Bar(reason.code, reason.display_name, seconds, int(count))
        elif key.startswith("plc:"):
            bar = Bar(key, _("PLC code %(code)s") % {"code": code}, seconds, int(count))
        elif key == "micro":
            bar = Bar(key, _("Micro-stops (speed loss)"), seconds, int(count))
        else:
            bar = Bar("unassigned", _("No reason given"), seconds, int(count))
        if bar.key in bars:
            seen = bars[bar.key]
            bar = Bar(bar.key, bar.label, seen.seconds + bar.seconds, seen.stops + bar.stops)
        bars[bar.key] = bar
    return sorted(bars.values(), key=lambda b: (-b.seconds, b.label))
