"""The bridge's sync core: mapping DataValues and events, batching, delivery (the spool and the
forwarder: test_bridge_spool.py)."""

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from asyncua import ua
from celery import Celery

from lines.ingest.wire import sample_count, samples_of
from opcua_bridge.bridge.batcher import Batcher
from opcua_bridge.bridge.delivery import CeleryDelivery, DeliveryError
from opcua_bridge.bridge.mapping import (
    event_from_fields,
    iso_utc,
    sample_from_datavalue,
    sample_key,
)
from tests.opcua_bridge.servers import free_port

NODE = "ns=2;s=COAT-01.ArealLoading"
SOURCE = datetime(2026, 11, 26, 12, 0, 0, 50_000)
SERVER = datetime(2026, 11, 26, 12, 0, 0, 51_000)


def datavalue(value, variant_type=None, status=0, source=SOURCE, server=SERVER):
    variant = ua.Variant(value, variant_type) if variant_type else ua.Variant(value)
    return ua.DataValue(
        variant, StatusCode=ua.StatusCode(status), SourceTimestamp=source, ServerTimestamp=server
    )


# --- mapping ----------------------------------------------------------------------------------


def test_a_good_double_keeps_its_value_timestamps_and_status():
    sample = sample_from_datavalue(NODE, datavalue(25.02, ua.VariantType.Double))

    assert sample == {
        "node_id": NODE,
        "value": 25.02,
        "source_time": "2026-11-26T12:00:00.050000Z",
        "server_time": "2026-11-26T12:00:00.051000Z",
        "status": 0,
    }


def test_a_bad_status_goes_into_the_sample_as_an_integer_with_its_value():
    bad = ua.StatusCodes.BadSensorFailure
    sample = sample_from_datavalue(NODE, datavalue(0.0, ua.VariantType.Double, status=bad))

    assert sample["status"] == int(bad) and sample["status"] >= 0x80000000
    assert sample["value"] == 0.0


def test_nan_and_infinities_become_the_strings_of_the_batch_format():
    values = [float("nan"), float("inf"), float("-inf")]
    mapped = [
        sample_from_datavalue(NODE, datavalue(v, ua.VariantType.Float))["value"] for v in values
    ]

    assert mapped == ["NaN", "Infinity", "-Infinity"]
    json.dumps(mapped, allow_nan=False)  # the batch is strict JSON


def test_strings_booleans_integers_and_null_pass_as_they_are():
    cases = [
        (datavalue("25,02", ua.VariantType.String), "25,02"),
        (datavalue(True, ua.VariantType.Boolean), True),
        (datavalue(21, ua.VariantType.Int32), 21),
        (ua.DataValue(ua.Variant(None), SourceTimestamp=SOURCE), None),
    ]

    assert [sample_from_datavalue(NODE, dv)["value"] for dv, _ in cases] == [
        expected for _, expected in cases
    ]


def test_a_missing_source_timestamp_is_null_and_the_server_time_stays():
    sample = sample_from_datavalue(NODE, datavalue(1.0, source=None))

    assert sample["source_time"] is None
    assert sample["server_time"] == "2026-11-26T12:00:00.051000Z"


def test_an_aware_timestamp_is_converted_to_utc():
    cet = timezone(timedelta(hours=1))

    assert iso_utc(datetime(2026, 11, 26, 13, 0, 0, 123_000, tzinfo=cet)) == (
        "2026-11-26T12:00:00.123000Z"
    )


def test_an_event_keeps_the_machine_fields_and_its_time():
    fields = {
        "EventId": b"\x01\x02",
        "EventType": ua.NodeId("ResultReady", 2),
        "Time": SOURCE,
        "Message": ua.LocalizedText("CELL-000123 OK"),
        "Severity": 100,
        "serial": "CELL-000123",
        "result": "OK",
        "feed_from_m": 401.2,
        "alignment_mm": float("nan"),
        "sequence": 123,
    }

    event = event_from_fields("ns=2;s=STACK-01", "ResultReady", fields, SERVER)

    assert event == {
        "node_id": "ns=2;s=STACK-01",
        "type": "ResultReady",
        "time": "2026-11-26T12:00:00.050000Z",
        "fields": {
            "serial": "CELL-000123",
            "result": "OK",
            "feed_from_m": 401.2,
            "alignment_mm": "NaN",
            "sequence": 123,
        },
    }


