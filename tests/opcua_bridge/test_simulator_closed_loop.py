"""The simulated line as the PLC side of the closed loop (issue #15, item 8): the real simulator
(`simulate_line --interlocks`) against the real bridge and the MES's decisions, with the demo's
seed and tag map. Embedded mode decides and ingests in this process; services mode also runs the
ingest on a real Celery worker. Faults are driven directly, not by the demo scenario's clock."""

import asyncio
import contextlib

import pytest
from asyncua import Client, ua
from django.core.management import call_command

from lines.models import (
    GenealogyEdge,
    Interlock,
    Operation,
    Recipe,
    RecipeDownload,
    RouteStep,
    Tag,
    Unit,
    WorkOrder,
)
from mes.celery import app
from opcua_bridge.bridge.delivery import CeleryDelivery
from quality import services as quality_services
from quality.selectors.unit_report import unit_report
from tests.opcua_bridge.servers import BridgeRunner, bridge_config, wait_until
from tests.workers import fresh_worker

pytestmark = pytest.mark.django_db(transaction=True)
STACK, WIP = "STACK-01", "WIP-01"


def _worker():
    if app.conf.task_always_eager:
        return contextlib.nullcontext()
    return fresh_worker()


@pytest.fixture
def line(start_simulator, tmp_path):
    """The seeded demo, the simulated line with interlocks (a cell per wall second), the bridge."""
    yield from _line(start_simulator, tmp_path, speed=30.0)


@pytest.fixture
def slow_line(start_simulator, tmp_path):
    """The same at a cell per 6 wall seconds (the demo's pace): a cell's result event is ingested
    (and judged) while it is on the transfer, before the press asks about it, also on a busy
    machine (at 3 s per cell, one run in several missed it there)."""
    yield from _line(start_simulator, tmp_path, speed=5.0)


def _line(start_simulator, tmp_path, *, speed, prepare=lambda: None):
    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0)
    prepare()
    sim = start_simulator(speed=speed, interlocks=True)
    with _worker():
        bridge = BridgeRunner(bridge_config(sim.endpoint, tmp_path), CeleryDelivery()).start()
        try:
            wait_until(lambda: bridge.status.connected, timeout=20, what="the bridge to connect")
            yield sim
        finally:
            bridge.stop()


def answered(sim, station, side, code=None):
    """Serials the MES answered at a station's side (with `code`, only those)."""
    found = sim.call(sim.sim.answers, station)
    return [r.serial for r, c in found if r.side == side and (code is None or c == code)]


def read_node(endpoint: str, node_id: str):
    async def read():
        async with Client(endpoint, timeout=10) as client:
            return await client.get_node(node_id).read_value()

    return asyncio.run(read())


def test_every_cell_is_checked_in_and_out_at_the_stacker_and_the_press(line):
    sim = line
    wait_until(lambda: answered(sim, WIP, "checkout", 1), timeout=60, what="a cell through WIP")
    serial = answered(sim, WIP, "checkout", 1)[0]
    for station in (STACK, WIP):
        codes = dict(
            Interlock.objects.filter(serial=serial, station__code=station).values_list(
                "side", "code"
            )
        )
        assert codes == {"checkin": 1, "checkout": 1}, (station, codes)
        operation = Operation.objects.get(unit__identifier=serial, station__code=station)
        assert operation.completed_at is not None
    assert sim.call(sim.sim.rejects, STACK) == 0
    # the stacker's result event follows its check-out: it records the feed roll metres on the
    # operation the check-out completed and starts no second one
    wait_until(lambda: GenealogyEdge.objects.filter(child__identifier=serial).exists(),
               timeout=30, what="the cell's feed roll metres")  # fmt: skip
    edge = GenealogyEdge.objects.get(child__identifier=serial)
    assert edge.operation == Operation.objects.get(unit__identifier=serial, station__code=STACK)
    assert read_node(sim.endpoint, sim.call(sim.sim.plc_node_id, WIP, "reject_count")) == 0
    # the PLC's nodes are typed like a PLC's: a Double into the INT response is refused
    with pytest.raises(ua.UaStatusCodeError, match="BadTypeMismatch"):
        asyncio.run(_write(sim.endpoint, "ns=2;s=WIP-01.CheckInResponse", ua.Variant(1.0)))


