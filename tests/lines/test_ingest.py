"""The ingest of bridge batches: attribution to cells and roll metres, unit events, rejections,
idempotency, and flags and holds through the quality hook."""

from datetime import timedelta

import pytest

from lines.choices import UnitStatus
from lines.ingest import batch_ingest
from lines.models import GenealogyEdge, IngestBatch, Operation, Sample, Unit
from mes.errors import InvalidInput
from quality.models import Flag
from tests.factories import make_spec
from tests.lines.ingest_helpers import (
    T0,
    batch,
    cathode_route,
    feed_lanes,
    map_tags,
    result,
    sample,
)

COAT, STACK = "ns=2;s=COAT", "ns=2;s=STACK"


@pytest.fixture
def mapped(plant):
    map_tags(plant)
    cathode_route(plant)
    make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5, target=25.0)
    make_spec("alignment_mm", "stacking", lsl=-0.2, usl=0.2)
    return plant


def test_coater_values_reach_the_roll_and_its_metres(mapped):
    report = batch_ingest(
        batch=batch(
            [
                sample(f"{COAT}.RollId", "MR-T-1", 0),
                sample(f"{COAT}.WebPosition", 400.0, 1),
                sample(f"{COAT}.ArealLoading", 25.0, 1.1),
                sample(f"{COAT}.WebPosition", 401.0, 2),
                sample(f"{COAT}.ArealLoading", 23.9, 2.1),
                sample(f"{COAT}.WebPosition", 402.0, 3),
                sample(f"{COAT}.ArealLoading", 23.8, 3.1),
            ]
        )
    )

    roll = Unit.objects.get(identifier="MR-T-1")
    assert (roll.kind, roll.status, roll.quantity_initial) == ("roll", UnitStatus.IN_PROCESS, 1200)
    values = Sample.objects.filter(parameter="areal_loading_mg_cm2").order_by("source_time")
    assert [(s.unit_id, s.position_m, s.value) for s in values] == [
        (roll.pk, 400.0, 25.0),
        (roll.pk, 401.0, 23.9),
        (roll.pk, 402.0, 23.8),
    ]
    segment = Flag.objects.get(unit=roll)
    assert (segment.position_from_m, segment.position_to_m, segment.value) == (401.0, 402.0, 23.8)
    assert (report.samples, report.rejected, report.flags, report.problems) == (7, 0, 1, [])


def test_a_new_serial_starts_the_cell_and_a_result_consumes_its_metres_and_completes_it(mapped):
    lanes = feed_lanes()
    report = batch_ingest(
        batch=batch(
            [sample(f"{STACK}.CellSerial", "CELL-T-1", 0), sample(f"{STACK}.Pressure", 1.02, 5)],
            [
                result(
                    STACK,
                    20,
                    serial="CELL-T-1",
                    result="OK",
                    sequence=1,
                    feed_roll="MR-FEED-A",
                    feed_from_m=0.0,
                    feed_to_m=1.2,
                    alignment_mm=0.05,
                )
            ],
        )
    )

    cell = Unit.objects.get(identifier="CELL-T-1")
    assert (cell.work_order, cell.current_step.name) == (mapped.work_order, "densification")
    operation = Operation.objects.get(unit=cell)
    assert (operation.station, operation.result) == (mapped.station("stacking"), "passed")
    assert (operation.started_at - T0, operation.completed_at - T0) == (
        timedelta(0),
        timedelta(seconds=20),
    )
    edge = GenealogyEdge.objects.get(child=cell)
    assert (edge.parent, float(edge.position_from_m), float(edge.position_to_m)) == (
        lanes[0],
        0.0,
        1.2,
    )
    measured = {s.parameter: (s.value, s.unit_id) for s in Sample.objects.filter(unit=cell)}
    assert measured == {"stacking_pressure_mpa": (1.02, cell.pk), "alignment_mm": (0.05, cell.pk)}
    assert report.problems == []


def test_an_out_of_spec_result_holds_the_cell_and_the_completion_is_refused_on_record(mapped):
    feed_lanes()
    report = batch_ingest(
        batch=batch(
            [sample(f"{STACK}.CellSerial", "CELL-T-2", 0)],
            [
                result(
                    STACK,
                    20,
                    serial="CELL-T-2",
                    result="OK",
                    feed_roll="MR-FEED-A",
                    feed_from_m=0.0,
                    feed_to_m=1.2,
                    alignment_mm=0.31,
                )
            ],
        )
    )
    cell = Unit.objects.get(identifier="CELL-T-2")
    assert cell.status == UnitStatus.ON_HOLD
    assert Flag.objects.get(unit=cell).limit == "USL 0.2"
    assert Operation.objects.get(unit=cell).completed_at is None
    assert (
        len(report.problems) == 1 and "CELL-T-2 result: CELL-T-2 is on hold" in report.problems[0]
    )


