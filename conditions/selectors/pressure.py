"""Reads of cells' pressure profiles and the readings behind them."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from conditions.models import PressureProfile
from conditions.pressure import PROFILES
from lines.models import Sample, Unit
from lines.selectors import samples

SERIES_LIMIT = 10_000  # readings per parameter in a pressure answer (a 30 min hold at 1 Hz: 1,800)


def readings_during(
    *, unit_id: int, station_id: int, parameters: Iterable[str], start: datetime, end: datetime
) -> list[Sample]:
    """A unit's samples of some parameters at one station from `start` to `end` (both included),
    oldest first by (source time, id), hot or compacted: the readings behind a press or formation
    operation's profile."""
    wanted = samples.Where(
        units=[unit_id],
        stations=[station_id],
        parameters=list(parameters),
        since=start,
        until=end,
        until_closed=True,
    )
    return samples.samples(wanted)


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
    )
    for s in rows[: SERIES_LIMIT * len(names)]:
        series[s.parameter].append((s.source_time, s.value, s.status_code))
    return series
