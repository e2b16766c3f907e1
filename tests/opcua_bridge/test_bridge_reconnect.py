"""A PLC restart mid-stream: the bridge reconnects by itself and values continue, none lost after
the reconnect and none delivered twice. (Values "written" while the server is down do not exist.)"""

import logging

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

INITIAL = 25.0


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.WARNING)


def test_the_bridge_reconnects_after_a_server_restart_and_nothing_is_lost_or_doubled(
    tmp_path, caplog
):
    plc = PlcServer({"COAT-01.ArealLoading": INITIAL})
    plc.start()
    line = Line.objects.create(code="T-LINE", name="Test line")
    coater = Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")
    node = plc.node_id("COAT-01.ArealLoading")
    # the queue holds a burst of 20 writes within one publishing interval (the server drops the
    # oldest beyond queue_size: OPC UA semantics, not the bridge's)
    Tag.objects.create(
        node_id=node, station=coater, parameter="areal_loading_mg_cm2", queue_size=100
    )
    delivery = RecordingDelivery()
    bridge = BridgeRunner(bridge_config(plc.endpoint, tmp_path), delivery).start()
    try:
        wait_until(lambda: bridge.status.connected, timeout=15, what="the bridge to connect")
        values = lambda: [s["value"] for s in delivery.samples(node)]  # noqa: E731
        for n in range(1, 21):
            plc.write("COAT-01.ArealLoading", float(n))
        wait_until(lambda: values()[-1:] == [20.0], timeout=15, what="values 1..20")

        plc.stop()
        wait_until(
            lambda: not bridge.status.connected, timeout=15, what="the bridge to see the loss"
        )
        wait_until(lambda: bridge.status.last_error, timeout=15, what="an error in the status")
        plc.start()  # same port, a fresh server: its value is INITIAL again
        wait_until(
            lambda: bridge.status.connected and bridge.status.reconnects == 1,
            timeout=30,
            what="the bridge to reconnect",
        )
        for n in range(21, 41):
            plc.write("COAT-01.ArealLoading", float(n))
        wait_until(lambda: values()[-1:] == [40.0], timeout=15, what="values 21..40")
    finally:
        bridge.stop()
        plc.close()

    samples = delivery.samples(node)
    assert [s["value"] for s in samples] == [INITIAL, *range(1, 21), INITIAL, *range(21, 41)]
    assert len({(s["source_time"], s["value"]) for s in samples}) == len(samples)
    assert bridge.status.state == "stopped"
    # an outage is not a traceback a second: asyncua's publish-loop traceback is tamed
    assert not [r for r in caplog.records if r.name.startswith("asyncua.client") and r.exc_info]
