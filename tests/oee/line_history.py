"""A stacker's last hours on the test plant: running, a 45 min jam with PLC code 17 that the tree
knows, a 1 min micro-stop, 400 cells of which 8 failed; for the OEE page's tests."""

from datetime import datetime, timedelta

from django.utils import timezone

from lines.models import Operation, Station
from oee.models import DowntimeReason, IdealCycle, PlcStopCode, StateChange, StopReasonReport
from tests.factories import Plant, make_cell


def stacker_history(plant: Plant) -> tuple[Station, datetime]:
    stacker = plant.station("stacking")
    t0 = timezone.now().replace(microsecond=0) - timedelta(hours=4)

    def at(minutes: float) -> datetime:
        return t0 + timedelta(minutes=minutes)

    for m, state, category in [
        (0, "6", "running"),
        (60, "11", "down"),
        (105, "6", "running"),
        (180, "9", "down"),
        (181, "6", "running"),
    ]:
        StateChange.objects.create(station=stacker, at=at(m), plc_state=state, category=category)
    StopReasonReport.objects.create(station=stacker, at=at(60), code="17")
    mech = DowntimeReason.objects.create(code="mech", name="Mechanical", name_zh="机械故障")
    jam = DowntimeReason.objects.create(
        code="mech-jam", parent=mech, name="Stacker jam", name_zh="叠片机卡料"
    )
    PlcStopCode.objects.create(station_kind="stacking", plc_code="17", reason=jam)
    IdealCycle.objects.create(station_kind="stacking", seconds=24)
    step = plant.step("stacking")
    for n in range(400):
        done = at(110 + n * 0.15)
        Operation.objects.create(
            unit=make_cell(plant, f"C-{n:04d}"),
            station=stacker,
            step=step,
            started_at=done - timedelta(seconds=20),
            completed_at=done,
            result="failed" if n < 8 else "passed",
        )
    return stacker, t0
