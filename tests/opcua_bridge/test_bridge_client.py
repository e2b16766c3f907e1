"""The bridge against a real asyncua server, with its tag map read from the database.

The bridge reads the tag map in a worker thread, so these tests commit their rows
(transaction=True) for that thread to see them.
"""

import logging
import threading
import time
from datetime import UTC, datetime

import pytest
from asyncua import ua

from lines.models import Line, Station, Tag, TagRole
from opcua_bridge.bridge.status import read_status
from tests.opcua_bridge.servers import (
    BridgeRunner,
    PlcServer,
    RecordingDelivery,
    bridge_config,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

VARIABLES = {
    "COAT-01.ArealLoading": 25.0,
    "COAT-01.WebSpeed": 8.0,
    "COAT-01.Thickness": "110.0",  # a PLC that sends text for a number
}


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.WARNING)


@pytest.fixture
def plc():
    server = PlcServer(dict(VARIABLES))
    server.start()
    yield server
    server.close()


@pytest.fixture
def coater():
    line = Line.objects.create(code="T-LINE", name="Test line")
    return Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")


@pytest.fixture
def stacker(coater):
    return Station.objects.create(
        line=coater.line, code="STACK-01", name="Stacker", kind="stacking"
    )


def add_tag(station, node_id, parameter="", role="", interval_ms=10):
    return Tag.objects.create(
        node_id=node_id,
        station=station,
        parameter=parameter,
        role=role,
        sampling_interval_ms=interval_ms,
        queue_size=50,
    )


@pytest.fixture
def run_bridge(tmp_path):
    runners = []

    def start(endpoint, delivery, **overrides):
        runner = BridgeRunner(bridge_config(endpoint, tmp_path, **overrides), delivery).start()
        runners.append(runner)
        return runner

    yield start
    for runner in runners:
        runner.stop()


def at(second: int, micro: int = 0) -> datetime:
    return datetime(2026, 11, 26, 12, 0, second, micro, tzinfo=UTC)


def test_samples_reach_delivery_with_node_ids_values_source_times_and_statuses(
    plc, coater, stacker, run_bridge
):
    loading, speed = plc.node_id("COAT-01.ArealLoading"), plc.node_id("COAT-01.WebSpeed")
    thickness = plc.node_id("COAT-01.Thickness")
    add_tag(coater, loading, parameter="areal_loading_mg_cm2")
    add_tag(coater, speed, parameter="web_speed_m_min")
    add_tag(coater, thickness, parameter="coating_thickness_um")
    add_tag(stacker, "ns=2;s=STACK-01", role=TagRole.RESULT_EVENT)
    delivery = RecordingDelivery()
    bridge = run_bridge(plc.endpoint, delivery)
    wait_until(lambda: bridge.status.connected, timeout=15, what="the bridge to connect")
    assert (bridge.status.subscribed_tags, bridge.status.event_nodes) == (3, 1)

    bad = ua.StatusCodes.BadSensorFailure
    plc.write("COAT-01.ArealLoading", 25.02, variant_type=ua.VariantType.Double, source_time=at(1))
    plc.write(
        "COAT-01.ArealLoading", float("nan"), variant_type=ua.VariantType.Double, source_time=at(2)
    )
    plc.write("COAT-01.Thickness", "n/a", variant_type=ua.VariantType.String, source_time=at(3))
    plc.write(
        "COAT-01.WebSpeed", float("inf"), variant_type=ua.VariantType.Double, source_time=at(4)
    )
    plc.write(
        "COAT-01.WebSpeed",
        7.5,
        variant_type=ua.VariantType.Double,
        source_time=at(5),
        status=0x40000000,
    )
    plc.write("COAT-01.WebSpeed", 8.5, variant_type=ua.VariantType.Double, source_time=None)
    plc.write(
        "COAT-01.WebSpeed", 0.0, variant_type=ua.VariantType.Double, source_time=at(6), status=bad
    )
    sequence = plc.fire_result("CELL-000123", "NOK")
    wait_until(
        lambda: (
            len(delivery.samples(speed)) >= 5
            and len(delivery.samples(thickness)) >= 2
            and delivery.events()
        ),
        timeout=15,
        what="the written samples and the result event to be delivered",
    )

    written = [(s["value"], s["source_time"], s["status"]) for s in delivery.samples(loading)[1:]]
    assert written == [
        (25.02, "2026-11-26T12:00:01.000000Z", 0),
        ("NaN", "2026-11-26T12:00:02.000000Z", 0),
    ]
    assert [(s["value"], s["source_time"]) for s in delivery.samples(thickness)] == [
        ("110.0", delivery.samples(thickness)[0]["source_time"]),
        ("n/a", "2026-11-26T12:00:03.000000Z"),
    ]
    by_speed = [(s["value"], s["source_time"], s["status"]) for s in delivery.samples(speed)[1:]]
    assert by_speed[:3] == [
        ("Infinity", "2026-11-26T12:00:04.000000Z", 0),
        (7.5, "2026-11-26T12:00:05.000000Z", 0x40000000),
        (8.5, None, 0),
    ]
    # asyncua sends no value with a Bad status; the sample still arrives, status and all
    assert by_speed[3][1:] == ("2026-11-26T12:00:06.000000Z", int(bad))
    assert all(s["server_time"] for s in delivery.samples())
    [event] = delivery.events()
    assert event["node_id"] == "ns=2;s=STACK-01"
    assert event["type"] == "ResultReady"
    assert event["fields"] == {
        "serial": "CELL-000123",
        "result": "NOK",
        "sequence": sequence,
        "feed_roll": "MR-7-A",
        "feed_from_m": 401.2,
        "feed_to_m": 402.4,
    }
    assert all(
        batch["source"] == "bridge-test@" + batch["source"].split("@")[1]
        for batch in delivery.batches
    )


