"""Odd values from the PLC (issue #19): a time before 1970, NaN in a result event, a finite but
absurd number, numbers and status codes beyond what the columns hold, a metre range of 1e30.

Each is stored as a rejected sample with its reason (or recorded as a problem of the batch), the
good values of the same batch are kept, and the readers (samples API, SPC) answer for whatever
the ingest stored. Runs in both modes: PostgreSQL kept year 1 with an offset as 1 BC, SQLite
crashed the batch.
"""

import math

import pytest

from lines.ingest import batch_ingest
from lines.models import GenealogyEdge, Sample, Unit
from tests.factories import make_spec
from tests.lines.ingest_helpers import batch, cathode_route, feed_lanes, map_tags, result, sample

COAT, STACK = "ns=2;s=COAT", "ns=2;s=STACK"
LOADING = f"{COAT}.ArealLoading"
SAMPLES, SPC = "/api/v1/samples/", "/api/v1/spc/"
SPC_LOADING = {"station": "T-COATING", "parameter": "areal_loading_mg_cm2"}


@pytest.fixture
def mapped(plant):
    map_tags(plant)
    cathode_route(plant)
    make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5, target=25.0)
    return plant


def good(seconds: float, value: float = 25.0) -> dict:
    return sample(LOADING, value, seconds)


def _reasons(parameter: str = "areal_loading_mg_cm2") -> list[str]:
    return list(
        Sample.objects.filter(parameter=parameter)
        .order_by("source_time", "id")
        .values_list("rejected_reason", flat=True)
    )


def _readers_answer(api, user) -> None:
    api.force_authenticate(user)
    listed = api.get(SAMPLES)
    assert listed.status_code == 200, listed.content
    assert api.get(SPC, SPC_LOADING).status_code == 200


@pytest.mark.parametrize(
    "stamp",
    [
        "0001-01-01T00:00:00+01:00",  # 1 BC in UTC: PostgreSQL stored it so, SQLite crashed
        "1601-01-01T00:00:00Z",  # OPC UA's null DateTime
        "1969-12-31T23:59:59.999999Z",
        "9999-12-31T23:00:00-05:00",  # year 10000 in UTC
    ],
)
def test_a_time_outside_the_window_is_a_rejected_sample_and_the_rest_is_kept(
    mapped, stamp, api, operator
):
    odd = {**good(0.5), "source_time": stamp}

    report = batch_ingest(batch=batch([good(0), odd, good(1), good(2, 25.1)]))

    assert (report.samples, report.rejected) == (4, 1)
    rejected = Sample.objects.exclude(rejected_reason="").get()
    assert "1970" in rejected.rejected_reason and stamp in rejected.rejected_reason
    assert rejected.source_time.year == rejected.server_time.year >= 2026  # stamped on arrival
    assert Sample.objects.filter(rejected_reason="").count() == 3
    _readers_answer(api, operator)


def test_a_server_time_outside_the_window_rejects_the_sample_too(mapped):
    odd = {**good(0.5), "source_time": None, "server_time": "0001-01-01T00:00:00+01:00"}

    report = batch_ingest(batch=batch([good(0), odd]))

    assert (report.samples, report.rejected) == (2, 1)
    assert "server_time" in Sample.objects.exclude(rejected_reason="").get().rejected_reason


@pytest.mark.parametrize(
    "value, reason",
    [
        (1.7e308, "out of range"),
        (-1.0000001e15, "out of range"),
        (10**400, "out of range"),
        ("1e30", "out of range"),
        ("1e400", "not a finite number"),
    ],
    ids=["1.7e308", "-1.0000001e15", "10**400", "text 1e30", "text 1e400"],
)
def test_a_number_beyond_the_bound_is_rejected_and_spc_charts_the_rest(
    mapped, value, reason, api, operator
):
    report = batch_ingest(batch=batch([good(0), sample(LOADING, value, 0.5), good(1, 25.1)]))

    assert (report.samples, report.rejected) == (3, 1)
    assert reason in _reasons()[1] and _reasons()[0::2] == ["", ""]
    assert Sample.objects.get(rejected_reason__contains=reason).value is None
    _readers_answer(api, operator)


def test_the_bound_itself_is_a_usable_value(mapped):
    report = batch_ingest(batch=batch([sample(LOADING, -1e15, 0), sample(LOADING, 10**15, 1)]))

    assert report.rejected == 0
    assert sorted(Sample.objects.values_list("value", flat=True)) == [-1e15, 1e15]


@pytest.mark.parametrize("status", [2**70, -1, 2**32, 1.5, "0", None, [0]])
def test_a_status_that_is_no_status_code_is_rejected_not_the_batch(mapped, status):
    report = batch_ingest(batch=batch([good(0), sample(LOADING, 25.0, 0.5, status), good(1)]))

    assert (report.samples, report.rejected) == (3, 1)
    assert "StatusCode" in _reasons()[1] and _reasons()[0::2] == ["", ""]


