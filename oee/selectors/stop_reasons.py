"""The reason tree as offered at a station kind, and the current assignments of a station."""

from datetime import datetime

from django.db.models import QuerySet

from lines.models import Station
from oee.models import DowntimeReason, PlcStopCode, StopAssignment


def reason_offered(reason: DowntimeReason, station_kind: str) -> bool:
    kinds = {k.strip() for k in reason.station_kinds.split(",") if k.strip()}
    return reason.active and (not kinds or station_kind in kinds)


def reasons_for(station_kind: str) -> list[DowntimeReason]:
    """The active reasons offered at a station kind, parents before their children."""
    reasons = DowntimeReason.objects.filter(active=True).order_by("code")
    return [r for r in reasons if reason_offered(r, station_kind)]


def current_assignments(
    station: Station, start: datetime, end: datetime
) -> QuerySet[StopAssignment]:
    """The station's assignments in force that overlap [start, end), oldest first."""
    return (
        StopAssignment.objects.filter(
            station=station, superseded_at__isnull=True, start__lt=end, end__gt=start
        )
        .select_related("reason", "assigned_by")
        .order_by("start", "id")
    )


def plc_reasons(station_kind: str) -> dict[str, DowntimeReason]:
    """The station kind's PLC stop codes and the tree's reason each one means."""
    return {
        m.plc_code: m.reason
        for m in PlcStopCode.objects.filter(station_kind=station_kind).select_related("reason")
    }
