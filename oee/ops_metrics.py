"""Machine time on /metrics/: each station's current state and its OEE of the shift so far
(registered with mes.ops.metrics in ready()). Without a calendar the "shift" is the local day."""

from django.utils import timezone

from lines.models import Station
from mes.ops.metrics import metric_family, metric_line
from oee.selectors.machine_time import Clock, current_shift, line_clock, state_now
from oee.selectors.periods import station_figures


def oee_metrics(out: list[str]) -> None:
    now = timezone.now()
    stations = list(Station.objects.select_related("line").order_by("code"))
    metric_family(out, "mes_station_state", "gauge", "1 for the state category each station is in.")
    for station in stations:
        # one indexed look-up per station (station, at): a plant has tens of stations
        category = state_now(station, now)
        out.append(metric_line("mes_station_state", 1, station=station.code, state=category))
    metric_family(out, "mes_station_shift_oee", "gauge", "OEE figures of the shift so far (0..1).")
    clocks: dict[int, Clock] = {}
    for station in stations:
        clock = clocks.setdefault(station.line_id, line_clock(station.line))
        shift, start = current_shift(clock, now)
        (row,) = station_figures(station, start, now, clock=clock)
        for name in ("availability", "performance", "quality", "oee"):
            value = getattr(row.figures, name)
            if value is not None:
                out.append(
                    metric_line(
                        "mes_station_shift_oee",
                        value,
                        station=station.code,
                        shift=shift,
                        figure=name,
                    )
                )