async def _write(endpoint: str, node_id: str, variant: ua.Variant) -> None:
    async with Client(endpoint, timeout=10) as client:
        await client.get_node(node_id).write_value(ua.DataValue(variant))


def test_a_misaligned_cell_is_refused_and_rejected_and_never_built_on(line, client, operator):
    sim = line
    wait_until(lambda: answered(sim, STACK, "checkout", 1), timeout=60, what="a first cell")
    # The stacker misaligns by +0.45 mm (limit +-0.2, critical: the specs flag and hold the cell)
    sim.call(sim.sim.inject_drift, STACK, "alignment_mm", 0.45, 0.0)
    wait_until(
        lambda: [
            s
            for s in answered(sim, STACK, "checkout")
            if s not in answered(sim, STACK, "checkout", 1)
        ],  # fmt: skip
        timeout=60,
        what="the stacker's check-out of a misaligned cell to be refused",
    )
    sim.call(sim.sim.clear_faults)
    refused = next(s for s in answered(sim, STACK, "checkout") if s not in
                   answered(sim, STACK, "checkout", 1))  # fmt: skip
    record = Interlock.objects.get(serial=refused, station__code=STACK, side="checkout")
    assert record.code in (2, 3)
    assert sim.call(sim.sim.rejects, STACK) >= 1
    node = sim.call(sim.sim.plc_node_id, STACK, "reject_count")
    wait_until(lambda: read_node(sim.endpoint, node) == sim.call(sim.sim.rejects, STACK),
               timeout=10, what="the RejectCount node")  # fmt: skip
    # not built on: the press never asks about it, while later cells go on through
    wait_until(lambda: answered(sim, WIP, "checkin", 1), timeout=60, what="a later cell at WIP")
    stacked_after = len(answered(sim, STACK, "checkout"))
    wait_until(lambda: len(answered(sim, WIP, "checkin")) >= 2, timeout=60, what="two at WIP")
    assert refused not in answered(sim, WIP, "checkin")
    assert stacked_after >= 1
    # visible in the unit's history and on the station screen
    report = unit_report(unit=record.unit)
    assert any(i.pk == record.pk for i, _reason in report.interlocks)
    client.force_login(operator)
    page = client.get(f"/station/{STACK}/live/").content.decode()
    assert refused in page


def test_a_cell_held_in_the_press_is_refused_at_its_check_out_and_not_passed_on(line):
    sim = line
    wait_until(lambda: answered(sim, WIP, "checkin", 1), timeout=60, what="a cell in the press")
    # The next cell the press admits is put on hold while it is in the press, as quality does
    # when its values are flagged: the press's check-out answers 2 and the cell is rejected.
    pressed = sim.call(lambda: sim.sim.model.cells.occupant[WIP])
    wait_until(lambda: sim.call(lambda: sim.sim.model.cells.occupant[WIP]) not in ("", pressed),
               timeout=60, what="the next cell to enter the press")  # fmt: skip
    held_serial = sim.call(lambda: sim.sim.model.cells.occupant[WIP])

    quality_services.hold_place(unit=Unit.objects.get(identifier=held_serial), reason="test")
    wait_until(lambda: held_serial in answered(sim, WIP, "checkout"), timeout=60,
               what="the held cell's check-out")  # fmt: skip
    assert held_serial in answered(sim, WIP, "checkout", 2)
    assert sim.call(sim.sim.rejects, WIP) == 1
    wait_until(lambda: len(answered(sim, WIP, "checkout")) >= 3, timeout=60, what="two more")
    assert held_serial not in sim.call(lambda: list(sim.sim.model.cells.occupant.values()))
    assert not Operation.objects.filter(unit__identifier=held_serial, station__code="SEAL-01")


