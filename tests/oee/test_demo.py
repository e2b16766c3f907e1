"""seed_demo gives the demo line its machine time: reason tree, PLC codes, ideal cycles, clock and
a 3 x 8 h calendar, idempotently, and an admin's edits survive a second seed."""

from datetime import datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from lines.models import Line
from oee.models import DowntimeReason, IdealCycle, LineClock, PlcStopCode, ShiftPattern
from oee.selectors.machine_time import line_clock, planned_windows


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_gives_the_line_its_machine_time_once():
    assert "machine time: 11 reasons, 2 PLC codes, 5 ideal cycles, 3 shifts created" in seed()
    line = Line.objects.get(code="SSB-L1")

    jam = PlcStopCode.objects.get(station_kind="stacking", plc_code="17").reason
    assert [jam.code, jam.parent.code, jam.parent.parent.code] == [
        "stacker-misfeed",
        "stacker-jam",
        "mechanical",
    ]
    with translation.override("zh-hans"):
        assert jam.display_name == "极片送料不良"
    assert jam.display_name == "Sheet misfeed"
    # One cell per cell cycle: 30 line seconds at the demo's speed 5 is 6 wall seconds.
    cycles = IdealCycle.objects.filter(product=None).values_list("station_kind", "seconds")
    assert dict(cycles) == {
        "stacking": 6.0,
        "densification": 6.0,
        "sealing": 6.0,
        "formation": 6.0,
        "eol": 6.0,
    }
    clock = LineClock.objects.get(line=line)
    assert (clock.time_zone, clock.micro_stop_s) == ("Europe/Berlin", 30)
    starts = ShiftPattern.objects.filter(line=line).values_list("name", "start", "hours")
    assert [(n, s, int(h)) for n, s, h in starts] == [
        ("Early", time(6), 8),
        ("Late", time(14), 8),
        ("Night", time(22), 8),
    ]
    # The three shifts tile the day: a whole local day is planned production time.
    day = datetime(2026, 3, 10, 6, tzinfo=ZoneInfo("Europe/Berlin"))
    windows = planned_windows(line_clock(line), day, day.replace(day=11))
    assert sum((b - a).total_seconds() for a, b in windows) == 24 * 3600

    LineClock.objects.filter(line=line).update(micro_stop_s=90)
    DowntimeReason.objects.filter(code="changeover").update(name="Format change")
    assert "machine time: 0 reasons, 0 PLC codes, 0 ideal cycles, 0 shifts created" in seed()
    assert LineClock.objects.get(line=line).micro_stop_s == 90
    assert DowntimeReason.objects.get(code="changeover").name == "Format change"
    assert (DowntimeReason.objects.count(), ShiftPattern.objects.count()) == (11, 3)
