"""The whole chain on the demo line: simulated PLCs -> bridge -> ingest task -> cells, roll metres,
flags and holds. Embedded mode runs the ingest in the bridge's process; services mode publishes
to Redis and a real worker runs it."""

import contextlib

import pytest
from django.core.management import call_command

from lines.models import GenealogyEdge, Operation, Sample, Unit
from mes.celery import app
from opcua_bridge.bridge.delivery import CeleryDelivery
from quality.models import Flag
from tests.opcua_bridge.servers import BridgeRunner, bridge_config, wait_until
from tests.workers import fresh_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _worker():
    if app.conf.task_always_eager:
        return contextlib.nullcontext()
    return fresh_worker()


def test_stacked_cells_consume_feed_metres_and_a_coating_drift_flags_the_roll(
    start_simulator, tmp_path
):
    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0)
    sim = start_simulator(speed=30.0)  # a cell every second of wall time
    with _worker():
        bridge = BridgeRunner(bridge_config(sim.endpoint, tmp_path), CeleryDelivery()).start()
        try:
            wait_until(lambda: bridge.status.connected, timeout=20, what="the bridge to connect")
            wait_until(
                lambda: (
                    GenealogyEdge.objects.filter(parent__identifier="MR-DEMO-01-A").count() >= 2
                ),
                timeout=60,
                what="two stacked cells consuming the demo feed roll",
            )
            sim.call(sim.sim.inject_drift, "COAT-01", "areal_loading_mg_cm2", -2.0, 3.0)
            wait_until(
                lambda: Flag.objects.filter(
                    parameter="areal_loading_mg_cm2", kind="out_of_spec"
                ).exists(),
                timeout=60,
                what="the drift to raise a segment flag on the coated roll",
            )
        finally:
            bridge.stop()

    cells = Unit.objects.filter(kind="cell", identifier__startswith="CELL-SIM-")
    assert cells.exists()
    first = cells.order_by("identifier").first()
    assert Operation.objects.filter(unit=first, station__code="STACK-01").exists()
    ranges = list(
        GenealogyEdge.objects.filter(parent__identifier="MR-DEMO-01-A")
        .order_by("position_from_m")
        .values_list("position_from_m", "position_to_m")
    )
    assert all(a[1] <= b[0] for a, b in zip(ranges, ranges[1:], strict=False)), (
        "metres never overlap"
    )
    flag = Flag.objects.filter(parameter="areal_loading_mg_cm2", kind="out_of_spec").first()
    assert flag.unit.identifier.startswith("MR-SIM-")
    assert flag.position_from_m is not None and flag.position_to_m >= flag.position_from_m
    assert Sample.objects.filter(
        parameter="areal_loading_mg_cm2", unit=flag.unit, position_m__isnull=False
    ).exists()
    assert bridge.status.spool_depth == 0


def test_the_demo_scenario_makes_flags_and_a_held_cell_appear(start_simulator, tmp_path):
    from opcua_bridge.simulator import scenario

    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0)
    sim = start_simulator(speed=30.0)
    # The demo's steps, compressed: a drift reaching -1.5 mg/cm2 within 1 s, held 3 s, a spike.
    drift, _clear, spike = scenario.DEMO[:3]
    fast = [
        scenario.Step(
            0.5, drift.what, lambda s: s.inject_drift("COAT-01", "areal_loading_mg_cm2", -1.5, 1.0)
        ),
        scenario.Step(4.5, "clear", lambda s: s.clear_faults()),
        scenario.Step(5.0, spike.what, spike.act),
    ]
    with _worker():
        bridge = BridgeRunner(bridge_config(sim.endpoint, tmp_path), CeleryDelivery()).start()
        try:
            wait_until(lambda: bridge.status.connected, timeout=20, what="the bridge to connect")
            sim.run(_play_once(sim.sim, fast))
            wait_until(
                lambda: (
                    Flag.objects.filter(parameter="alignment_mm").exists()
                    and Flag.objects.filter(parameter="areal_loading_mg_cm2").exists()
                ),
                timeout=60,
                what="the scenario's coating and stacking flags",
            )
        finally:
            bridge.stop()
    held = Flag.objects.filter(parameter="alignment_mm").first().unit
    assert held.kind == "cell" and held.status == "on_hold"


async def _play_once(simulator, steps) -> None:  # noqa: ANN001
    import asyncio

    started = asyncio.get_running_loop().time()
    for step in steps:
        await asyncio.sleep(max(0.0, started + step.at_s - asyncio.get_running_loop().time()))
        step.act(simulator)