def test_a_cell_held_after_the_stacker_is_refused_at_the_press_check_in(
    slow_line, client, operator, quality_engineer
):
    """The demo's fault: a stack shifts while unloaded. It passed the stacker's check-out in
    place; the X-ray after unloading (its result event) holds it; the press refuses it at
    check-in (2), rejects it, and the refusal is on the WIP-01 screen and in its history."""
    sim = slow_line
    wait_until(lambda: answered(sim, STACK, "checkout", 1), timeout=60, what="a first cell")
    sim.call(sim.sim.inject_unload_shift, 0.45)

    def shifted():
        return [e["serial"] for e in sim.call(sim.sim.emitted, STACK) if e["alignment_mm"] > 0.3]

    serial = wait_until(shifted, timeout=60, what="the X-ray of a shifted stack")[0]
    assert serial in answered(sim, STACK, "checkout", 1)  # in place at the check-out
    wait_until(lambda: serial in answered(sim, WIP, "checkin"), timeout=60,
               what="the press's check-in of the shifted cell")  # fmt: skip
    assert serial in answered(sim, WIP, "checkin", 2)
    assert sim.call(sim.sim.rejects, WIP) == 1
    node = sim.call(sim.sim.plc_node_id, WIP, "reject_count")
    wait_until(lambda: read_node(sim.endpoint, node) == 1, timeout=10,
               what="WIP-01's RejectCount node")  # fmt: skip
    unit = Unit.objects.get(identifier=serial)
    assert unit.status == "on_hold"
    record = Interlock.objects.get(serial=serial, station__code=WIP, side="checkin")
    assert record.code == 2
    assert not Operation.objects.filter(unit=unit, station__code=WIP).exists()
    # not built on: later cells go on through the press
    wait_until(lambda: len(answered(sim, WIP, "checkin", 1)) >= 2, timeout=60,
               what="later cells at the press")  # fmt: skip
    assert serial not in sim.call(lambda: list(sim.sim.model.cells.occupant.values()))
    # visible in the unit's history and on the press's screen
    report = unit_report(unit=unit)
    assert any(i.pk == record.pk for i, _reason in report.interlocks)
    client.force_login(operator)
    page = client.get(f"/station/{WIP}/live/").content.decode()
    assert serial in page
    client.force_login(quality_engineer)
    history = client.get(f"/quality/units/{serial}/").content.decode()
    interlocks = history.split('id="interlocks"', 1)[1].split("</section>", 1)[0]
    assert "WIP-01" in interlocks and "Check-in" in interlocks