def test_nothing_is_dropped_bad_values_are_stored_with_their_reason(mapped):
    report = batch_ingest(
        batch=batch(
            [
                sample(f"{COAT}.ArealLoading", 25.0, 1, status=0x808A0000),
                sample(f"{COAT}.ArealLoading", "NaN", 2),
                sample(f"{COAT}.ArealLoading", "twenty-five", 3),
                sample("ns=2;s=NOT.MAPPED", 1.0, 4),
                sample(f"{COAT}.ArealLoading", 25.1, 5),
            ]
        )
    )
    reasons = list(
        Sample.objects.order_by("source_time").values_list("rejected_reason", "raw_value")
    )
    assert reasons == [
        ("OPC UA status 0x808A0000", ""),
        ("not a finite number", "NaN"),
        ("not a number: 'twenty-five'", "twenty-five"),
        ("unknown node: not in the tag map", ""),
        ("", ""),
    ]
    assert (report.samples, report.rejected) == (5, 4)
    assert Flag.objects.get().kind == "data_quality"


def test_a_redelivered_batch_changes_nothing(mapped):
    once = batch([sample(f"{COAT}.RollId", "MR-T-1", 0), sample(f"{COAT}.ArealLoading", 25.0, 1)])
    first = batch_ingest(batch=once)
    again = batch_ingest(batch=once)
    assert (first.duplicate, again.duplicate) == (False, True)
    assert (Sample.objects.count(), IngestBatch.objects.count(), Unit.objects.count()) == (2, 1, 1)


def test_a_later_batch_continues_with_the_unit_already_at_the_station(mapped):
    batch_ingest(batch=batch([sample(f"{STACK}.CellSerial", "CELL-T-3", 0)]))
    batch_ingest(batch=batch([sample(f"{STACK}.Pressure", 0.98, 30)]))
    assert Sample.objects.get(parameter="stacking_pressure_mpa").unit.identifier == "CELL-T-3"


def test_a_unit_id_reported_days_before_the_batch_still_names_the_unit(mapped):
    # The look-up of where a batch starts tries the last day first (lines.ingest.timeline.RECENT)
    batch_ingest(batch=batch([sample(f"{STACK}.CellSerial", "CELL-T-4", 0)]))
    three_days = timedelta(days=3).total_seconds()
    batch_ingest(batch=batch([sample(f"{STACK}.Pressure", 0.98, three_days)]))
    assert Sample.objects.get(parameter="stacking_pressure_mpa").unit.identifier == "CELL-T-4"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([], "batch"),
        ({"batch_id": "not-a-uuid", "samples": []}, "batch_id"),
        ({"batch_id": "6f0c2b8e-3c1e-4c43-9d0e-1b5c7f1e2a90", "samples": "many"}, "samples"),
        ({"batch_id": "6f0c2b8e-3c1e-4c43-9d0e-1b5c7f1e2a90", "samples": [{}] * 50_001}, "samples"),
    ],
)
def test_a_malformed_or_oversized_batch_is_refused_whole(mapped, payload, field):
    with pytest.raises(InvalidInput) as refused:
        batch_ingest(batch=payload)
    assert refused.value.field == field
    assert (Sample.objects.count(), IngestBatch.objects.count()) == (0, 0)


def test_an_unreadable_timestamp_is_kept_as_a_rejection(mapped):
    bad = sample(f"{COAT}.ArealLoading", 25.0, 1) | {"source_time": "yesterday"}
    batch_ingest(batch=batch([bad]))
    assert "ISO 8601" in Sample.objects.get().rejected_reason


def test_oversized_text_node_ids_and_times_are_stored_cut_to_size_not_lost(mapped):
    """What the PLC sends is kept, cut to the column sizes: one such value never fails its batch."""
    long_text = "x" * 400
    report = batch_ingest(
        batch=batch(
            [
                sample(f"{COAT}.ArealLoading", long_text, 1),
                sample("ns=2;s=" + "N" * 300, 1.0, 2),
                sample(f"{COAT}.ArealLoading", 25.0, 3) | {"source_time": "t" * 400},
                sample(f"{COAT}.ArealLoading", 25.1, 4),
            ]
        )
    )
    assert (report.samples, report.rejected) == (4, 3)
    rows = list(Sample.objects.order_by("id").values_list("node_id", "rejected_reason", "value"))
    assert rows[0][1].startswith("not a number: 'xxx") and len(rows[0][1]) == 200
    assert len(rows[1][0]) == 255 and rows[1][1] == "unknown node: not in the tag map"
    assert "ISO 8601" in rows[2][1] and len(rows[2][1]) <= 200
    assert rows[3] == (f"{COAT}.ArealLoading", "", 25.1)


def test_a_result_and_the_move_to_the_next_station_in_one_batch_apply_in_order(mapped):
    feed_lanes()
    report = batch_ingest(
        batch=batch(
            [
                sample(f"{STACK}.CellSerial", "CELL-T-4", 0),
                sample("ns=2;s=WIP.CellSerial", "CELL-T-4", 21),
            ],
            [
                result(
                    STACK,
                    20,
                    serial="CELL-T-4",
                    result="OK",
                    feed_roll="MR-FEED-A",
                    feed_from_m=0.0,
                    feed_to_m=1.2,
                    alignment_mm=0.0,
                )
            ],
        )
    )
    steps = Operation.objects.filter(unit__identifier="CELL-T-4").order_by("started_at")
    assert [(o.station.kind, o.result) for o in steps] == [
        ("stacking", "passed"),
        ("densification", ""),
    ]
    assert report.problems == []
