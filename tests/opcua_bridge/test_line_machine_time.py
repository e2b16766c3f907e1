"""Machine time on the demo line, whole chain: the simulated stacker jams -> its PLC reports
PackML Held with code 17 -> bridge -> ingest -> state history, OEE, downtimes and the Pareto.

Time is compressed: the line runs at speed 30 and the jam lasts 3 s, so the test sets the demo
line's micro-stop threshold to 1 s (the demo's 30 s would make a 3 s jam a micro-stop)."""

import contextlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from lines.models import Line
from mes.celery import app
from oee.models import LineClock, PlcStopCode, StateChange
from oee.selectors.pareto import line_pareto
from opcua_bridge.bridge.delivery import CeleryDelivery
from tests.opcua_bridge.servers import BridgeRunner, bridge_config, wait_until
from tests.workers import fresh_worker

pytestmark = pytest.mark.django_db(transaction=True)
DOWNSTREAM = ("WIP-01", "SEAL-01", "FORM-01", "EOL-01")


def _worker():
    if app.conf.task_always_eager:
        return contextlib.nullcontext()
    return fresh_worker()


def _changes(station: str) -> list[StateChange]:
    return list(StateChange.objects.filter(station__code=station).order_by("at", "id"))


def _jam_over() -> bool:
    categories = [c.category for c in _changes("STACK-01")]
    return "down" in categories and categories[-1] == "running"


def test_a_stacker_jam_is_downtime_with_its_plc_reason_and_tops_the_pareto(
    start_simulator, tmp_path, api, operator
):
    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0)
    line = Line.objects.get(code="SSB-L1")
    LineClock.objects.filter(line=line).update(micro_stop_s=1)
    sim = start_simulator(speed=30.0)  # a cell every second of wall time
    with _worker():
        bridge = BridgeRunner(bridge_config(sim.endpoint, tmp_path), CeleryDelivery()).start()
        try:
            wait_until(lambda: bridge.status.connected, timeout=20, what="the bridge to connect")
            wait_until(
                lambda: all(_changes(s) for s in ("STACK-01", *DOWNSTREAM)),
                timeout=30,
                what="the flow machines' first states",
            )
            sim.call(sim.sim.inject_jam, "STACK-01", 3.0, 17)
            wait_until(_jam_over, timeout=30, what="the stacker to jam and run again")
        finally:
            bridge.stop()
    stacker = _changes("STACK-01")
    start, end = stacker[0].at, timezone.now() + timedelta(seconds=1)

    assert [(c.category, c.plc_state) for c in stacker] == [
        ("running", "6"),
        ("down", "11"),
        ("running", "6"),
    ]
    jam_start, jam_end = stacker[1].at, stacker[2].at
    for station in DOWNSTREAM:
        starved = [c for c in _changes(station) if c.category == "idle"]
        assert [c.plc_state for c in starved] == ["5"], station
        assert jam_start < starved[0].at < jam_end, station

    api.force_authenticate(operator)
    window = {"start": start.isoformat(), "end": end.isoformat()}
    (row,) = api.get("/api/v1/oee/", {"station": "STACK-01", **window}).json()
    assert row["availability"] < 1
    assert row["down_s"] == pytest.approx((jam_end - jam_start).total_seconds())
    stops = api.get("/api/v1/downtimes/", {"station": "STACK-01", **window}).json()
    reason = PlcStopCode.objects.get(station_kind="stacking", plc_code="17").reason
    assert [(s["plc_code"], s["plc_reason"], s["micro_stop"]) for s in stops] == [
        ("17", reason.code, False)
    ]
    assert reason.code == "stacker-misfeed" and reason.parent.code == "stacker-jam"
    bars = line_pareto(line, start, end)
    assert bars[0].key == reason.code
    assert bars[0].seconds == pytest.approx((jam_end - jam_start).total_seconds())