def test_a_recipe_download_moves_the_simulated_process(line, api, integration, settings):
    sim = line
    settings.OPCUA_ENDPOINT = sim.endpoint
    first = Recipe.objects.get(code="RCP-COAT-CATH", version=1)
    Recipe.objects.create(code="RCP-COAT-CATH", version=2, product=first.product,
                          station_kind="coating",
                          setpoints={**first.setpoints, "areal_loading_mg_cm2": 27.0})  # fmt: skip
    api.force_authenticate(integration)
    response = api.post("/api/v1/stations/COAT-01/recipe-download/",
                        {"recipe": "RCP-COAT-CATH"}, format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    node = sim.call(sim.sim.node_id, "COAT-01", "areal_loading_mg_cm2")
    seen = len(sim.call(sim.sim.written, node))

    def recent_mean():
        values = [w.value for w in sim.call(sim.sim.written, node)[seen:] if w.value is not None]
        return sum(values[-10:]) / 10 if len(values) >= 20 else None

    mean = wait_until(recent_mean, timeout=30, what="ten values after the download")
    assert 26.7 < mean < 27.3  # the target moved from 25.0 to 27.0 (sigma 0.1)
    assert Tag.objects.filter(station__code="WIP-01", role="setpoint").count() == 3


@pytest.fixture
def line_with_a_new_press_recipe(start_simulator, tmp_path):
    """The demo line whose route now names version 2 of the press's recipe (450 MPa, not 490),
    with a new work order, before any cell is made: the press's PLC still runs version 1."""

    def prepare():
        first = Recipe.objects.get(code="RCP-WIP-10AH", version=1)
        second = Recipe.objects.create(
            code=first.code, version=2, product=first.product, station_kind=first.station_kind,
            setpoints={**first.setpoints, "isostatic_pressure_mpa": 450.0},
        )  # fmt: skip
        assert RouteStep.objects.filter(recipe=first).update(recipe=second) >= 1
        # a new work order for the new cells: the seeded one has units through the press already
        open_orders = WorkOrder.objects.filter(status__in=["released", "in_progress"],
                                               route__steps__recipe=second)  # fmt: skip
        order = open_orders.order_by("created_at", "id").first()
        WorkOrder.objects.filter(pk__in=open_orders.values("pk")).update(status="completed")
        WorkOrder.objects.create(code="WO-V2", product=order.product, route=order.route,
                                 quantity_planned=100, status="released")  # fmt: skip

    yield from _line(start_simulator, tmp_path, speed=30.0, prepare=prepare)


def test_the_first_cell_of_an_order_at_the_press_downloads_its_recipe_by_itself(
    line_with_a_new_press_recipe,
):
    sim = line_with_a_new_press_recipe
    record = wait_until(
        lambda: RecipeDownload.objects.filter(checkin__isnull=False).first(),
        timeout=60, what="the download after the first check-in at the press",
    )  # fmt: skip
    assert (record.station.code, record.recipe.version, record.ok, record.by) == (WIP, 2, True,
                                                                                  None)  # fmt: skip
    checkin = record.checkin
    assert (checkin.station.code, checkin.side, checkin.code) == (WIP, "checkin", 1)
    first_in = (
        Operation.objects.filter(station__code=WIP, unit__work_order__code="WO-V2")
        .order_by("started_at", "id")
        .first()
    )
    assert checkin.unit == first_in.unit  # the work order's first unit at the press
    pressure = {e["parameter"]: e for e in record.setpoints}["isostatic_pressure_mpa"]
    assert (pressure["value"], pressure["read_back"], pressure["ok"]) == (450.0, 450.0, True)
    # the simulated press runs at the new set-point
    wait_until(lambda: sim.call(sim.sim.model.target, WIP, "isostatic_pressure_mpa") == 450.0,
               timeout=10, what="the press to follow its set-point")  # fmt: skip
    # later cells of the same order check in without another download
    wait_until(lambda: len(answered(sim, WIP, "checkin", 1)) >= 3, timeout=60,
               what="two more cells at the press")  # fmt: skip
    assert RecipeDownload.objects.count() == 1


def test_without_the_mes_heartbeat_new_cells_are_held_and_the_plc_says_so(start_simulator):
    """No bridge counts the MES heartbeat: the stacker raises no check-in (its safe state), its
    MesLink node says why; once the MES counts again the cell is asked about."""
    sim = start_simulator(interlocks=True, mes_heartbeat_timeout_s=0.5, answer_timeout_s=1.0)
    link = sim.call(sim.sim.plc_node_id, STACK, "mes_link")
    request = "ns=2;s=STACK-01.CheckInRequest"
    wait_until(lambda: read_node(sim.endpoint, link).startswith("MES heartbeat lost"),
               timeout=10, what="the MesLink node to say the MES is gone")  # fmt: skip
    assert read_node(sim.endpoint, request) is False
    assert sim.call(sim.sim.answers) == []
    first = read_node(sim.endpoint, "ns=2;s=STACK-01.PlcHeartbeat")
    wait_until(lambda: read_node(sim.endpoint, "ns=2;s=STACK-01.PlcHeartbeat") > first,
               timeout=5, what="the PLC heartbeat to count")  # fmt: skip

    async def beat() -> bool:  # the MES's side of the heartbeat, as the bridge writes it
        async with Client(sim.endpoint, timeout=10) as client:
            node = client.get_node("ns=2;s=STACK-01.MesHeartbeat")
            request_node = client.get_node(request)
            for count in range(1, 60):
                await node.write_value(ua.DataValue(ua.Variant(count, ua.VariantType.Int16)))
                if await request_node.read_value():
                    return True
                await asyncio.sleep(0.1)
        return False

    assert asyncio.run(beat()), "the check-in request never rose with the MES heartbeat back"
    assert read_node(sim.endpoint, link) == "OK"
