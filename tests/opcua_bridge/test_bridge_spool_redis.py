"""A real broker outage: a redis-server of the test's own goes away mid-stream and comes back.

Batches spool while it is away; when it is back the spool drains in order, then live batches
continue, and the Celery queue in Redis holds exactly the batches produced since the outage
began (the restarted redis has no persistence: what it held before is gone with it).
"""

import base64
import json
import logging
import threading
import time

import pytest
import redis
from celery import Celery

from lines.ingest.wire import samples_of
from lines.models import Line, Station, Tag
from opcua_bridge.bridge.delivery import CeleryDelivery
from tests.opcua_bridge.servers import (
    BridgeRunner,
    PlcServer,
    RedisServer,
    bridge_config,
    wait_until,
)

# It runs a redis-server binary of its own: a service, which a fresh embedded machine lacks.
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.WARNING)


@pytest.fixture
def broker():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def queued_batches(url: str) -> list[dict]:
    """The batches in Celery's default queue, oldest first (kombu LPUSHes, workers pop right)."""
    messages = redis.Redis.from_url(url).lrange("celery", 0, -1)
    batches = []
    for raw in reversed(messages):
        message = json.loads(raw)
        assert message["headers"]["task"] == "lines.ingest_batch"  # lines.tasks.ingest_batch
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        batches.append(args[0])
    return batches


def test_batches_spool_while_the_broker_is_down_and_drain_in_order_when_it_is_back(
    tmp_path, broker
):
    plc = PlcServer({"COAT-01.WebSpeed": 0.0})
    plc.start()
    line = Line.objects.create(code="T-LINE", name="Test line")
    coater = Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")
    node = plc.node_id("COAT-01.WebSpeed")
    Tag.objects.create(node_id=node, station=coater, parameter="web_speed_m_min", queue_size=100)
    app = Celery("bridge-test", broker=broker.url, set_as_current=False)
    app.conf.task_always_eager = False
    bridge = BridgeRunner(bridge_config(plc.endpoint, tmp_path), CeleryDelivery(app)).start()
    written: list[float] = []
    stop_writing = threading.Event()

    def writer():
        while not stop_writing.is_set():
            written.append(float(len(written) + 1))
            plc.write("COAT-01.WebSpeed", written[-1])
            time.sleep(0.005)

    thread = threading.Thread(target=writer)
    status = bridge.status
    try:
        wait_until(lambda: status.connected, timeout=15, what="the bridge to connect")
        thread.start()
        wait_until(lambda: status.batches_delivered >= 3, timeout=15, what="3 batches delivered")

        broker.stop()
        delivered_before_outage = bridge.bridge.forwarder.batches_delivered
        wait_until(lambda: status.spool_depth >= 5, timeout=30, what="5 batches in the spool")
        # Either of the forwarder's two broker calls may be the last to fail and be reported.
        assert status.last_error.startswith(("delivery failed", "cannot read confirmations"))
        broker.start()  # same port, empty
        wait_until(lambda: status.spool_depth == 0, timeout=30, what="the spool to drain")
        after_drain = status.batches_delivered
        wait_until(
            lambda: status.batches_delivered >= after_drain + 3,
            timeout=15,
            what="live batches after the drain",
        )
        stop_writing.set()
        thread.join()
        last = written[-1]
        wait_until(
            lambda: any(
                s["value"] == last for b in queued_batches(broker.url) for s in samples_of(b)
            ),
            timeout=15,
            what="the last written value to reach the queue",
        )
    finally:
        stop_writing.set()
        if thread.is_alive():
            thread.join()
        bridge.stop()
        plc.close()

    queued = queued_batches(broker.url)
    forwarder = bridge.bridge.forwarder
    assert status.spool_depth == 0
    assert forwarder.batches_spooled >= 5
    assert status.batches_created == forwarder.batches_delivered  # none lost, none stuck
    assert len(queued) == forwarder.batches_delivered - delivered_before_outage
    assert len({batch["batch_id"] for batch in queued}) == len(queued)
    created = [batch["created_at"] for batch in queued]
    assert created == sorted(created), "the spool drained in order, then live batches followed"
    values = [sample["value"] for batch in queued for sample in samples_of(batch)]
    assert values == [float(n) for n in range(int(values[0]), int(written[-1]) + 1)], (
        "every value from the first spooled batch to the last write, once, in order"
    )


def test_a_bridge_with_a_queue_publishes_its_batches_to_that_queue_only(broker):
    """One queue per line: a worker started with `-Q ingest.line2` takes only line 2's batches."""
    app = Celery("queue-test", broker=broker.url, set_as_current=False)
    delivery = CeleryDelivery(app, task_name="lines.ingest_batch", queue="ingest.line2")
    try:
        delivery.deliver({"batch_id": "5d2f8a51-0000-4000-8000-000000000002", "samples": []})
    finally:
        delivery.close()
    client = redis.Redis.from_url(broker.url)
    assert client.llen("ingest.line2") == 1
    assert client.llen("celery") == 0
