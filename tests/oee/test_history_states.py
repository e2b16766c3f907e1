"""generate_history writes the stacker's machine time to match its cells: running while cells are
stacked, stops (with the PLC's code) in which no cell is stacked, Suspended after the last cell."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max, Min

from lines.history import context
from lines.models import Operation, Station
from oee.models import StateChange
from oee.selectors.machine_time import station_stops

pytestmark = pytest.mark.django_db


def test_the_stackers_state_history_has_its_stops_where_no_cell_is_stacked(monkeypatch):
    monkeypatch.setattr(context, "STOP_EVERY_CELLS", 60)  # 200 cells: three stops
    out = StringIO()
    call_command("generate_history", cells=200, seed=7, stdout=out)
    assert "Stacker machine time: 8 state changes, 3 stops" in out.getvalue()

    stacker = Station.objects.get(line__code="SSB-L1", kind="stacking")
    changes = list(StateChange.objects.filter(station=stacker).order_by("at"))
    assert [c.plc_state for c in changes] == ["6", "11", "6", "11", "6", "11", "6", "5"]
    stacking = Operation.objects.filter(station=stacker, unit__identifier__startswith="H1-")
    first, last = stacking.aggregate(Min("started_at"), Max("completed_at")).values()
    assert changes[0].at == first
    assert changes[-1].at >= last
    for down, up in zip(changes[1:-1:2], changes[2:-1:2], strict=True):
        assert not stacking.filter(started_at__lt=up.at, completed_at__gt=down.at).exists()
        assert stacking.filter(started_at__gte=up.at).exists()

    found = station_stops(stacker, first, last + timedelta(minutes=1))
    assert [(s.duration_s, s.reason, s.micro_stop) for s in found] == [
        (900.0, "17", False),
        (300.0, "23", False),
        (900.0, "17", False),
    ]
