"""Reads behind a station screen: the unit's open operation, the station's latest values and
its last operations."""

from dataclasses import dataclass

from lines.models import Operation, Sample, SampleSource, Station, Tag, Unit
from lines.selectors import samples


def unit_open_operation(*, unit: Unit) -> Operation | None:
    """The unit's operation in progress (at most one: a database constraint), with its station."""
    return (
        Operation.objects.select_related("station", "step")
        .filter(unit=unit, completed_at__isnull=True)
        .first()
    )


def station_recent_operations(*, station: Station, limit: int = 8) -> list[Operation]:
    """The last operations started at the station, newest first."""
    return list(
        Operation.objects.select_related("unit", "step")
        .filter(station=station)
        .order_by("-started_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class LatestValue:
    """A process parameter the station's PLC reports, and its newest stored sample (if any)."""

    parameter: str
    sample: Sample | None


def station_latest_values(*, station: Station) -> list[LatestValue]:
    """The newest PLC sample of each parameter mapped to the station's enabled tags (manual
    measurements belong to their unit, not to the machine's current state).

    One indexed look-up per parameter (station, parameter, source_time): a station has a few
    dozen tags at most, while its sample table grows by millions of rows a day.
    """
    parameters = (
        Tag.objects.filter(station=station, enabled=True)
        .exclude(parameter="")
        .order_by("parameter")
        .values_list("parameter", flat=True)
        .distinct()
    )
    rows = []
    for parameter in parameters:
        sample = samples.latest(
            samples.Where(stations=[station.pk], parameters=[parameter], source=SampleSource.PLC),
            related=("unit",),
        )
        rows.append(LatestValue(parameter, sample))
    return rows
