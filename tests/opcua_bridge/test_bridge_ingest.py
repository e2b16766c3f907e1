"""End to end through the project's Celery app: PLC -> bridge -> lines.tasks.ingest_batch -> rows.

Embedded mode: the same `apply_async` runs the ingest in the bridge's process (eager). Services
mode: it publishes to REDIS_URL and a worker (started here, solo pool) runs it.
"""

import contextlib
import logging

import pytest
from django.conf import settings

from lines.models import IngestBatch, Line, Sample, Station, Tag
from mes.celery import app
from opcua_bridge.bridge.delivery import CeleryDelivery
from tests.opcua_bridge.servers import BridgeRunner, PlcServer, bridge_config, wait_until
from tests.workers import fresh_worker

pytestmark = pytest.mark.django_db(transaction=True)


def worker_for_the_mode():
    if app.conf.task_always_eager:
        return contextlib.nullcontext()
    assert settings.REDIS_URL, "services mode needs REDIS_URL"
    return fresh_worker()


def test_samples_of_a_plc_are_stored_by_the_ingest_task(tmp_path):
    logging.getLogger("asyncua.server").setLevel(logging.WARNING)
    plc = PlcServer({"COAT-01.ArealLoading": 25.0})
    plc.start()
    line = Line.objects.create(code="T-LINE", name="Test line")
    coater = Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")
    node = plc.node_id("COAT-01.ArealLoading")
    Tag.objects.create(node_id=node, station=coater, parameter="areal_loading_mg_cm2")
    stored = lambda: list(  # noqa: E731
        Sample.objects.filter(node_id=node).order_by("source_time").values_list("value", flat=True)
    )
    with worker_for_the_mode():
        bridge = BridgeRunner(bridge_config(plc.endpoint, tmp_path), CeleryDelivery()).start()
        try:
            wait_until(lambda: bridge.status.connected, timeout=15, what="the bridge to connect")
            plc.write("COAT-01.ArealLoading", 25.2)
            plc.write("COAT-01.ArealLoading", float("nan"))
            wait_until(lambda: len(stored()) == 3, timeout=30, what="three stored samples")
        finally:
            bridge.stop()
        plc.close()

    assert stored()[:2] == [25.0, 25.2]
    nan = Sample.objects.get(node_id=node, value__isnull=True)
    assert nan.station == coater and nan.rejected_reason
    assert IngestBatch.objects.count() == bridge.status.batches_delivered
    assert bridge.status.spool_depth == 0
