"""Heartbeats against a real asyncua PLC: the MES's counter wraps inside the node's type; a PLC
counter that stops makes /health/bridge fail with the reason."""

import logging
import threading
import time

import pytest
from asyncua import ua

from lines.models import Station, Tag
from mes.ops import health
from tests.factories import make_plant
from tests.opcua_bridge.servers import (
    BridgeRunner,
    PlcServer,
    RecordingDelivery,
    bridge_config,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)
V = ua.VariantType


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.ERROR)


def test_mes_heartbeat_wraps_and_a_stale_plc_heartbeat_degrades_health(
    tmp_path, settings, client, operator
):
    settings.VAR_DIR = tmp_path
    station: Station = make_plant().station("stacking")
    plc = PlcServer({"ST.MesHb": ua.Variant(32765, V.Int16), "ST.PlcHb": ua.Variant(0, V.Int16)})
    plc.start()
    for name, role in (("ST.MesHb", "mes_heartbeat"), ("ST.PlcHb", "plc_heartbeat")):
        Tag.objects.create(node_id=f"ns=2;s={name}", station=station, role=role,
                           sampling_interval_ms=0)  # fmt: skip
    seen: list[int] = []
    beating = threading.Event()
    beating.set()

    def plc_program():  # counts its own heartbeat while `beating`, and watches the MES's
        count = 0
        while beating.is_set() or len(seen) < 8:
            if beating.is_set():
                count += 1
                plc.write("ST.PlcHb", count)
            value = plc.read("ST.MesHb")
            if not seen or seen[-1] != value:
                seen.append(value)
            time.sleep(0.05)

    config = bridge_config(plc.endpoint, tmp_path, heartbeat_s=0.1, plc_heartbeat_stale_s=0.6)
    runner = BridgeRunner(config, RecordingDelivery()).start()
    program = threading.Thread(target=plc_program, daemon=True)
    try:
        program.start()
        wait_until(lambda: 0 in seen and seen[-1] >= 1, timeout=15, what="the wrap to 0")
        assert seen[: seen.index(0) + 1][-2:] == [32767, 0]  # never 32768, never negative
        assert all(0 <= v <= 32767 for v in seen)
        wait_until(lambda: health.bridges()[0], timeout=10, what="a healthy bridge")
        client.force_login(operator)
        page = client.get(f"/station/{station.code}/live/").content.decode()
        assert "data-plc-heartbeat" not in page  # fresh: no banner
        beating.clear()
        ok, detail = wait_until(
            lambda: (result := health.bridges()) and not result[0] and result,
            timeout=10,
            what="health to notice the stale PLC heartbeat",
        )
        assert "PLC heartbeat ns=2;s=ST.PlcHb unchanged for" in detail
        # ... and the station's screen says so, with when the count last moved
        client.force_login(operator)
        page = client.get(f"/station/{station.code}/live/").content.decode()
        assert "PLC heartbeat stale since" in page and "ns=2;s=ST.PlcHb" in page
        client.cookies["django_language"] = "zh-hans"
        page = client.get(f"/station/{station.code}/live/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert "PLC 心跳" in page.content.decode()
    finally:
        beating.clear()
        program.join(10)
        runner.stop()
        plc.close()
