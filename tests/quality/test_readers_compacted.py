"""Quality's readers of samples answer the same once the samples are compacted into segments:
each scenario is computed on hot rows, everything is compacted, and it is computed again."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from lines import services as lines_services
from lines.choices import StationKind
from lines.models import Sample, SampleSegment, Unit
from lines.selectors import samples
from lines.services.telemetry_compaction import samples_compact
from quality import services, station_reads
from quality.models import Flag, GateRequirement
from quality.selectors.flag_queue import flag_context
from quality.selectors.roll_map import roll_map, whole_roll_flags
from quality.selectors.trace_drill import recall_report, recall_suspects
from quality.selectors.unit_report import unit_report
from quality.services import gates
from tests.factories import add_samples, make_cell, make_spec
from tests.quality.test_spc_flags import BASELINE
from tests.quality.test_trace_drill import _coated_and_stacked

pytestmark = pytest.mark.django_db
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def compact_all() -> None:
    done = samples_compact(before=FAR_FUTURE)
    assert done.samples > 0 and not Sample.objects.exists()
    assert SampleSegment.objects.exists()


@pytest.fixture
def coated(plant):
    """A mother roll coated 5 h ago (120 positioned readings), slit, cells stacked from its
    lanes; a spec on its loading, and a manual out-of-spec reading of a lane (a whole-roll flag
    with its sample)."""
    make_spec("areal_loading_mg_cm2", StationKind.COATING, lsl=24, usl=26)
    t0 = timezone.now() - timedelta(hours=5)
    coater = _coated_and_stacked(plant, t0)
    mother, lane = Unit.objects.get(identifier="MR-1"), Unit.objects.get(identifier="MR-1-A")
    lines_services.measurement_record(
        unit=lane, station=coater, parameter="areal_loading_mg_cm2", value="27.5"
    )
    flag = Flag.objects.get(unit=lane, position_from_m__isnull=True)
    return coater, mother, t0, flag


def drill(coater, t0) -> dict:
    window = recall_suspects(
        station=coater,
        start=t0 + timedelta(seconds=7.5 * 425),
        end=t0 + timedelta(seconds=7.5 * 465),
    )
    return recall_report(window)


def context_of(flag) -> tuple:
    context = flag_context(flag=Flag.objects.get(pk=flag.pk))
    return context.samples, context.flagged_ids, context.hold, context.affected_count


def test_the_recall_drill_is_bounded_by_the_same_metres(plant, coated):
    coater, _, t0, _ = coated
    hot = drill(coater, t0)
    assert hot["sources"] == [{"unit": "MR-1", "bound": "metres 430..460", "cells": 4}]
    compact_all()
    assert drill(coater, t0) == hot


def test_the_roll_map_and_its_whole_roll_flags_are_the_same(plant, coated):
    _, mother, _, flag = coated
    lane = flag.unit
    hot = repr(roll_map(roll=mother)), whole_roll_flags(roll=lane)
    assert [(f.flag, f.source) for f in hot[1]] == [(flag, "manual")]
    assert "areal_loading_mg_cm2" in hot[0]
    compact_all()
    assert (
        repr(roll_map(roll=Unit.objects.get(pk=mother.pk))),
        whole_roll_flags(roll=lane),
    ) == hot


def test_the_unit_report_summarises_the_same_readings(plant, coated):
    _, mother, _, _ = coated
    hot = unit_report(unit=mother).samples
    assert [(row["parameter"], row["count"]) for row in hot] == [("areal_loading_mg_cm2", 120)]
    compact_all()
    assert unit_report(unit=mother).samples == hot


def test_a_flag_s_context_shows_the_same_readings_around_it(plant, coated):
    _, _, _, flag = coated
    hot = context_of(flag)
    assert len(hot[0]) == 61  # 60 readings before the flag's own one
    assert hot[1] == set(flag.sample_ids)
    compact_all()
    assert context_of(flag) == hot


def test_the_gate_and_the_checklist_read_the_same_latest_usable_values(plant):
    alignment = make_spec("alignment_mm", StationKind.STACKING, lsl=-0.2, usl=0.2, uom="mm")
    sheets = make_spec("sheet_count", StationKind.STACKING, lsl=21, usl=21, uom="-")
    for spec in (alignment, sheets):
        GateRequirement.objects.create(step=plant.step("stacking"), spec=spec)
    station = plant.station("stacking")
    cell, other = make_cell(plant, "CELL-1"), make_cell(plant, "CELL-2")
    operation = lines_services.operation_start(unit=cell, station=station)
    add_samples(station, "sheet_count", [21], unit=other)
    add_samples(station, "alignment_mm", [0.35, 0.05], unit=cell)
    add_samples(station, "alignment_mm", [0.01], unit=cell, status_code=2150891520)

    def read() -> tuple:
        items = station_reads.checklist(station=station, unit=cell, operation=operation)
        latest = [gates._latest_usable(cell, spec) for spec in (alignment, sheets)]
        return [(i.spec.parameter, i.state, i.value, i.source, i.at) for i in items], latest

    hot = read()
    assert hot[1][0] is not None and hot[1][0][1] == 0.05 and hot[1][1] is None
    compact_all()
    assert read() == hot


def test_an_spc_flag_names_the_same_sample_and_unit_from_a_segment(plant):
    make_spec("thickness_um", "calendering", lsl=78, usl=82, target=80)
    press = plant.station("calendering")
    cell = make_cell(plant, "CELL-1")
    add_samples(press, "thickness_um", BASELINE)
    spike = add_samples(press, "thickness_um", [81.2], unit=cell)[0]
    hot = samples.by_id(spike.pk, related=("unit",))
    flags = services.spc_flag_violations(station=press, parameter="thickness_um")
    assert [(f.value, f.unit, f.sample_ids) for f in flags] == [(81.2, cell, [spike.pk])]
    hot_context = context_of(flags[0])
    assert len(hot_context[0]) == 61  # the spike and the 60 readings before it

    compact_all()
    found = samples.by_id(spike.pk, related=("unit",))
    assert found is not None and found._state.adding  # decoded from its segment
    assert (found.pk, found.value, found.unit, found.source_time) == (
        hot.pk, hot.value, hot.unit, hot.source_time,
    )  # fmt: skip
    assert context_of(flags[0]) == hot_context