def test_an_unknown_node_is_reported_and_skipped_while_the_others_flow(
    plc, coater, run_bridge, tmp_path
):
    add_tag(coater, plc.node_id("COAT-01.ArealLoading"), parameter="areal_loading_mg_cm2")
    add_tag(coater, "ns=2;s=COAT-01.NoSuchNode", parameter="coating_width_mm")
    delivery = RecordingDelivery()
    bridge = run_bridge(plc.endpoint, delivery)
    wait_until(lambda: bridge.status.connected, timeout=15, what="the bridge to connect")

    for value in (24.9, 25.1):
        plc.write("COAT-01.ArealLoading", value)
    wait_until(lambda: len(delivery.samples()) >= 3, timeout=15, what="samples of the known node")

    assert {s["node_id"] for s in delivery.samples()} == {plc.node_id("COAT-01.ArealLoading")}
    assert [s["value"] for s in delivery.samples()] == [25.0, 24.9, 25.1]
    skipped = [{"node_id": "ns=2;s=COAT-01.NoSuchNode", "reason": "BadNodeIdUnknown"}]
    assert bridge.status.skipped_nodes == skipped
    on_disk = wait_until(
        lambda: (
            (read_status(tmp_path / "bridge-status-test.json") or {}).get("skipped_nodes")
            == skipped
            and read_status(tmp_path / "bridge-status-test.json")
        ),
        timeout=5,
        what="the status file to report the skipped node",
    )
    assert (on_disk["connected"], on_disk["subscribed_tags"]) == (True, 1)


def test_a_tag_added_to_the_map_is_picked_up_without_a_restart_and_nothing_is_lost(
    plc, coater, run_bridge
):
    loading, speed = plc.node_id("COAT-01.ArealLoading"), plc.node_id("COAT-01.WebSpeed")
    add_tag(coater, loading, parameter="areal_loading_mg_cm2")
    delivery = RecordingDelivery()
    bridge = run_bridge(plc.endpoint, delivery)
    wait_until(lambda: bridge.status.connected, timeout=15, what="the bridge to connect")
    written: list[float] = []
    stop_writing = threading.Event()

    def writer():
        n = 0
        while not stop_writing.is_set():
            n += 1
            plc.write("COAT-01.ArealLoading", float(n))
            written.append(float(n))
            time.sleep(0.01)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_until(lambda: len(written) > 30, timeout=10, what="the writer to get going")
        add_tag(coater, speed, parameter="web_speed_m_min")
        wait_until(
            lambda: bridge.status.subscribed_tags == 2,
            timeout=15,
            what="the new tag to be subscribed",
        )
        wait_until(lambda: len(written) > 100, timeout=10, what="more writes after the reload")
    finally:
        stop_writing.set()
        thread.join()
    plc.write("COAT-01.WebSpeed", 9.0)
    wait_until(
        lambda: (
            [s["value"] for s in delivery.samples(loading)][-1:] == [written[-1]]
            and [s["value"] for s in delivery.samples(speed)][-1:] == [9.0]
        ),
        timeout=15,
        what="the last writes of both tags to be delivered",
    )

    assert [s["value"] for s in delivery.samples(loading)] == [25.0, *written]
    assert [s["value"] for s in delivery.samples(speed)] == [8.0, 9.0]
    assert bridge.status.skipped_nodes == []
