"""Quality gates: after stacking, alignment and sheet count must be measured, usable and in spec."""

import math

import pytest

from lines import services as lines_services
from lines.choices import StationKind, UnitStatus
from lines.models import Operation, Unit
from mes.errors import RuleViolation
from quality import services
from quality.models import Flag, GateRequirement, Spec
from tests.factories import add_samples, make_cell, make_spec


@pytest.fixture
def gated(plant):
    alignment = make_spec("alignment_mm", StationKind.STACKING, lsl=-0.2, usl=0.2)
    sheets = make_spec("sheet_count", StationKind.STACKING, lsl=21, usl=21)
    for spec in (alignment, sheets):
        GateRequirement.objects.create(step=plant.step("stacking"), spec=spec)
    cell = make_cell(plant, "CELL-1")
    operation = lines_services.operation_start(unit=cell, station=plant.station("stacking"))
    return cell, operation


def test_a_gated_step_cannot_complete_without_its_measurements(plant, gated):
    cell, operation = gated
    with pytest.raises(RuleViolation) as refused:
        lines_services.operation_complete(operation=operation, result="passed")
    assert refused.value.message == (
        "CELL-1 cannot complete 'stacking', quality gate: alignment_mm not measured; "
        "sheet_count not measured."
    )
    assert Operation.objects.get(pk=operation.pk).completed_at is None


def test_measured_and_in_spec_the_gate_opens(plant, gated):
    cell, operation = gated
    stacker = plant.station("stacking")
    services.samples_evaluate(
        samples=add_samples(stacker, "alignment_mm", [0.05], unit=cell)
        + add_samples(stacker, "sheet_count", [21], unit=cell)
    )
    lines_services.operation_complete(operation=operation, result="passed")
    assert Unit.objects.get(pk=cell.pk).current_step.name == "densification"


def test_an_out_of_spec_value_flags_and_holds_the_cell_and_the_gate_names_it(plant, gated):
    cell, operation = gated
    stacker = plant.station("stacking")
    flags = services.samples_evaluate(
        samples=add_samples(stacker, "alignment_mm", [0.31], unit=cell)
        + add_samples(stacker, "sheet_count", [21], unit=cell)
    )
    assert [(f.kind, f.value, f.limit) for f in flags] == [("out_of_spec", 0.31, "USL 0.2")]
    assert Unit.objects.get(pk=cell.pk).status == UnitStatus.ON_HOLD
    with pytest.raises(RuleViolation, match="on hold"):
        lines_services.operation_complete(operation=operation, result="passed")


def test_a_nan_reading_is_a_data_quality_flag_that_blocks_the_gate(plant, gated):
    cell, operation = gated
    stacker = plant.station("stacking")
    flags = services.samples_evaluate(
        samples=add_samples(stacker, "alignment_mm", [math.nan], unit=cell)
        + add_samples(stacker, "sheet_count", [21], unit=cell)
    )
    assert [(f.kind, f.value) for f in flags] == [("data_quality", None)]
    assert Unit.objects.get(pk=cell.pk).status == UnitStatus.IN_PROCESS  # no hold, but no pass
    with pytest.raises(RuleViolation) as refused:
        lines_services.operation_complete(operation=operation, result="passed")
    flag = Flag.objects.get()
    assert refused.value.message == (
        f"CELL-1 cannot complete 'stacking', quality gate: open flag {flag.pk}: data quality "
        "(nan, bad status, unreadable) alignment_mm; alignment_mm not measured."
    )


def test_a_bad_status_reading_does_not_count_as_measured(plant, gated):
    cell, operation = gated
    stacker = plant.station("stacking")
    add_samples(stacker, "alignment_mm", [0.0], unit=cell, status_code=0x808A0000)
    add_samples(stacker, "sheet_count", [21], unit=cell)
    with pytest.raises(RuleViolation, match="alignment_mm not measured"):
        lines_services.operation_complete(operation=operation, result="passed")


def test_a_failed_result_may_always_be_recorded(plant, gated):
    cell, operation = gated
    lines_services.operation_complete(operation=operation, result="failed")
    assert Operation.objects.get(pk=operation.pk).result == "failed"


def test_the_next_step_cannot_start_while_a_flag_is_open(plant, gated):
    cell, operation = gated
    stacker = plant.station("stacking")
    services.samples_evaluate(
        samples=add_samples(stacker, "alignment_mm", [0.1], unit=cell)
        + add_samples(stacker, "sheet_count", [21], unit=cell)
    )
    lines_services.operation_complete(operation=operation, result="passed")
    flag = services.samples_evaluate(
        samples=add_samples(stacker, "sheet_count", [None], unit=cell)
    )[0]

    with pytest.raises(RuleViolation) as refused:
        lines_services.operation_start(unit=cell, station=plant.station("densification"))
    assert f"open flag {flag.pk}" in refused.value.message
    assert refused.value.message.startswith("CELL-1 cannot start 'densification'")


def test_each_gated_value_is_judged_by_its_own_spec_s_limits_in_force_when_measured(plant, gated):
    cell, operation = gated
    stacker = plant.station("stacking")
    add_samples(stacker, "alignment_mm", [0.15], unit=cell)
    add_samples(stacker, "sheet_count", [21], unit=cell)
    for parameter, limits in (("alignment_mm", (-0.1, 0.1)), ("sheet_count", (22, 22))):
        services.spec_revise(
            spec=Spec.objects.get(parameter=parameter),
            limits={"lsl": limits[0], "usl": limits[1]},
            reason="tighter",
        )
    lines_services.operation_complete(operation=operation, result="passed")  # measured before

    add_samples(stacker, "alignment_mm", [0.15], unit=cell)  # measured under the new limits
    with pytest.raises(RuleViolation) as refused:
        lines_services.operation_start(unit=cell, station=plant.station("densification"))
    assert refused.value.message == (
        "CELL-1 cannot start 'densification': alignment_mm 0.15 out of spec."
    )
