"""The live panel of a station screen: the newest value of each PLC parameter with its limits
and verdict, the last operations and the PLC's last interlock answers at the station. Polled
every second by the page."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from lines import selectors
from lines.models import Station
from lines.selectors.interlocks import interlock_reason, interlocks_list
from lines.web.station_quality import station_quality

INTERLOCKS_SHOWN = 8


@dataclass(frozen=True)
class LiveRow:
    parameter: str
    value: float | None
    uom: str
    limits: str
    state: str
    alarm: bool
    at: object  # source time of the value, or None


def live_rows(*, station: Station) -> list[LiveRow]:
    rows = []
    for latest in selectors.station_latest_values(station=station):
        sample = latest.sample
        unit = sample.unit if sample else None
        limits = station_quality().limits_for(
            station=station, parameter=latest.parameter, unit=unit
        )
        if sample is None:
            state, alarm = _("No value yet"), False
        elif sample.rejected_reason:
            state, alarm = _("Unusable value (sensor or signal fault)"), True
        else:
            state, alarm = station_quality().verdict_text(sample.value, limits, sample.status_code)
        rows.append(
            LiveRow(
                parameter=latest.parameter,
                value=sample.value if sample else None,
                uom=limits.uom if limits else "",
                limits=limits.text if limits else "",
                state=state,
                alarm=alarm,
                at=sample.source_time if sample else None,
            )
        )
    return rows


def live_context(*, station: Station) -> dict[str, list]:
    return {
        "live": live_rows(station=station),
        "recent": selectors.station_recent_operations(station=station),
        # The PLC's last check-ins and check-outs here, each with why (a refused cell is
        # explained at the station where it was refused).
        "interlocks": [
            (interlock, interlock_reason(interlock))
            for interlock in interlocks_list(station=station.code)[:INTERLOCKS_SHOWN]
        ],
    }