def test_a_status_code_at_the_top_of_uint32_is_a_bad_status(mapped):
    batch_ingest(batch=batch([sample(LOADING, 25.0, 0, 0xFFFFFFFF)]))

    stored = Sample.objects.get()
    assert (stored.status_code, stored.rejected_reason) == (0xFFFFFFFF, "OPC UA status 0xFFFFFFFF")


def _stacked(lanes, **fields) -> dict:
    return result(
        STACK,
        20,
        serial="CELL-ODD-1",
        result="OK",
        sequence=1,
        feed_roll=lanes[0].identifier,
        feed_from_m=0.0,
        feed_to_m=1.2,
        **fields,
    )


@pytest.mark.parametrize(
    "odd, reason",
    [
        (math.nan, "not a finite number"),
        (math.inf, "not a finite number"),
        ("NaN", "not a finite number"),
        (10**400, "out of range"),
        (1.7e308, "out of range"),
    ],
    ids=["nan", "inf", "text NaN", "10**400", "1.7e308"],
)
def test_an_odd_event_field_is_a_rejected_sample_and_the_cell_completes(
    mapped, odd, reason, api, operator
):
    lanes = feed_lanes()
    event = _stacked(lanes, alignment_mm=0.05, overhang_mm=odd)

    report = batch_ingest(batch=batch([sample(f"{STACK}.CellSerial", "CELL-ODD-1", 0)], [event]))

    cell = Unit.objects.get(identifier="CELL-ODD-1")
    stored = {s.parameter: s for s in Sample.objects.filter(unit=cell)}
    assert (stored["alignment_mm"].value, stored["alignment_mm"].rejected_reason) == (0.05, "")
    assert stored["overhang_mm"].value is None and reason in stored["overhang_mm"].rejected_reason
    assert report.rejected == 1
    assert cell.operations.get().completed_at is not None
    api.force_authenticate(operator)
    assert api.get(SAMPLES, {"unit": cell.pk}).status_code == 200


@pytest.mark.parametrize(
    "odd",
    ["1e30", 1e30, 10**400, math.nan, "x", [1], True],
    ids=["text 1e30", "1e30", "10**400", "nan", "x", "list", "true"],
)
def test_an_odd_feed_metre_is_a_recorded_problem_and_the_rest_of_the_batch_is_kept(mapped, odd):
    lanes = feed_lanes()
    event = {**_stacked(lanes, alignment_mm=0.05)}
    event["fields"] = {**event["fields"], "feed_from_m": odd}

    report = batch_ingest(
        batch=batch([sample(f"{STACK}.CellSerial", "CELL-ODD-1", 0), good(1)], [event])
    )

    assert any("feed_from_m" in problem for problem in report.problems), report.problems
    assert not GenealogyEdge.objects.filter(child__identifier="CELL-ODD-1").exists()
    assert Sample.objects.filter(parameter="alignment_mm", rejected_reason="").count() == 1
    assert Sample.objects.filter(parameter="areal_loading_mg_cm2", rejected_reason="").count() == 1


@pytest.mark.parametrize(
    "event",
    [
        {"node_id": STACK, "type": "ResultReady", "time": "0001-01-01T00:00:00+01:00"},
        {"node_id": STACK, "type": "ResultReady", "time": "soon", "fields": {"serial": "C"}},
        {"node_id": STACK, "type": "ResultReady", "time": None, "fields": []},
    ],
)
def test_an_event_with_no_usable_time_or_fields_is_a_problem_not_a_refused_batch(mapped, event):
    event = {"fields": {"serial": "CELL-ODD-2", "result": "OK"}, **event}

    report = batch_ingest(batch=batch([good(0)], [event]))

    assert len(report.problems) == 1 and "ResultReady" in report.problems[0]
    assert Sample.objects.filter(rejected_reason="").count() == 1
    assert not Unit.objects.filter(identifier="CELL-ODD-2").exists()


@pytest.mark.parametrize("serial", ["C" * 65, {"a": 1}, ["CELL"], "bad serial!"])
def test_a_serial_that_cannot_be_an_identifier_is_a_problem(mapped, serial):
    event = result(STACK, 5, serial=serial, result="OK", alignment_mm=0.05)
    arrivals = [sample(f"{STACK}.CellSerial", serial, 0)] if isinstance(serial, str) else []

    report = batch_ingest(batch=batch([*arrivals, good(1)], [event]))

    assert report.problems and not Unit.objects.filter(kind="cell").exists()
    assert Sample.objects.filter(parameter="areal_loading_mg_cm2", rejected_reason="").count() == 1
