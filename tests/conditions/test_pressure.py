"""Pressure history per cell: the figures of a known densification and formation profile, judged
by specs and required by gates like any measurement."""

import math

import numpy as np
import pytest

from conditions.models import PressureProfile
from conditions.pressure import time_at_or_above
from conditions.services.pressure import DERIVED_NODE, pressure_profile_record
from lines import services as lines_services
from lines.choices import UnitStatus
from lines.models import Recipe, Sample
from mes.errors import RuleViolation
from quality import services as quality_services
from quality.choices import FlagKind
from quality.models import AuditEntry, Flag
from tests.conditions.pressure_helpers import END_S, PRESSURE, pressed_cell, s, store
from tests.factories import make_cell, make_spec


def test_time_at_or_above_holds_each_reading_until_the_next():
    times, values = zip(*PRESSURE, strict=True)
    # (60 - 30) + (1860 - 60) = 1830 s at or above 480 MPa; 470 from 1860 to 1900 is below.
    assert time_at_or_above(np.array(times), np.array(values), END_S, 480.0) == 1830.0
    # A NaN reading (a failed sensor) never counts as at pressure
    broken = np.array([200.0, 485.0, math.nan, 470.0])
    assert time_at_or_above(np.array(times), broken, END_S, 480.0) == 30.0


@pytest.fixture
def pressure_spec(plant):
    return make_spec("isostatic_pressure_mpa", "densification", lsl=480.0, usl=500.0, uom="MPa")


def test_a_known_profile_gives_its_figures(plant, pressure_spec):
    cell, operation = pressed_cell(plant)
    profile, flags = pressure_profile_record(operation=operation)
    assert (profile.threshold_mpa, profile.threshold_source) == (480.0, "spec LSL v1")
    assert profile.time_at_pressure_s == 1830.0
    assert (profile.peak_pressure_mpa, profile.peak_temperature_c) == (495.0, 81.5)
    assert profile.plc_hold_time_s == 1800.0
    assert profile.readings == 8
    assert (profile.started_at, profile.ended_at) == (s(0), s(END_S))
    # The figures are samples of the cell, at the press, at the end of the operation
    derived = Sample.objects.filter(unit=cell, node_id=DERIVED_NODE)
    assert dict(derived.values_list("parameter", "value")) == {
        "time_at_pressure_s": 1830.0,
        "peak_pressure_mpa": 495.0,
        "peak_temperature_c": 81.5,
    }
    assert set(derived.values_list("source_time", flat=True)) == {s(END_S)}
    assert flags == []  # no spec on the figures yet
    assert AuditEntry.objects.filter(entity="pressure_profile", entity_id=profile.pk).exists()
    # Recording again changes nothing
    again, _ = pressure_profile_record(operation=operation)
    assert again.pk == profile.pk and derived.count() == 3


def test_without_a_spec_the_recipe_set_point_is_the_threshold(plant):
    recipe = Recipe.objects.create(
        code="T-WIP",
        product=plant.cell_product,
        station_kind="densification",
        setpoints={"isostatic_pressure_mpa": 490.0},
    )
    plant.cell_route.steps.filter(name="densification").update(recipe=recipe)
    _cell, operation = pressed_cell(plant)
    profile, _ = pressure_profile_record(operation=operation)
    assert (profile.threshold_mpa, profile.threshold_source) == (490.0, "recipe T-WIP v1 set-point")
    assert profile.time_at_pressure_s == 1800.0  # only the 495 MPa stretch, 60..1860 s


def test_a_short_hold_is_out_of_spec_and_holds_the_cell(plant, pressure_spec):
    make_spec("time_at_pressure_s", "densification", lsl=1800.0, uom="s", severity="critical")
    short = [(0, 200.0), (30, 490.0), (1800, 300.0)]  # 1770 s at pressure
    cell, operation = pressed_cell(plant, pressure=short)
    profile, flags = pressure_profile_record(operation=operation)
    assert profile.time_at_pressure_s == 1770.0
    assert [(f.kind, f.parameter, f.value, f.limit) for f in flags] == [
        (FlagKind.OUT_OF_SPEC, "time_at_pressure_s", 1770.0, "LSL 1800")
    ]
    cell.refresh_from_db()
    assert cell.status == UnitStatus.ON_HOLD


def test_a_gate_on_the_press_step_requires_the_figure_to_start_sealing(plant, pressure_spec):
    spec = make_spec("time_at_pressure_s", "densification", lsl=1800.0, uom="s")
    quality_services.gate_requirement_create(step=plant.step("densification"), spec=spec)
    # The press step completes: its profile's figures are recorded once it has ended
    cell, press_operation = pressed_cell(plant)
    assert press_operation.result == "passed"
    # Without the profile, sealing cannot start: the figure is not measured
    sealer = plant.station("sealing")
    with pytest.raises(RuleViolation, match="time_at_pressure_s not measured"):
        lines_services.operation_start(unit=cell, station=sealer, at=s(END_S + 10))
    # With it (1830 s, in spec), sealing starts
    pressure_profile_record(operation=press_operation)
    sealing = lines_services.operation_start(unit=cell, station=sealer, at=s(END_S + 10))
    assert sealing.unit_id == cell.pk


def test_formation_stack_pressure_figures(plant):
    make_spec("stack_pressure_mpa", "formation", lsl=2.7, usl=3.3, uom="MPa")
    make_spec("min_stack_pressure_mpa", "formation", lsl=2.7, uom="MPa")
    cell = make_cell(plant, "CELL-F1")
    for name in ("stacking", "densification", "sealing"):
        op = lines_services.operation_start(unit=cell, station=plant.station(name), at=s(-100))
        lines_services.operation_complete(operation=op, result="passed", at=s(-90))
    fixture = plant.station("formation")
    operation = lines_services.operation_start(unit=cell, station=fixture, at=s(0))
    store(cell, fixture, "stack_pressure_mpa", [(0, 3.0), (600, 2.6), (660, 3.05)])
    operation = lines_services.operation_complete(operation=operation, result="passed", at=s(3600))
    profile, flags = pressure_profile_record(operation=operation)
    # 600 s + (3600 - 660) s = 3540 s at or above 2.7 MPa; the dip to 2.6 breaks the minimum
    assert profile.time_at_pressure_s == 3540.0
    assert (profile.min_pressure_mpa, profile.peak_pressure_mpa) == (2.6, 3.05)
    assert profile.peak_temperature_c is None
    names = set(
        Sample.objects.filter(unit=cell, node_id=DERIVED_NODE).values_list("parameter", flat=True)
    )
    assert names == {
        "time_at_stack_pressure_s",
        "min_stack_pressure_mpa",
        "peak_stack_pressure_mpa",
    }
    assert [(f.parameter, f.value) for f in flags] == [("min_stack_pressure_mpa", 2.6)]


def test_an_open_operation_or_another_station_has_no_profile(plant):
    cell = make_cell(plant, "CELL-X")
    stacking = lines_services.operation_start(unit=cell, station=plant.station("stacking"), at=s(0))
    assert pressure_profile_record(operation=stacking) == (None, [])
    lines_services.operation_complete(operation=stacking, result="passed", at=s(10))
    stacking.refresh_from_db()
    assert pressure_profile_record(operation=stacking) == (None, [])
    assert not PressureProfile.objects.exists() and not Flag.objects.exists()
