"""A PLC value that does not change from one unit to the next (the stacker's sheet count, 21 for
every cell) still reaches the MES once per reading, each with its own source time, so each cell
it was measured on has it. Under OPC UA's default data-change trigger (status or value) only the
first 21 arrived: the later cells were 'not measured' while the live panel showed 21."""

import logging
from datetime import UTC, datetime

import pytest

from lines.models import Line, Station, Tag
from tests.opcua_bridge.servers import (
    BridgeRunner,
    PlcServer,
    RecordingDelivery,
    bridge_config,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.WARNING)


@pytest.fixture
def plc():
    server = PlcServer({"STACK-01.SheetCount": 0})
    server.start()
    yield server
    server.close()


def at(second: int) -> datetime:
    return datetime(2026, 11, 26, 12, 0, second, tzinfo=UTC)


def test_an_unchanged_value_with_a_new_source_time_is_delivered_again(plc, tmp_path):
    line = Line.objects.create(code="T-LINE", name="Test line")
    stacker = Station.objects.create(line=line, code="STACK-01", name="Stacker", kind="stacking")
    sheets = plc.node_id("STACK-01.SheetCount")
    Tag.objects.create(
        node_id=sheets,
        station=stacker,
        parameter="sheet_count",
        sampling_interval_ms=10,
        queue_size=50,
    )
    delivery = RecordingDelivery()
    runner = BridgeRunner(bridge_config(plc.endpoint, tmp_path), delivery).start()
    try:
        wait_until(
            lambda: runner.status.subscribed_tags == 1 and delivery.samples(sheets),
            timeout=15,
            what="the subscription and its first value",
        )
        for second in (1, 2, 3):  # three cells, 21 sheets each
            plc.write("STACK-01.SheetCount", 21, source_time=at(second))
        wait_until(
            lambda: len(delivery.samples(sheets)) >= 4,
            timeout=15,
            what="every reading of 21",
        )
    finally:
        runner.stop()

    assert [(s["value"], s["source_time"]) for s in delivery.samples(sheets)[1:]] == [
        (21, "2026-11-26T12:00:01.000000Z"),
        (21, "2026-11-26T12:00:02.000000Z"),
        (21, "2026-11-26T12:00:03.000000Z"),
    ]
