"""The times a station's data could not arrive: its bridge's connection gaps (lines.ConnectionGap),
which the timeline shows as "no data" whatever the last state said (docs/oee.md)."""

from datetime import datetime

from django.db.models import Q

from lines.models import ConnectionGap, Station


def station_gaps(
    station: Station, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """(start, end) of each gap of the station overlapping [start, end), in time order; an open
    gap (the bridge has not subscribed again) runs to `end`. Overlaps are left to the timeline."""
    rows = (
        ConnectionGap.objects.filter(stations=station, start__lt=end)
        .filter(Q(end__isnull=True) | Q(end__gt=start))
        .order_by("start")
        .values_list("start", "end")
    )
    return [(a, b if b is not None else end) for a, b in rows]


def in_gap(station: Station, at: datetime) -> bool:
    """Whether `at` lies inside a gap of the station, open or closed."""
    return (
        ConnectionGap.objects.filter(stations=station, start__lte=at)
        .filter(Q(end__isnull=True) | Q(end__gt=at))
        .exists()
    )
