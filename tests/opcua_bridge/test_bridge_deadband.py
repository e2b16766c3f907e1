"""Deadband at the source: the tag map's deadband goes to the server in the monitored item's
DataChangeFilter, so a change smaller than it never leaves the PLC; a deadband the server refuses
is reported and the tag is subscribed without it.

The server is asyncua's with the simulator's Part 4 deadband (opcua_bridge/simulator/deadband.py):
asyncua's own measures an absolute deadband against the previous sample (a slow ramp is never
reported) and ignores a percent one.
"""

import io
import json
import logging

import pytest
from django.core.management import call_command

from lines import services
from lines.models import Line, Station, Tag
from opcua_bridge.bridge.status import BridgeStatus, write_status
from tests.opcua_bridge.servers import (
    BridgeRunner,
    PlcServer,
    RecordingDelivery,
    bridge_config,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

START = 20.0
RAMP = [round(START + 0.1 * step, 1) for step in range(1, 31)]  # 20.1 .. 23.0, +0.1 a write
END = 100.0  # past any deadband: once it arrived, everything written before it has


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.WARNING)


@pytest.fixture
def plc():
    server = PlcServer(
        {
            "DRY.Zone1": START,
            "DRY.Zone2": START,
            "DRY.Zone3": START,
            "DRY.Zone4": START,
            "DRY.Label": "A",
        },
        standard_deadband=True,
        eu_ranges={"DRY.Zone3": (0.0, 50.0)},
    )
    server.start()
    yield server
    server.close()


@pytest.fixture
def dryer(db):
    line = Line.objects.create(code="T-LINE", name="Test line")
    return Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")


def tag(plc, station, name, parameter, **deadband) -> str:
    node_id = plc.node_id(name)
    services.tag_create(
        node_id=node_id,
        station=station,
        parameter=parameter,
        sampling_interval_ms=0,
        queue_size=100,
        **deadband,
    )
    return node_id


def values(delivery, node_id) -> list[float]:
    return [sample["value"] for sample in delivery.samples(node_id)]


def ramp(plc, *names) -> None:
    for value in [*RAMP, END]:
        for name in names:
            plc.write(name, value)


def reported(limit: float) -> list[float]:
    """What Part 4 lets through of START, RAMP, END: a value that moved more than `limit` from
    the last one reported."""
    out = [START]
    for value in [*RAMP, END]:
        if abs(value - out[-1]) > limit:
            out.append(value)
    return out


def test_an_absolute_deadband_holds_back_small_changes_and_no_deadband_gets_every_one(
    plc, dryer, tmp_path
):
    banded = tag(plc, dryer, "DRY.Zone1", "dryer_zone_1_c", deadband_kind="absolute",
                 deadband_value=0.5)  # fmt: skip
    plain = tag(plc, dryer, "DRY.Zone2", "dryer_zone_2_c")
    delivery = RecordingDelivery()
    runner = BridgeRunner(bridge_config(plc.endpoint, tmp_path), delivery).start()
    try:
        wait_until(
            lambda: runner.status.subscribed_tags == 2 and values(delivery, banded) == [START],
            timeout=15,
            what="both subscriptions and the first value",
        )
        assert runner.status.deadband_tags == 1
        ramp(plc, "DRY.Zone1", "DRY.Zone2")
        wait_until(
            lambda: END in values(delivery, banded) and END in values(delivery, plain),
            timeout=15,
            what="the end of the ramp on both tags",
        )
    finally:
        runner.stop()

    assert values(delivery, plain) == [START, *RAMP, END]
    got = values(delivery, banded)
    assert got == reported(0.5)
    assert len(got) <= 7  # of 32 values written: 20.0, then about every sixth step, then 100.0
    assert all(abs(later - earlier) > 0.5 for earlier, later in zip(got, got[1:], strict=False))
    assert runner.status.deadband_refused == []


