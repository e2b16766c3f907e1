"""Single-row writes of what a stored period rests on remove the periods it may change (oee/
services/period_summaries.py). Bulk writes (the ingest, a generated history) call the service
themselves: Django sends no signal for them."""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from lines.models import ConnectionGap, Operation, Station
from oee.models import (
    DayOff,
    IdealCycle,
    LineClock,
    ShiftPattern,
    StateChange,
    StopAssignment,
    StopReasonReport,
)
from oee.services.period_summaries import (
    period_stamps_create,
    periods_stale_for_stations,
    periods_stale_from,
    periods_stale_of_kind_from,
    periods_stale_over,
)


def _state_or_code(instance: StateChange | StopReasonReport, **_: Any) -> None:
    periods_stale_from(instance.station_id, instance.at)


def _operation(instance: Operation, **_: Any) -> None:
    # A unit's first-time pass at a kind depends on its earlier operations there: a late or
    # edited one may change the counts of later periods of every station of that kind.
    if instance.completed_at is not None:
        periods_stale_of_kind_from(instance.station_id, instance.completed_at)


def _gap(instance: ConnectionGap, **_: Any) -> None:
    for station_id in instance.stations.values_list("pk", flat=True):
        periods_stale_from(station_id, instance.start)


def _gap_stations(instance: ConnectionGap, action: str, pk_set: set[int] | None, **_: Any) -> None:
    if action == "post_add":
        for station_id in pk_set or ():
            periods_stale_from(station_id, instance.start)


def _station(instance: Station, created: bool = False, **_: Any) -> None:
    if created:
        period_stamps_create([instance.pk])
    else:  # its line (calendar) or kind (ideal cycle) may have changed
        periods_stale_for_stations([instance.pk])


def _assignment(instance: StopAssignment, **_: Any) -> None:
    periods_stale_over(instance.station_id, instance.start, instance.end)


def _calendar(instance: ShiftPattern | DayOff | LineClock, **_: Any) -> None:
    periods_stale_for_stations(
        Station.objects.filter(line_id=instance.line_id).values_list("pk", flat=True)
    )


def _ideal_cycle(instance: IdealCycle, **_: Any) -> None:
    periods_stale_for_stations(
        Station.objects.filter(kind=instance.station_kind).values_list("pk", flat=True)
    )


def connect() -> None:
    m2m_changed.connect(
        _gap_stations, sender=ConnectionGap.stations.through, dispatch_uid="oee-gap-stations"
    )
    for signal in (post_save, post_delete):
        for model in (StateChange, StopReasonReport):
            signal.connect(_state_or_code, sender=model, dispatch_uid=f"oee-{model.__name__}")
        signal.connect(_operation, sender=Operation, dispatch_uid="oee-operation")
        signal.connect(_assignment, sender=StopAssignment, dispatch_uid="oee-assignment")
        signal.connect(_gap, sender=ConnectionGap, dispatch_uid="oee-gap")
        for calendar in (ShiftPattern, DayOff, LineClock):
            signal.connect(_calendar, sender=calendar, dispatch_uid=f"oee-{calendar.__name__}")
        signal.connect(_ideal_cycle, sender=IdealCycle, dispatch_uid="oee-ideal-cycle")
    post_save.connect(_station, sender=Station, dispatch_uid="oee-station")
