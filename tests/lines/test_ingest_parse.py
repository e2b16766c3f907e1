"""Parsing a batch: the inline path for plain values and the general one give the same columns,
and a batch sent as columns (one list per field) parses as the same batch sent as samples."""

import math

import pytest

from lines.ingest.parse import RawValues, _row, batch_parse
from lines.ingest.wire import ABSENT, SAMPLE_FIELDS
from mes.errors import InvalidInput

T1, T2 = "2026-11-26T12:00:00.050000Z", "2026-11-26T12:00:00.051+00:00"
NODE = "ns=2;s=COAT-01.ArealLoading"
BATCH_ID = "6f0c2b8e-3c1e-4c43-9d0e-1b5c7f1e2a90"
ITEMS = [
    {"node_id": NODE, "value": 25.02, "source_time": T1, "server_time": T1, "status": 0},
    {"node_id": NODE, "value": 25.03, "source_time": None, "server_time": T2, "status": 0},
    {"node_id": NODE, "value": 25.04, "server_time": T1, "status": 0},  # no source time
    {"node_id": NODE, "value": 25.05, "source_time": T2, "server_time": T1, "status": 0},
    {"node_id": NODE, "value": 20, "source_time": T1, "server_time": T1, "status": 0},
    {"node_id": NODE, "value": "NaN", "source_time": T1, "server_time": T1, "status": 0},
    {"node_id": NODE, "value": math.inf, "source_time": T1, "server_time": T1, "status": 0},
    {"node_id": NODE, "value": 1.0, "source_time": T1, "server_time": T1, "status": 2**31},
    {"node_id": NODE, "value": 1.0, "source_time": T1, "server_time": T1, "status": False},
    {"node_id": NODE, "value": 1.0, "source_time": T1, "server_time": "2026-11-26T12:00:00"},
    {"node_id": NODE, "value": 1.0, "source_time": T1, "server_time": "yesterday", "status": 0},
    {"node_id": NODE, "value": 1.0, "source_time": "", "server_time": T2, "status": 0},
    {"node_id": "N" * 300, "value": 1.0, "source_time": T1, "server_time": T1, "status": 0},
    {"node_id": 7, "value": 1.0, "source_time": T1, "server_time": T1, "status": 0},
    {"node_id": NODE, "value": None, "source_time": T1, "server_time": T1, "status": 0},
    {"node_id": NODE, "value": True, "source_time": T1, "server_time": T1, "status": 0},
]
UNREADABLE = {9, 10}  # stamped on arrival with the parse's own clock


def _general(items: list[dict]) -> RawValues:
    """Every value through the general per-value parser."""
    seen: dict = {}
    rows = [_row(tuple(i.get(n, ABSENT.get(n)) for n in SAMPLE_FIELDS), seen) for i in items]
    return RawValues(*map(list, zip(*rows, strict=True)))


def _as_columns(items: list[dict]) -> dict:
    return {name: [i.get(name, ABSENT.get(name)) for i in items] for name in SAMPLE_FIELDS}


def _same(got: RawValues, want: RawValues) -> None:
    for name in ("node_id", "value", "text", "status", "problem"):
        assert [str(v) for v in getattr(got, name)] == [str(v) for v in getattr(want, name)], name
    readable = [i for i in range(len(want)) if i not in UNREADABLE]
    for name in ("source_time", "source_us", "server_time"):
        got_list, want_list = getattr(got, name), getattr(want, name)
        assert [got_list[i] for i in readable] == [want_list[i] for i in readable], name


def test_every_kind_of_value_parses_as_the_general_parser_says():
    parsed = batch_parse({"batch_id": BATCH_ID, "samples": ITEMS}).samples

    _same(parsed, _general(ITEMS))
    assert all("ISO 8601" in parsed.problem[i] for i in UNREADABLE)
    assert parsed.value[:4] == [25.02, 25.03, 25.04, 25.05]
    assert parsed.source_time[3] != parsed.server_time[3]  # its own source time, not the server's


def test_a_batch_of_columns_parses_as_the_same_batch_of_samples():
    as_rows = batch_parse({"batch_id": BATCH_ID, "samples": ITEMS}).samples
    as_columns = batch_parse({"batch_id": BATCH_ID, "columns": _as_columns(ITEMS)}).samples

    _same(as_columns, as_rows)
    assert len(as_columns) == len(ITEMS)


def test_a_column_left_out_is_null_for_every_value_and_status_good():
    columns = {"node_id": [NODE, NODE], "value": [1.5, 2.5], "server_time": [T1, T2]}
    parsed = batch_parse({"batch_id": BATCH_ID, "columns": columns}).samples

    assert parsed.value == [1.5, 2.5] and parsed.status == [0, 0] and parsed.problem == ["", ""]
    assert parsed.source_time == parsed.server_time  # no source time: the server's


@pytest.mark.parametrize(
    "shape",
    [
        {"columns": {"node_id": [NODE], "value": [1.0, 2.0]}},  # lengths differ
        {"columns": {"node_id": [NODE], "value": 1.0}},  # not a list
        {"columns": {"value": [1.0]}},  # no node ids
        {"columns": [[NODE, 1.0]]},  # not an object
        {"columns": {"node_id": [NODE]}, "samples": [{"node_id": NODE}]},  # both forms
    ],
)
def test_malformed_columns_refuse_the_batch_whole(shape):
    with pytest.raises(InvalidInput) as refused:
        batch_parse({"batch_id": BATCH_ID, **shape})
    assert refused.value.field == "columns"


def test_too_many_values_as_columns_are_refused_like_too_many_samples():
    n = 50_001
    with pytest.raises(InvalidInput, match="Batch too large: 50001 samples"):
        batch_parse({"batch_id": BATCH_ID, "columns": {"node_id": [NODE] * n}})
