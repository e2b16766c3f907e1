"""Parsing a batch: the inline path for plain values and the general one give the same columns."""

import math

from lines.ingest.parse import RawValues, _row, batch_parse

T1, T2 = "2026-11-26T12:00:00.050000Z", "2026-11-26T12:00:00.051+00:00"


def _general(items: list[dict]) -> RawValues:
    """Every value through the general per-value parser."""
    seen: dict = {}
    rows = [_row(item, seen) for item in items]
    return RawValues(*map(list, zip(*rows, strict=True)))


def test_every_kind_of_value_parses_as_the_general_parser_says():
    node = "ns=2;s=COAT-01.ArealLoading"
    items = [
        {"node_id": node, "value": 25.02, "source_time": T1, "server_time": T1, "status": 0},
        {"node_id": node, "value": 25.03, "source_time": None, "server_time": T2, "status": 0},
        {"node_id": node, "value": 25.04, "server_time": T1, "status": 0},  # no source time
        {"node_id": node, "value": 25.05, "source_time": T2, "server_time": T1, "status": 0},
        {"node_id": node, "value": 20, "source_time": T1, "server_time": T1, "status": 0},
        {"node_id": node, "value": "NaN", "source_time": T1, "server_time": T1, "status": 0},
        {"node_id": node, "value": math.inf, "source_time": T1, "server_time": T1, "status": 0},
        {"node_id": node, "value": 1.0, "source_time": T1, "server_time": T1, "status": 2**31},
        {"node_id": node, "value": 1.0, "source_time": T1, "server_time": T1, "status": False},
        {"node_id": node, "value": 1.0, "source_time": T1, "server_time": "2026-11-26T12:00:00"},
        {"node_id": node, "value": 1.0, "source_time": T1, "server_time": "yesterday", "status": 0},
        {"node_id": node, "value": 1.0, "source_time": "", "server_time": T2, "status": 0},
        {"node_id": "N" * 300, "value": 1.0, "source_time": T1, "server_time": T1, "status": 0},
        {"node_id": 7, "value": 1.0, "source_time": T1, "server_time": T1, "status": 0},
        {"node_id": node, "value": None, "source_time": T1, "server_time": T1, "status": 0},
        {"node_id": node, "value": True, "source_time": T1, "server_time": T1, "status": 0},
    ]
    parsed = batch_parse(
        {"batch_id": "6f0c2b8e-3c1e-4c43-9d0e-1b5c7f1e2a90", "samples": items}
    ).samples
    expected = _general(items)

    # Values stamped on arrival (unreadable times) carry the parse's own clock: compare the rest.
    for name in ("node_id", "value", "text", "status", "problem"):
        got, want = getattr(parsed, name), getattr(expected, name)
        assert [str(v) for v in got] == [str(v) for v in want], name
    readable = [i for i, problem in enumerate(expected.problem) if "ISO 8601" not in problem]
    for name in ("source_time", "source_us", "server_time"):
        got, want = getattr(parsed, name), getattr(expected, name)
        assert [got[i] for i in readable] == [want[i] for i in readable], name
    assert len(readable) == len(items) - 2
    assert parsed.value[:4] == [25.02, 25.03, 25.04, 25.05]
    assert parsed.source_time[3] != parsed.server_time[3]  # its own source time, not the server's
