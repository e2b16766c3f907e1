"""The machine-state and stop-reason values of an ingest batch, kept for machine time.

lines.hooks.AFTER_INGEST, inside the batch's transaction: a batch delivered twice stores nothing
twice (one row per station, time and value). A value the mapping does not know is stored as
unmapped; a reading with a bad OPC UA status says the state was unknown: no data.
"""

from collections.abc import Iterable
from datetime import datetime

from lines.ingest import SampleColumns
from lines.ingest.columns import Reading
from lines.models import TagRole
from lines.telemetry_bounds import EARLIEST, LATEST
from oee.models import StateChange, StateOverride, StopReasonReport
from oee.services.period_summaries import periods_stale_after_batch
from oee.states import Category, category_of


def after_ingest(*, rows: SampleColumns, raised: list) -> None:
    read = [
        r
        for r in rows.readings((TagRole.MACHINE_STATE, TagRole.STOP_REASON))
        if r.station_id is not None and (not r.rejected_reason or _bad_status_only(r))
    ]
    if not read:
        return
    states = [r for r in read if r.parameter == TagRole.MACHINE_STATE]
    reasons = [r for r in read if r.parameter == TagRole.STOP_REASON and r.status_code == 0]
    # readings of known tags only (filtered above): every station_id is an int
    earliest: dict[int, datetime] = {}
    for r in (*states, *reasons):
        if r.station_id is not None and r.source_time < earliest.get(r.station_id, LATEST):
            earliest[r.station_id] = r.source_time
    periods_stale_after_batch(earliest)
    if states:
        StateChange.objects.bulk_create(_state_changes(states), ignore_conflicts=True)
    if reasons:
        StopReasonReport.objects.bulk_create(
            [
                StopReasonReport(station_id=r.station_id, at=r.source_time, code=as_text(r)[:64])
                for r in reasons
                if r.station_id is not None
            ],
            ignore_conflicts=True,
        )


def _state_changes(readings: list[Reading]) -> Iterable[StateChange]:
    overrides: dict[int, dict[str, str]] = {}
    for station_id, plc_state, category in StateOverride.objects.filter(
        station_id__in={r.station_id for r in readings}
    ).values_list("station_id", "plc_state", "category"):
        overrides.setdefault(station_id, {})[plc_state] = category
    for r in readings:
        assert r.station_id is not None  # filtered above
        if r.status_code != 0:
            yield StateChange(
                station_id=r.station_id,
                at=r.source_time,
                category=Category.NO_DATA,
                plc_state=f"status {r.status_code:#010x}",
            )
            continue
        yield StateChange(
            station_id=r.station_id,
            at=r.source_time,
            plc_state=as_text(r)[:64],
            category=category_of(
                number=r.value,
                text=r.text if r.value is None else "",
                overrides=overrides.get(r.station_id),
            ),
        )


def _bad_status_only(reading: Reading) -> bool:
    """Stored rejected for its OPC UA status alone, at a time that can be used: for machine time
    that says "state unknown from here", which is worth keeping."""
    return reading.status_code != 0 and EARLIEST <= reading.source_time < LATEST


def as_text(reading: Reading) -> str:
    """The value as the PLC meant it: 6 for a PackML 6.0, the name for a text state."""
    if reading.value is None:
        return reading.text
    return str(int(reading.value)) if reading.value.is_integer() else repr(reading.value)
