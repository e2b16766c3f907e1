"""The stacker's machine time for a generated history (`manage.py generate_history`): running
while its cells are stacked, Held with the PLC's code during the generator's stops, Suspended
after the last cell. Written as the ingest would have stored the PLC's reports.

lines.hooks.AFTER_HISTORY, inside the generator's transaction.
"""

from datetime import datetime

from lines.models import Station
from oee.models import StateChange, StopReasonReport
from oee.services.period_summaries import periods_stale_for_stations
from oee.states import Category

RUNNING, HELD, SUSPENDED = "6", "11", "5"


def after_history(
    *,
    station_id: int,
    running_from: datetime,
    running_to: datetime,
    stops: list[tuple[datetime, datetime, str]],
    notes: list[str],
) -> None:
    changes = [StateChange(station_id=station_id, at=running_from, category=Category.RUNNING,
                           plc_state=RUNNING)]  # fmt: skip
    reports = [StopReasonReport(station_id=station_id, at=running_from, code="0")]
    for start, end, code in stops:
        # The code first, as a PLC writes it (docs/integration-guide.md), then back to 0.
        reports += [
            StopReasonReport(station_id=station_id, at=start, code=code),
            StopReasonReport(station_id=station_id, at=end, code="0"),
        ]
        changes += [
            StateChange(station_id=station_id, at=start, category=Category.DOWN, plc_state=HELD),
            StateChange(
                station_id=station_id, at=end, category=Category.RUNNING, plc_state=RUNNING
            ),
        ]
    changes.append(
        StateChange(
            station_id=station_id, at=running_to, category=Category.IDLE, plc_state=SUSPENDED
        )
    )
    StateChange.objects.bulk_create(changes, ignore_conflicts=True)
    StopReasonReport.objects.bulk_create(reports, ignore_conflicts=True)
    # The history wrote operations of every station in bulk, back in time: nothing kept stands.
    periods_stale_for_stations(Station.objects.values_list("pk", flat=True))
    notes.append(f"Stacker machine time: {len(changes)} state changes, {len(stops)} stops")
