"""Connection gaps end to end, with a real asyncua server on a loopback port: the PLC restarts,
or the bridge is killed and started again; the batches carry the gap, the ingest stores it once
and the station's machine time is no data for it (docs/telemetry.md, "Connection gaps")."""

import logging
import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from asyncua import ua
from django.utils.dateparse import parse_datetime

from lines.ingest import batch_ingest
from lines.models import ConnectionGap, Line, Station, Tag
from oee.selectors.machine_time import state_now, station_timeline
from opcua_bridge.bridge.status import read_status
from tests.opcua_bridge.servers import (
    BridgeRunner,
    PlcServer,
    RecordingDelivery,
    bridge_config,
    wait_until,
)
from tests.opcua_bridge.test_bridge_commands import MANAGE, database_url

pytestmark = pytest.mark.django_db(transaction=True)
STATE = "STACK-01.MachineState"


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.WARNING)


@pytest.fixture
def stacker():
    line = Line.objects.create(code="T-LINE", name="Test line")
    station = Station.objects.create(line=line, code="STACK-01", name="Stacker", kind="stacking")
    Tag.objects.create(node_id=f"ns=2;s={STATE}", station=station, role="machine_state")
    return station


def gaps_in(delivery: RecordingDelivery) -> list[dict]:
    return [gap for batch in list(delivery.batches) for gap in batch.get("gaps", [])]


def ingest_all(delivery: RecordingDelivery) -> None:
    """The real ingest, twice: what a bridge re-sends stores nothing twice."""
    for _ in range(2):
        for batch in list(delivery.batches):
            batch_ingest(batch=batch)


def test_a_plc_restart_is_a_gap_in_the_batches_stored_once_and_no_data_for_the_station(
    tmp_path, stacker
):
    plc = PlcServer({STATE: ua.Variant(6, ua.VariantType.Int32)})  # PackML Execute: running
    plc.start()
    # a station on another PLC in the same tag map: this server has not its node, so this
    # bridge's outage leaves nothing of it unread
    coater = Station.objects.create(
        line=stacker.line, code="COAT-01", name="Coater", kind="coating"
    )
    Tag.objects.create(
        node_id="ns=2;s=OTHER-PLC.MachineState", station=coater, role="machine_state"
    )
    delivery = RecordingDelivery()
    bridge = BridgeRunner(bridge_config(plc.endpoint, tmp_path), delivery).start()
    try:
        wait_until(lambda: bridge.status.connected, timeout=15, what="the bridge to connect")
        wait_until(lambda: delivery.samples(), timeout=15, what="the first state")
        assert gaps_in(delivery) == []  # a first connection is no gap

        plc.stop()
        # the MES hears of the outage while it lasts, not only after it
        wait_until(lambda: gaps_in(delivery), timeout=30, what="the open gap in a batch")
        (opened,) = gaps_in(delivery)
        assert opened["end"] is None and bridge.status.gap_open_since == opened["start"]
        plc.start()  # the same port: the PLC is back
        wait_until(
            lambda: len(gaps_in(delivery)) == 2, timeout=30, what="the closed gap in a batch"
        )
    finally:
        bridge.stop()
        plc.close()

    opened, closed, at_stop = gaps_in(delivery)  # a stop opens a gap too: no one reads the PLC
    assert (closed["start"], opened["stations"], closed["stations"]) == (
        opened["start"],
        ["STACK-01"],
        ["STACK-01"],
    )
    assert closed["end"] > closed["start"] and at_stop["end"] is None
    assert closed["endpoint"] == plc.endpoint

    ingest_all(delivery)
    outage, stopped = ConnectionGap.objects.order_by("start")
    assert (outage.start, outage.end) == (
        parse_datetime(closed["start"]),
        parse_datetime(closed["end"]),
    )
    assert [s.code for s in outage.stations.all()] == ["STACK-01"]
    assert stopped.end is None and stopped.start == parse_datetime(at_stop["start"])

    first = parse_datetime(delivery.samples()[0]["source_time"])
    timeline = station_timeline(stacker, first, stopped.start)
    assert [(i.category, i.start, i.end) for i in timeline] == [
        ("running", first, outage.start),
        ("no_data", outage.start, outage.end),
        ("running", outage.end, stopped.start),
    ]
    assert state_now(stacker, outage.start + (outage.end - outage.start) / 2) == "no_data"
    assert state_now(stacker, stopped.start + timedelta(days=1)) == "no_data"  # not "running"


def test_a_bridge_killed_and_started_again_reports_the_gap_from_its_last_sign_of_life(
    tmp_path, stacker
):
    plc = PlcServer({STATE: ua.Variant(6, ua.VariantType.Int32)})
    plc.start()
    env = dict(os.environ, MES_VAR_DIR=str(tmp_path), DATABASE_URL=database_url())
    env.pop("REDIS_URL", None)  # embedded mode: the ingest runs in the bridge's process
    command = [sys.executable, str(MANAGE), "run_bridge", "--endpoint", plc.endpoint]
    process = subprocess.Popen(
        [*command, "--name", "kill", "--batch-ms", "50"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    status_path = tmp_path / "bridge-status-kill.json"
    delivery = RecordingDelivery()
    try:
        wait_until(
            lambda: (read_status(status_path) or {}).get("samples_total"),
            timeout=60,
            what="run_bridge to read the state",
        )
        process.send_signal(signal.SIGKILL)  # no shutdown, no last word
        process.wait(30)
        last = read_status(status_path)
        assert last is not None and last["state"] == "connected" and not last["gap_open_since"]

        bridge = BridgeRunner(bridge_config(plc.endpoint, tmp_path, name="kill"), delivery)
        bridge.start()
        try:
            wait_until(lambda: bridge.status.connected, timeout=15, what="the new run to connect")
            wait_until(lambda: len(gaps_in(delivery)) == 2, timeout=15, what="the gap closed")
        finally:
            bridge.stop()
    finally:
        if process.poll() is None:
            process.kill()
        plc.close()

    opened, closed, _at_stop = gaps_in(delivery)
    since = parse_datetime(last["updated_at"])
    assert since is not None
    assert parse_datetime(opened["start"]) == since and opened["end"] is None
    assert opened["stations"] == closed["stations"] == last["reading_stations"] == ["STACK-01"]
    assert parse_datetime(closed["start"]) == since and parse_datetime(closed["end"]) > since

    ingest_all(delivery)
    gap = ConnectionGap.objects.get(start=since)
    assert gap.end == parse_datetime(closed["end"])
    assert ConnectionGap.objects.count() == 2  # this gap and the one the stop opened
    assert state_now(stacker, since + (gap.end - since) / 2) == "no_data"
