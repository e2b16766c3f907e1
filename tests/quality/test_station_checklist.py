"""The station card's measurement checklist (quality.station_reads.checklist) reads what the gate
reads: a reading counts for the unit it was taken on, whether the PLC or an operator gave it."""

import pytest

from lines import services as lines_services
from lines.choices import StationKind
from lines.web.station_quality import CHECK_IN, CHECK_MISSING, CHECK_OUT
from mes.errors import RuleViolation
from quality import station_reads
from quality.models import GateRequirement
from tests.factories import add_samples, make_cell, make_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def stacking(plant):
    alignment = make_spec("alignment_mm", StationKind.STACKING, lsl=-0.2, usl=0.2, uom="mm")
    sheets = make_spec("sheet_count", StationKind.STACKING, lsl=21, usl=21, uom="-")
    make_spec("stacking_pressure_mpa", StationKind.STACKING, lsl=0.9, usl=1.1, uom="MPa")
    for spec in (alignment, sheets):
        GateRequirement.objects.create(step=plant.step("stacking"), spec=spec)
    cell = make_cell(plant, "CELL-1")
    operation = lines_services.operation_start(unit=cell, station=plant.station("stacking"))
    return plant.station("stacking"), cell, operation


def states(station, cell, operation):
    items = station_reads.checklist(station=station, unit=cell, operation=operation)
    return [(i.spec.parameter, i.required, i.state, i.value, i.source) for i in items]


def test_required_measurements_come_first_each_with_its_state(plant, stacking):
    station, cell, operation = stacking

    assert states(station, cell, operation) == [
        ("alignment_mm", True, CHECK_MISSING, None, ""),
        ("sheet_count", True, CHECK_MISSING, None, ""),
        ("stacking_pressure_mpa", False, CHECK_MISSING, None, ""),
    ]


def test_a_plc_value_of_another_cell_does_not_count_one_of_this_cell_does(plant, stacking):
    station, cell, operation = stacking
    other = make_cell(plant, "CELL-SIM-000007")
    # The live panel shows the newest PLC value at the station: here the other cell's 21.
    add_samples(station, "sheet_count", [21], unit=other)
    add_samples(station, "alignment_mm", [0.35], unit=cell)

    assert states(station, cell, operation)[:2] == [
        ("alignment_mm", True, CHECK_OUT, 0.35, "plc"),
        ("sheet_count", True, CHECK_MISSING, None, ""),
    ]
    with pytest.raises(RuleViolation, match="sheet_count not measured"):
        lines_services.operation_complete(operation=operation, result="passed")

    add_samples(station, "sheet_count", [21], unit=cell)
    lines_services.measurement_record(
        unit=cell, station=station, parameter="alignment_mm", value="0.05"
    )

    assert states(station, cell, operation)[:2] == [
        ("alignment_mm", True, CHECK_IN, 0.05, "manual"),
        ("sheet_count", True, CHECK_IN, 21.0, "plc"),
    ]