def test_a_refused_deadband_is_reported_and_the_tag_still_arrives(plc, dryer, tmp_path, settings):
    no_range = tag(plc, dryer, "DRY.Zone4", "dryer_zone_4_c", deadband_kind="percent",
                   deadband_value=2)  # fmt: skip
    in_range = tag(plc, dryer, "DRY.Zone3", "dryer_zone_3_c", deadband_kind="percent",
                   deadband_value=2)  # fmt: skip  # 2 % of 0..50 is 1.0
    text = tag(plc, dryer, "DRY.Label", "coating_label", deadband_kind="absolute",
               deadband_value=1)  # fmt: skip
    delivery = RecordingDelivery()
    runner = BridgeRunner(bridge_config(plc.endpoint, tmp_path), delivery).start()
    try:
        wait_until(
            lambda: runner.status.subscribed_tags == 3,
            timeout=15,
            what="three subscriptions",
        )
        ramp(plc, "DRY.Zone3", "DRY.Zone4")
        plc.write("DRY.Label", "B")
        wait_until(
            lambda: (
                END in values(delivery, no_range)
                and END in values(delivery, in_range)
                and "B" in values(delivery, text)
            ),
            timeout=15,
            what="the end of the ramp and the new label",
        )
        wait_until(
            lambda: (tmp_path / "bridge-status-test.json").exists(), timeout=5, what="status file"
        )
    finally:
        runner.stop()

    assert runner.status.deadband_refused == [
        {"node_id": text, "deadband": "absolute 1", "reason": "BadFilterNotAllowed"},
        {"node_id": no_range, "deadband": "percent 2", "reason": "BadDeadbandFilterInvalid"},
    ]
    assert runner.status.skipped_nodes == []
    assert runner.status.deadband_tags == 1
    health = runner.status.tags  # per tag, as the tag API and the admin read it
    assert (health[no_range]["deadband_refused"], health[no_range]["failing"]) == (
        "BadDeadbandFilterInvalid",
        False,
    )
    assert health[in_range]["deadband_refused"] == ""
    assert values(delivery, no_range) == [START, *RAMP, END]  # subscribed without the filter
    assert values(delivery, in_range) == reported(1.0)

    status = json.loads((tmp_path / "bridge-status-test.json").read_text())
    assert [node["node_id"] for node in status["deadband_refused"]] == [text, no_range]
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("bridge_status", name="test", stdout=out)
    lines = out.getvalue().splitlines()
    assert "deadband_tags      1" in lines
    assert (
        f"deadband refused   {no_range} (percent 2): BadDeadbandFilterInvalid, "
        "subscribed without it"
    ) in lines


def test_a_deadband_set_in_the_tag_map_re_creates_the_monitored_item(plc, dryer, tmp_path):
    node_id = tag(plc, dryer, "DRY.Zone1", "dryer_zone_1_c")
    delivery = RecordingDelivery()
    runner = BridgeRunner(bridge_config(plc.endpoint, tmp_path), delivery).start()
    try:
        wait_until(
            lambda: runner.status.subscribed_tags == 1 and values(delivery, node_id),
            timeout=15,
            what="the subscription",
        )
        assert runner.status.deadband_tags == 0
        services.tag_update(
            tag=Tag.objects.get(node_id=node_id), deadband_kind="absolute", deadband_value=0.5
        )
        wait_until(lambda: runner.status.deadband_tags == 1, timeout=15, what="the new item")
        before = len(delivery.samples(node_id))
        ramp(plc, "DRY.Zone1")
        wait_until(lambda: END in values(delivery, node_id), timeout=15, what="the ramp's end")
    finally:
        runner.stop()

    assert values(delivery, node_id)[before:] == reported(0.5)[1:]


def test_the_admin_shows_a_deadband_the_running_bridge_says_the_server_refused(
    plc, dryer, settings, tmp_path, admin_client
):
    refused = tag(plc, dryer, "DRY.Zone4", "dryer_zone_4_c", deadband_kind="percent",
                  deadband_value=2)  # fmt: skip
    applied = tag(plc, dryer, "DRY.Zone1", "dryer_zone_1_c", deadband_kind="absolute",
                  deadband_value=0.5)  # fmt: skip
    settings.VAR_DIR = tmp_path
    status = BridgeStatus(name="line7", endpoint=plc.endpoint, state="connected")
    status.tags = {
        node_id: {
            "last_value_at": None,
            "last_error": "",
            "last_error_at": None,
            "failing": False,
            "deadband_refused": code,
        }  # fmt: skip
        for node_id, code in ((refused, "BadDeadbandFilterInvalid"), (applied, ""))
    }
    write_status(tmp_path / "bridge-status-line7.json", status)

    page = admin_client.get("/admin/lines/tag/").content.decode()

    assert "2 % <strong" in page
    assert "refused by the server (BadDeadbandFilterInvalid): every reading arrives" in page
    assert "±0.5</td>" in page
