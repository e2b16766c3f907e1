"""Property tests of the ingest (issue #19): any JSON value in any field of a sample or of a result
event, parsed and then stored on the database of the mode (SQLite, or PostgreSQL's binary COPY).

Properties: no exception escapes; every value of the batch is stored, usable (a finite number
within the bound, a readable time, status Good) or rejected with a reason; the batch's counts
add up; an event is applied or recorded as a problem.
"""

import math
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lines.ingest import batch_ingest
from lines.ingest.parse import batch_parse
from lines.ingest.wire import columns_of
from lines.models import IngestBatch, Sample
from lines.telemetry_bounds import EARLIEST, LATEST, MAX_ABS_VALUE, MAX_STATUS
from tests.lines.ingest_helpers import cathode_route, feed_lanes, map_tags

# Bounded: the whole suite runs these on every change (docs: tests are never benchmarks).
PARSE = settings(max_examples=150, deadline=None, database=None)
STORE = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STACK = "ns=2;s=STACK"
NODES = [
    "ns=2;s=COAT.RollId",
    "ns=2;s=COAT.WebPosition",
    "ns=2;s=COAT.ArealLoading",
    "ns=2;s=STACK.CellSerial",
    "ns=2;s=STACK.Pressure",
    "ns=2;s=WIP.CellSerial",
]
NOW = datetime.now(UTC).replace(microsecond=0)
ODD_TEXT = [
    "NaN", "Infinity", "-Infinity", "1e30", "1e400", "-0", "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:00:00-05:00", "1601-01-01T00:00:00Z", "2026-13-01T00:00:00Z",
    "2026-11-26T12:00:00+99:00", "MR-P-1", "CELL-P-1", "\x00", "x" * 300,
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(ODD_TEXT),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
stamps = st.one_of(
    st.integers(min_value=-3600, max_value=3600).map(
        lambda s: (NOW + timedelta(seconds=s)).isoformat()
    ),
    json_values,
)
samples = st.fixed_dictionaries(
    {
        "node_id": st.one_of(st.sampled_from(NODES), json_values),
        "value": st.one_of(st.floats(min_value=-100, max_value=100), json_values),
        "source_time": st.one_of(st.none(), stamps),
        "server_time": stamps,
        "status": st.one_of(st.just(0), json_values),
    }
)
FIELD_NAMES = [
    "serial", "result", "sequence", "feed_roll", "feed_from_m", "feed_to_m",
    "alignment_mm", "overhang_mm", "sheet_count", "a" * 70,
]  # fmt: skip
# A stacker's result as it should be, with any field odd: the event is applied far enough to
# reach the consumption and the measurements.
stacked = st.fixed_dictionaries(
    {
        "serial": st.sampled_from(["CELL-P-1", "CELL-P-2", "CELL-P-3"]),
        "result": st.one_of(st.just("OK"), json_values),
        "feed_roll": st.one_of(st.just("MR-FEED-A"), json_values),
        "feed_from_m": st.one_of(st.floats(min_value=0, max_value=290), json_values),
        "feed_to_m": st.one_of(st.floats(min_value=300, max_value=600), json_values),
    },
    optional={
        "alignment_mm": st.one_of(st.floats(min_value=-1, max_value=1), json_values),
        "overhang_mm": json_values,
        "a" * 70: json_values,
    },
)
events = st.fixed_dictionaries(
    {
        "node_id": st.one_of(st.just(STACK), json_values),
        "type": st.one_of(st.just("ResultReady"), json_values),
        "time": stamps,
        "fields": st.one_of(
            stacked,
            st.dictionaries(
                st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8)), json_values
            ),
            json_values,
        ),
    }
)


def _batch(values: list[dict], items: list[dict]) -> dict:
    return {"batch_id": str(uuid.uuid4()), "source": "property", "samples": values, "events": items}


def _usable_time(moment: datetime) -> bool:
    return moment.tzinfo is not None and EARLIEST <= moment < LATEST


@PARSE
@given(values=st.lists(samples, max_size=8), items=st.lists(events, max_size=3))
def test_parsing_any_json_values_keeps_every_value_usable_or_with_a_reason(values, items):
    parsed = batch_parse(_batch(values, items))

    raw = parsed.samples
    assert len(raw) == len(values)
    for i in range(len(raw)):
        assert _usable_time(raw.source_time[i]) and _usable_time(raw.server_time[i])
        assert len(raw.node_id[i]) <= 255 and len(raw.text[i]) <= 200
        if raw.problem[i]:
            continue
        assert raw.status[i] == 0
        if raw.value[i] is None:  # text (a serial, a roll id, ""): judged by its tag
            sent = values[i]["value"]
            assert sent is not None and not isinstance(sent, int | float)
        else:
            assert math.isfinite(raw.value[i]) and abs(raw.value[i]) <= MAX_ABS_VALUE
    assert len(parsed.events) + len(parsed.problems) == len(items)
    assert all(_usable_time(e.time) and isinstance(e.fields, dict) for e in parsed.events)

    # The same values sent as columns (docs/telemetry.md, "The batch") parse the same.
    as_columns = batch_parse({"batch_id": str(uuid.uuid4()), "columns": columns_of(values)})
    for name in ("node_id", "text", "status", "problem"):
        assert getattr(as_columns.samples, name) == getattr(raw, name), name
    assert [str(v) for v in as_columns.samples.value] == [str(v) for v in raw.value]


@pytest.fixture
def mapped(plant):
    map_tags(plant)
    cathode_route(plant)
    feed_lanes()
    return plant


def _stored_row_is_usable_or_rejected(row: Sample) -> None:
    assert _usable_time(row.source_time) and _usable_time(row.server_time)
    if row.rejected_reason:
        return
    assert 0 <= row.status_code <= MAX_STATUS and row.status_code == 0
    if row.value is not None:
        assert math.isfinite(row.value) and abs(row.value) <= MAX_ABS_VALUE
    else:
        assert row.raw_value  # a role tag's text (a serial, a roll id)


@STORE
@given(values=st.lists(samples, max_size=8), items=st.lists(events, max_size=3))
def test_ingesting_any_json_values_stores_every_value_usable_or_rejected(mapped, values, items):
    payload = _batch(values, items)

    report = batch_ingest(batch=payload)

    record = IngestBatch.objects.get(batch_id=payload["batch_id"])
    rows = list(Sample.objects.filter(batch=record))
    assert len(rows) == report.samples == record.samples
    assert sum(1 for r in rows if r.rejected_reason) == report.rejected == record.rejected
    assert sum(1 for r in rows if r.node_id != STACK) == len(values)  # none lost, none doubled
    for row in rows:
        _stored_row_is_usable_or_rejected(row)
    unreadable = len(batch_parse(payload).problems)  # recorded as problems, not applied
    assert record.events + unreadable == len(items) and record.problems == report.problems
