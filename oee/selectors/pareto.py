"""Where a line loses its time: stop seconds by reason over a window (the Pareto of the OEE page).

A person's reason wins for the part of a stop it covers; the rest takes the reason the PLC's code
maps to, else it is "PLC code N" (a code the tree does not know yet) or unassigned. Micro-stops
are one bar of their own: they cost speed, not availability (docs/oee.md)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from lines.models import Line, Station
from oee.selectors.machine_time import StationStop, line_clock, station_stops


@dataclass(frozen=True)
class Bar:
    key: str  # reason code, "plc:<code>", "unassigned" or "micro"
    label: str
    seconds: float
    stops: int


def line_pareto(line: Line, start: datetime, end: datetime) -> list[Bar]:
    """Bars, the largest first."""
    totals: dict[str, list] = {}

    def add(key: str, label: str, seconds: float) -> None:
        if seconds <= 0:
            return
        entry = totals.setdefault(key, [label, 0.0, 0])
        entry[1] += seconds
        entry[2] += 1

    clock = line_clock(line)
    for station in Station.objects.filter(line=line):
        for stop in station_stops(station, start, end, with_reasons=True, clock=clock):
            for key, label, seconds in _parts(stop):
                add(key, label, seconds)
    bars = [Bar(key, label, seconds, count) for key, (label, seconds, count) in totals.items()]
    return sorted(bars, key=lambda b: (-b.seconds, b.label))


def _parts(stop: StationStop) -> list[tuple[str, str, float]]:
    if stop.micro_stop:
        return [("micro", _("Micro-stops (speed loss)"), stop.duration_s)]
    parts = []
    covered = 0.0
    for a, start, end in stop.covers():
        seconds = (end - start).total_seconds()
        covered += seconds
        parts.append((a.reason.code, a.reason.display_name, seconds))
    rest = stop.duration_s - covered
    if stop.plc_reason is not None:
        parts.append((stop.plc_reason.code, stop.plc_reason.display_name, rest))
    elif stop.reason:
        parts.append((f"plc:{stop.reason}", _("PLC code %(code)s") % {"code": stop.reason}, rest))
    else:
        parts.append(("unassigned", _("No reason given"), rest))
    return parts
