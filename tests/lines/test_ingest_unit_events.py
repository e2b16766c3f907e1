"""Unit events through the ingest: what is refused is recorded word for word on the batch, and
what is applied writes the same rows as the tablet would (operations, history, edges)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lines import services
from lines.ingest import batch_ingest
from lines.ingest.scope import batch_scope
from lines.ingest.unit_events import UnitEvents
from lines.models import GenealogyEdge, IngestBatch, Operation, RouteStep, Unit, UnitHistory
from quality import services as quality_services
from quality.selectors.spec_cache import SpecResolver
from tests.factories import make_cell
from tests.lines.ingest_helpers import batch, feed_lanes, map_tags, result, sample

STACK, WIP = "ns=2;s=STACK", "ns=2;s=WIP"


@pytest.fixture
def mapped(plant):
    map_tags(plant)
    return plant


def _open_stations(identifier: str) -> list[str]:
    return list(
        Operation.objects.filter(
            unit__identifier=identifier, completed_at__isnull=True
        ).values_list("station__code", flat=True)
    )


def test_an_unknown_feed_roll_is_recorded_and_the_cell_still_completes(mapped):
    report = batch_ingest(
        batch=batch(
            [sample(f"{STACK}.CellSerial", "CELL-U-1", 0)],
            [result(STACK, 10, serial="CELL-U-1", result="OK", feed_roll="MR-NOPE")],
        )
    )
    assert report.problems == ["CELL-U-1: feed roll MR-NOPE is not known to the MES"]
    cell = Unit.objects.get(identifier="CELL-U-1")
    assert (cell.current_step.name, _open_stations("CELL-U-1")) == ("densification", [])
    assert not GenealogyEdge.objects.filter(child=cell).exists()


def test_a_cell_at_the_wrong_station_and_a_held_cell_are_refused_and_start_nothing(mapped):
    make_cell(mapped, "CELL-U-2")  # due for stacking
    held = make_cell(mapped, "CELL-U-3")
    quality_services.hold_place(unit=held, reason="suspect foil")
    report = batch_ingest(
        batch=batch(
            [
                sample(f"{WIP}.CellSerial", "CELL-U-2", 0),
                sample(f"{STACK}.CellSerial", "CELL-U-3", 1),
            ],
            [result(STACK, 5, serial="CELL-U-3", result="OK")],
        )
    )
    assert report.problems == [
        "T-DENSIFICATION CELL-U-2 start: CELL-U-2 is due for 'stacking' (Stacking); "
        "T-DENSIFICATION is a Densification (warm isostatic pressing) station.",
        "T-STACKING CELL-U-3 start: CELL-U-3 is on hold and cannot be started. "
        "Call quality to review the hold.",
        "T-STACKING CELL-U-3 start: CELL-U-3 is on hold and cannot be started. "
        "Call quality to review the hold.",
        "T-STACKING CELL-U-3 result: no open operation to complete",
    ]
    assert not Operation.objects.exists()
    assert IngestBatch.objects.get().problems == report.problems


def test_the_next_serial_completes_the_one_before_where_no_result_is_reported(mapped):
    first, second = make_cell(mapped, "CELL-U-4"), make_cell(mapped, "CELL-U-5")
    for cell in (first, second):
        stacking = services.operation_start(unit=cell, station=mapped.station("stacking"))
        services.operation_complete(operation=stacking, result="passed")
    report = batch_ingest(
        batch=batch(
            [
                sample(f"{WIP}.CellSerial", "CELL-U-4", 0),
                sample(f"{WIP}.CellSerial", "CELL-U-5", 30),
            ]
        )
    )
    assert report.problems == []
    first.refresh_from_db()
    assert (first.current_step.name, first.station, _open_stations("CELL-U-4")) == (
        "sealing",
        mapped.station("densification"),
        [],
    )
    done = Operation.objects.get(unit=first, station=mapped.station("densification"))
    assert (done.result, done.completed_at - done.started_at) == ("passed", timedelta(seconds=30))
    assert _open_stations("CELL-U-5") == ["T-DENSIFICATION"]
    assert list(
        UnitHistory.objects.filter(unit=first).order_by("id").values_list("event", "status_after")
    ) == [("created", "created"), ("started", "in_process")]


def test_a_held_cell_does_not_leave_and_the_next_one_still_starts(mapped):
    first, second = make_cell(mapped, "CELL-U-6"), make_cell(mapped, "CELL-U-7")
    for cell in (first, second):
        stacking = services.operation_start(unit=cell, station=mapped.station("stacking"))
        services.operation_complete(operation=stacking, result="passed")
    batch_ingest(batch=batch([sample(f"{WIP}.CellSerial", "CELL-U-6", 0)]))
    quality_services.hold_place(unit=first, reason="seal check")
    report = batch_ingest(batch=batch([sample(f"{WIP}.CellSerial", "CELL-U-7", 10)]))
    assert report.problems == [
        "T-DENSIFICATION CELL-U-6 leaving: CELL-U-6 is on hold and cannot be completed. "
        "Call quality to review the hold."
    ]
    assert _open_stations("CELL-U-6") == ["T-DENSIFICATION"]
    assert _open_stations("CELL-U-7") == ["T-DENSIFICATION"]


def test_a_held_cell_that_left_is_not_asked_to_leave_again_at_each_later_arrival(mapped):
    """Its refusal was recorded when it left; each later batch repeating it grew the batches'
    problems and their time with every held cell the station had seen."""
    cells = [make_cell(mapped, f"CELL-U-{n}") for n in (20, 21, 22)]
    for cell in cells:
        stacking = services.operation_start(unit=cell, station=mapped.station("stacking"))
        services.operation_complete(operation=stacking, result="passed")
    batch_ingest(batch=batch([sample(f"{WIP}.CellSerial", "CELL-U-20", 0)]))
    quality_services.hold_place(unit=cells[0], reason="seal check")
    first = batch_ingest(batch=batch([sample(f"{WIP}.CellSerial", "CELL-U-21", 10)]))
    later = batch_ingest(batch=batch([sample(f"{WIP}.CellSerial", "CELL-U-22", 20)]))
    assert first.problems == [
        "T-DENSIFICATION CELL-U-20 leaving: CELL-U-20 is on hold and cannot be completed. "
        "Call quality to review the hold."
    ]
    assert later.problems == []
    assert [_open_stations(f"CELL-U-{n}") for n in (20, 21, 22)] == [
        ["T-DENSIFICATION"],
        [],
        ["T-DENSIFICATION"],
    ]


def test_the_same_serial_again_changes_nothing_and_a_consumed_metre_range_is_refused(mapped):
    lanes = feed_lanes()
    stack = [sample(f"{STACK}.CellSerial", "CELL-U-8", 0)]
    batch_ingest(batch=batch(stack))
    report = batch_ingest(
        batch=batch(
            [sample(f"{STACK}.CellSerial", "CELL-U-9", 1), sample(f"{STACK}.CellSerial", "", 2)],
            [
                result(STACK, 3, serial="CELL-U-8", result="OK", feed_roll="MR-FEED-A",
                       feed_from_m=0.0, feed_to_m=1.2),
                result(STACK, 4, serial="CELL-U-9", result="NOK", feed_roll="MR-FEED-A",
                       feed_from_m=0.6, feed_to_m=1.8),
            ],
        )
    )  # fmt: skip
    assert report.problems == [
        "CELL-U-9 consuming MR-FEED-A: Metres 0.6..1.8 of MR-FEED-A overlap metres 0..1.2 "
        "already used. The next free metres are 1.2..1200."
    ]
    assert list(
        GenealogyEdge.objects.filter(child__kind="cell").values_list("parent", "child__identifier")
    ) == [(lanes[0].pk, "CELL-U-8")]
    assert list(
        Operation.objects.filter(unit__identifier__startswith="CELL-U-")
        .order_by("unit__identifier")
        .values_list("unit__identifier", "result")
    ) == [("CELL-U-8", "passed"), ("CELL-U-9", "failed")]


def test_an_arrival_completing_one_cell_and_starting_the_next_stays_within_its_statements(
    mapped, django_assert_max_num_queries
):
    """Unit events are the largest cost of a batch: 29 statements for this one before the
    single reads and no redundant savepoints, 18 before gates and route steps came from the
    worker's configuration cache; a regression shows here first."""
    first, second = make_cell(mapped, "CELL-U-10"), make_cell(mapped, "CELL-U-11")
    wip = mapped.station("densification")
    for cell in (first, second):
        stacking = services.operation_start(unit=cell, station=mapped.station("stacking"))
        services.operation_complete(operation=stacking, result="passed")
    services.operation_start(unit=first, station=wip)
    events = UnitEvents()
    # As in a batch of a running worker: configuration (gates, route steps) read already.
    with batch_scope():
        specs = SpecResolver()
        for step in RouteStep.objects.filter(route_id=second.current_step.route_id):
            specs.requirements(specs.step_before(step)), specs.requirements(step.pk)
    with batch_scope(), django_assert_max_num_queries(17):  # one: the batch's config check
        events.arrived(station=wip, identifier="CELL-U-11", at=timezone.now(), leaves_previous=True)
    assert events.problems == []
    assert (_open_stations("CELL-U-10"), _open_stations("CELL-U-11")) == ([], ["T-DENSIFICATION"])
