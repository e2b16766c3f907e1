"""Reads of cells' pressure profiles and the readings behind them."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from conditions.models import PressureProfile
from conditions.pressure import PROFILES
from lines.models import Sample, Unit

SERIES_LIMIT = 10_000  # readings per parameter in a pressure answer (a 30 min hold at 1 Hz: 1,800)


def readings_during(
    *, unit_id: int, station_id: int, parameters: Iterable[str], start: datetime, end: datetime
) -> QuerySet[Sample]:
    """A unit's samples of some parameters at one station from `start` to `end` (both included),
    oldest first: the readings behind a press or formation operation's profile."""
    return Sample.objects.filter(
        unit_id=unit_id,
        station_id=station_id,
        parameter__in=list(parameters),
        source_time__gte=start,
        source_time__lte=end,
    ).order_by("source_time", "id")


def pressure_profiles_of(*, unit: Unit) -> QuerySet[PressureProfile]:
    return PressureProfile.objects.filter(unit=unit).select_related("station").order_by("ended_at")


def pressure_series(profile: PressureProfile) -> dict[str, list[tuple]]:
    """The readings behind a profile: per parameter, (source time, value, OPC UA status)."""
    kind = profile.station.kind
    names = [PROFILES[kind][key] for key in ("pressure", "temperature") if PROFILES[kind][key]]
    series: dict[str, list[tuple]] = {name: [] for name in names}
    rows = readings_during(
        unit_id=profile.unit_id,
        station_id=profile.station_id,
        parameters=names,
        start=profile.started_at,
        end=profile.ended_at,
    ).values_list("parameter", "source_time", "value", "status_code")
    for parameter, at, value, status in rows[: SERIES_LIMIT * len(names)]:
        series[parameter].append((at, value, status))
    return series