# --- batcher ----------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_batcher(clock, max_items=3, max_age_s=0.2):
    return Batcher(
        source="bridge-test@host",
        max_items=max_items,
        max_age_s=max_age_s,
        monotonic=clock,
        utc_now=lambda: datetime(2026, 11, 26, 12, 0, 0, 123_000, tzinfo=UTC),
    )


def _sample(n: int) -> dict:
    return {"node_id": f"ns=2;s=N{n}", "value": float(n), "source_time": None,
            "server_time": f"2026-11-26T12:00:0{n}Z", "status": 0}  # fmt: skip


def test_a_batch_closes_when_it_reaches_its_size():
    batcher = make_batcher(Clock())

    assert batcher.add_sample(_sample(1)) is None
    assert batcher.add_event({"e": 1}) is None
    batch = batcher.add_sample(_sample(2))

    # One list per field, in the order the samples came (docs/telemetry.md, "The batch").
    assert batch["columns"] == {
        "node_id": ["ns=2;s=N1", "ns=2;s=N2"],
        "value": [1.0, 2.0],
        "source_time": [None, None],
        "server_time": ["2026-11-26T12:00:01Z", "2026-11-26T12:00:02Z"],
        "status": [0, 0],
    }
    assert "samples" not in batch and sample_count(batch) == 2
    assert samples_of(batch) == [_sample(1), _sample(2)]  # the objects again, as they came
    assert batch["events"] == [{"e": 1}]
    assert batch["source"] == "bridge-test@host"
    assert batch["created_at"] == "2026-11-26T12:00:00.123000Z"
    assert uuid.UUID(batch["batch_id"]).version == 4
    assert len(batcher) == 0 and batcher.flush() is None


def test_a_batch_is_due_when_its_first_entry_is_older_than_the_time_limit():
    clock = Clock()
    batcher = make_batcher(clock, max_items=100, max_age_s=0.25)
    assert not batcher.due()  # empty: never due

    batcher.add_sample(_sample(1))
    clock.now += 0.125
    batcher.add_sample(_sample(2))
    assert not batcher.due()
    clock.now += 0.125

    assert batcher.due()
    assert batcher.flush()["columns"]["value"] == [1.0, 2.0]
    assert not batcher.due()


def test_every_batch_has_its_own_id():
    batcher = make_batcher(Clock(), max_items=1)

    ids = {batcher.add_sample(_sample(n % 10))["batch_id"] for n in range(200)}

    assert len(ids) == 200


# The spool and the forwarder: tests/opcua_bridge/test_bridge_spool.py


def batch(n: int) -> dict:
    return {"batch_id": f"b{n}", "samples": [{"value": n}], "events": []}


def test_a_sample_without_any_timestamp_is_never_taken_for_a_repeat():
    stamped = sample_from_datavalue(NODE, datavalue(1.0))
    unstamped = sample_from_datavalue(NODE, datavalue(1.0, source=None, server=None))

    assert sample_key(stamped) == sample_key(dict(stamped))
    assert sample_key(unstamped) is None


# --- delivery ---------------------------------------------------------------------------------


# The eager path closes stale database connections after each batch: that touches the
# connection a previous test may have left open, which pytest-django allows only with the mark.
@pytest.mark.django_db
def test_on_an_eager_app_the_same_apply_async_runs_the_task_in_process():
    app = Celery("bridge-eager-test", broker="memory://", set_as_current=False)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    received = []

    @app.task(name="bridge-test.ingest", shared=False)
    def ingest(batch: dict) -> dict:
        received.append(batch)
        return {"stored": sample_count(batch)}

    CeleryDelivery(app, task_name="bridge-test.ingest").deliver(batch(7))

    assert received == [batch(7)]


def test_an_eager_app_without_the_task_refuses_instead_of_losing_the_batch():
    app = Celery("bridge-eager-empty", broker="memory://", set_as_current=False)
    app.conf.task_always_eager = True

    with pytest.raises(DeliveryError, match="bridge-test.missing is not registered"):
        CeleryDelivery(app, task_name="bridge-test.missing").deliver(batch(1))


def test_the_ingest_task_is_lines_tasks_ingest_batch():
    from lines.tasks import ingest_batch

    assert (
        CeleryDelivery(Celery("bridge-name-test", set_as_current=False)).task_name
        == ingest_batch.name
    )


def test_a_dead_broker_raises_a_delivery_error_instead_of_retrying():
    port = free_port()  # nothing listens there
    app = Celery("bridge-dead-broker", broker=f"redis://127.0.0.1:{port}/0", set_as_current=False)

    with pytest.raises(DeliveryError, match="Connection refused"):
        CeleryDelivery(app).deliver(batch(1))
