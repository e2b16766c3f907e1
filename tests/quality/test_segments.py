"""A coater drifts thin between metres 420 and 450 of a mother roll: exactly the cells built from
those metres (through slitting) are flagged and held, including cells stacked afterwards."""

from lines import services as lines_services
from lines.choices import StationKind, UnitStatus
from lines.models import Unit
from quality import services
from quality.models import Flag, Hold
from tests.factories import add_samples, build_cathode_chain, make_cell, make_spec


def _drift(plant, roll, start_m, end_m, step_m=1.0, value=23.9):
    positions = [start_m + i * step_m for i in range(int((end_m - start_m) / step_m) + 1)]
    return add_samples(
        plant.station("coating"),
        "areal_loading_mg_cm2",
        [value] * len(positions),
        unit=roll,
        positions=positions,
    )


def _held(units):
    return {u.identifier for u in units if Unit.objects.get(pk=u.pk).status == UnitStatus.ON_HOLD}


def test_a_segment_flags_and_holds_exactly_the_cells_built_from_it(plant):
    make_spec("areal_loading_mg_cm2", StationKind.COATING, lsl=24.5, usl=25.5, target=25.0)
    _lot, _slurry, mother, lanes, cells = build_cathode_chain(plant)  # cells at 400, 430, 460 m

    services.samples_evaluate(samples=_drift(plant, mother, 420, 450))

    root = Flag.objects.get(unit=mother)
    assert (root.position_from_m, root.position_to_m, root.limit, root.value) == (
        420.0,
        450.0,
        "LSL 24.5",
        23.9,
    )
    assert _held(cells) == {"MR-1-A-C1", "MR-1-B-C1"}
    lane_flags = Flag.objects.filter(source_flag=root, unit__in=lanes)
    assert {(f.unit.identifier, f.position_from_m, f.position_to_m) for f in lane_flags} == {
        ("MR-1-A", 420.0, 450.0),
        ("MR-1-B", 420.0, 450.0),
    }
    hold = Hold.objects.get(flag=root)
    assert set(hold.members.values_list("unit__identifier", flat=True)) == {
        "MR-1-A-C1",
        "MR-1-B-C1",
    }
    assert Unit.objects.get(pk=mother.pk).status == UnitStatus.CONSUMED


def test_cells_stacked_later_from_the_segment_are_flagged_and_held_as_they_are_made(plant):
    make_spec("areal_loading_mg_cm2", StationKind.COATING, lsl=24.5, usl=25.5)
    mother = lines_services.unit_create(identifier="MR-9", kind="roll", quantity="1200")
    services.samples_evaluate(samples=_drift(plant, mother, 420, 450))  # coated, not yet slit
    lane = lines_services.roll_split(parent=mother, daughter_identifiers=["MR-9-A"])[0]
    inside, outside = make_cell(plant, "IN-1"), make_cell(plant, "OUT-1")

    lines_services.unit_consume(
        child=inside, parent=lane, position_from_m="449", position_to_m="450.2"
    )
    lines_services.unit_consume(
        child=outside, parent=lane, position_from_m="450.2", position_to_m="451.4"
    )

    assert _held([inside, outside]) == {"IN-1"}
    derived = Flag.objects.get(unit=inside)
    assert derived.source_flag == Flag.objects.get(unit=mother)
    assert "metres 420..450 of roll MR-9" in derived.detail


def test_adjacent_out_of_spec_readings_extend_one_segment(plant):
    make_spec("areal_loading_mg_cm2", StationKind.COATING, lsl=24.5, usl=25.5)
    mother = lines_services.unit_create(identifier="MR-2", kind="roll", quantity="1200")
    services.samples_evaluate(samples=_drift(plant, mother, 400, 410))
    services.samples_evaluate(samples=_drift(plant, mother, 411, 430))
    services.samples_evaluate(samples=_drift(plant, mother, 600, 605))

    segments = Flag.objects.filter(unit=mother).order_by("position_from_m")
    assert [(f.position_from_m, f.position_to_m) for f in segments] == [
        (400.0, 430.0),
        (600.0, 605.0),
    ]


def test_readings_in_spec_raise_nothing(plant):
    make_spec("areal_loading_mg_cm2", StationKind.COATING, lsl=24.5, usl=25.5)
    mother = lines_services.unit_create(identifier="MR-3", kind="roll", quantity="1200")
    assert services.samples_evaluate(samples=_drift(plant, mother, 0, 50, value=25.1)) == []
    assert Flag.objects.count() == 0
