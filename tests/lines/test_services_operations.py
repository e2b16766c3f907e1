"""Starting and completing operations along a route: order, stations, holds, results."""

import pytest
from django.db import transaction

from lines import services
from lines.choices import UnitStatus
from lines.models import Operation, Unit
from lines.services import operations
from mes.errors import InvalidInput, RuleViolation
from tests.factories import CELL_STEPS, make_cell


def _run_step(plant, cell, by=None, result="passed"):
    step = cell.current_step
    operation = services.operation_start(unit=cell, station=plant.station(step.station_kind), by=by)
    services.operation_complete(operation=operation, result=result, by=by)
    cell.refresh_from_db()
    return operation


def test_a_cell_walks_its_route_and_is_released_after_the_last_step(plant, operator):
    cell = make_cell(plant, "CELL-1")
    for name, _kind in CELL_STEPS:
        assert cell.current_step.name == name
        _run_step(plant, cell, by=operator)
    assert cell.status == UnitStatus.RELEASED
    assert cell.current_step is None
    assert cell.station == plant.station("eol")
    events = list(cell.history.values_list("event", flat=True))
    assert events == ["created", "started", "route_completed"]
    assert Operation.objects.filter(unit=cell, result="passed").count() == len(CELL_STEPS)


def test_start_records_station_operator_and_moves_unit_in_process(plant, operator):
    cell = make_cell(plant, "CELL-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"), by=operator)
    cell.refresh_from_db()
    assert (operation.step.name, operation.started_by, operation.completed_at) == (
        "stacking",
        operator,
        None,
    )
    assert (cell.status, cell.station) == (UnitStatus.IN_PROCESS, plant.station("stacking"))


def test_a_step_cannot_start_out_of_order(plant):
    cell = make_cell(plant, "CELL-1")
    with pytest.raises(RuleViolation, match="'sealing' is not reached yet") as refused:
        services.operation_start(
            unit=cell, station=plant.station("sealing"), step=plant.step("sealing")
        )
    assert refused.value.field == "step"
    assert Operation.objects.count() == 0
    assert Unit.objects.get(pk=cell.pk).status == UnitStatus.CREATED


def test_a_completed_step_cannot_start_again(plant):
    cell = make_cell(plant, "CELL-1")
    _run_step(plant, cell)
    with pytest.raises(RuleViolation, match="'stacking' was already done"):
        services.operation_start(
            unit=cell, station=plant.station("stacking"), step=plant.step("stacking")
        )
    assert Operation.objects.count() == 1


def test_a_station_of_the_wrong_kind_is_refused(plant):
    cell = make_cell(plant, "CELL-1")
    with pytest.raises(RuleViolation, match="T-SEALING is a Pouch sealing station") as refused:
        services.operation_start(unit=cell, station=plant.station("sealing"))
    assert refused.value.field == "station"


def test_a_unit_cannot_be_started_twice(plant):
    cell = make_cell(plant, "CELL-1")
    services.operation_start(unit=cell, station=plant.station("stacking"))
    with pytest.raises(RuleViolation, match="already in operation at T-STACKING"):
        services.operation_start(unit=cell, station=plant.station("stacking"))
    assert Operation.objects.filter(unit=cell).count() == 1


def test_a_start_only_the_open_operation_index_catches_is_refused_and_the_caller_goes_on(
    plant, monkeypatch
):
    """Two starts racing past the in-code check: the unique index refuses the second, and the
    caller's transaction (the batch of unit events around it) stays usable."""
    cell = make_cell(plant, "CELL-1")
    services.operation_start(unit=cell, station=plant.station("stacking"))
    # As if the first start were not visible yet to the second one's check.
    monkeypatch.setattr(
        operations, "operation_start_check", lambda *, unit, station, step: unit.current_step
    )
    with transaction.atomic():
        with pytest.raises(RuleViolation, match="CELL-1 was just started by someone else"):
            services.operation_start(unit=cell, station=plant.station("stacking"))
        assert Operation.objects.filter(unit=cell).count() == 1
        assert Unit.objects.get(pk=cell.pk).status == UnitStatus.IN_PROCESS


@pytest.mark.parametrize("status", [UnitStatus.ON_HOLD, UnitStatus.SCRAPPED, UnitStatus.CONSUMED])
def test_held_or_finished_units_cannot_start(plant, status):
    cell = make_cell(plant, "CELL-1")
    Unit.objects.filter(pk=cell.pk).update(status=status)
    with pytest.raises(RuleViolation, match="CELL-1 is"):
        services.operation_start(unit=cell, station=plant.station("stacking"))
    assert Operation.objects.count() == 0


def test_an_operation_cannot_complete_while_its_unit_is_on_hold(plant):
    cell = make_cell(plant, "CELL-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    Unit.objects.filter(pk=cell.pk).update(status=UnitStatus.ON_HOLD)
    with pytest.raises(RuleViolation, match="on hold .* Call quality"):
        services.operation_complete(operation=operation, result="passed")
    assert Operation.objects.get(pk=operation.pk).completed_at is None


def test_a_units_without_route_have_nothing_to_start(plant):
    lot = services.material_receive(
        material=plant.nmc, identifier="LOT-1", quantity=1, supplier="S", supplier_lot="L"
    )
    with pytest.raises(RuleViolation, match="has no route"):
        services.operation_start(unit=lot, station=plant.station("mixing"))


def test_a_failed_result_keeps_the_unit_at_the_same_step(plant):
    cell = make_cell(plant, "CELL-1")
    _run_step(plant, cell, result="failed")
    assert cell.current_step.name == "stacking"
    assert cell.status == UnitStatus.IN_PROCESS
    _run_step(plant, cell)
    assert cell.current_step.name == "densification"


def test_complete_refuses_an_unknown_result_and_changes_nothing(plant):
    cell = make_cell(plant, "CELL-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    with pytest.raises(InvalidInput) as refused:
        services.operation_complete(operation=operation, result="ok")
    assert refused.value.field == "result"
    assert Operation.objects.get(pk=operation.pk).completed_at is None


def test_complete_twice_is_refused_with_who_and_when(plant, operator):
    cell = make_cell(plant, "CELL-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    services.operation_complete(operation=operation, result="passed", by=operator)
    with pytest.raises(RuleViolation, match="already completed by olivia.operator"):
        services.operation_complete(operation=operation, result="failed")
    operation.refresh_from_db()
    assert operation.result == "passed"
    assert Unit.objects.get(pk=cell.pk).current_step.name == "densification"


def test_the_history_of_a_back_dated_route_carries_the_operations_times(plant):
    # A PLC's source time, or a record entered after the fact: the status rows say when the
    # unit changed, not when the MES was told (they disagreed by weeks on the demo cells).
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(days=20)
    cell = services.unit_create(
        identifier="CELL-OLD", kind="cell", route=plant.cell_route, at=start
    )
    at = start
    for _name, kind in CELL_STEPS:
        at += timedelta(hours=1)
        operation = services.operation_start(unit=cell, station=plant.station(kind), at=at)
        at += timedelta(minutes=30)
        services.operation_complete(operation=operation, result="passed", at=at)
        cell.refresh_from_db()

    rows = list(cell.history.order_by("at", "id").values_list("event", "at"))
    assert rows == [
        ("created", start),
        ("started", start + timedelta(hours=1)),
        ("route_completed", at),
    ]
    assert Unit.objects.get(pk=cell.pk).created_at == start
