"""Holds: propagation through a deep genealogy, refusals while held, overrides, and release."""

from decimal import Decimal

import pytest

from lines import services as lines_services
from lines.choices import UnitStatus
from lines.models import Unit, UnitHistory
from mes.errors import Forbidden, RuleViolation
from quality import services
from quality.models import AuditEntry, HoldMember
from tests.factories import PASSWORD, build_cathode_chain, make_cell


def _statuses(*units):
    return [Unit.objects.get(pk=u.pk).status for u in units]


def test_a_hold_on_a_lot_reaches_every_descendant(plant, quality_engineer):
    lot, slurry, mother, lanes, cells = build_cathode_chain(plant)

    hold = services.hold_place(
        unit=lot, reason="Supplier: SE powder may be wet", by=quality_engineer
    )

    members = set(HoldMember.objects.filter(hold=hold).values_list("unit_id", flat=True))
    assert members == {u.pk for u in (lot, slurry, mother, *lanes, *cells)}
    # The slurry went whole into the coater and the mother roll was slit: both are consumed,
    # listed in the hold for the recall, and keep their status.
    assert _statuses(slurry, mother) == [UnitStatus.CONSUMED, UnitStatus.CONSUMED]
    assert set(_statuses(lot, *lanes, *cells)) == {UnitStatus.ON_HOLD}
    held = UnitHistory.objects.filter(event="hold_placed", by=quality_engineer)
    assert held.count() == 1 + len(lanes) + len(cells)
    assert (
        held.filter(unit=cells[0]).get().reason == f"hold {hold.pk}: Supplier: SE powder may be wet"
    )
    entry = AuditEntry.objects.get(entity="hold", entity_id=hold.pk, action="placed")
    assert (entry.after["members"], entry.after["held"], entry.by) == (11, 9, quality_engineer)


def test_a_held_cell_cannot_start_and_nothing_changes(plant):
    cell = make_cell(plant, "CELL-1")
    services.hold_place(unit=cell, reason="dropped on the floor")
    with pytest.raises(RuleViolation, match="CELL-1 is on hold .* Call quality"):
        lines_services.operation_start(unit=cell, station=plant.station("stacking"))
    assert cell.operations.count() == 0


def test_a_held_roll_cannot_be_consumed_without_a_quality_override(
    plant, operator, quality_engineer
):
    lot, slurry, mother, lanes, cells = build_cathode_chain(plant, cells_per_lane=1)
    hold = services.hold_place(unit=lanes[0], reason="edge wrinkles", by=quality_engineer)
    late = make_cell(plant, "CELL-LATE")
    consume = dict(child=late, parent=lanes[0], position_from_m="600", position_to_m="601.2")

    with pytest.raises(RuleViolation, match="MR-1-A is on hold"):
        lines_services.unit_consume(**consume, by=operator)
    with pytest.raises(Forbidden, match="only a quality engineer"):
        lines_services.unit_consume(**consume, hold_override=True, by=operator)
    assert _statuses(late) == [UnitStatus.CREATED]

    lines_services.unit_consume(**consume, hold_override=True, by=quality_engineer)

    assert _statuses(late) == [UnitStatus.ON_HOLD]
    assert HoldMember.objects.filter(hold=hold, unit=late).exists()


def test_release_restores_each_unit_to_its_status_before_the_hold(plant, quality_engineer):
    lot, slurry, mother, lanes, cells = build_cathode_chain(plant, cells_per_lane=1)
    lines_services.operation_start(unit=cells[0], station=plant.station("stacking"))
    before = _statuses(lot, slurry, *lanes, *cells)
    hold = services.hold_place(unit=lot, reason="wet powder?", by=quality_engineer)

    services.disposition_decide(
        hold=hold,
        decision="release",
        reason="Karl Fischer 38 ppm: dry",
        password=PASSWORD,
        by=quality_engineer,
    )

    assert _statuses(lot, slurry, *lanes, *cells) == before
    assert Unit.objects.filter(held_from_status__gt="").count() == 0


def test_a_unit_under_two_holds_stays_held_until_both_are_released(plant, quality_engineer):
    lot, slurry, mother, lanes, cells = build_cathode_chain(plant, cells_per_lane=1)
    on_lot = services.hold_place(unit=lot, reason="wet powder?", by=quality_engineer)
    on_cell = services.hold_place(unit=cells[0], reason="tab damage", by=quality_engineer)

    services.disposition_decide(
        hold=on_lot, decision="release", reason="dry", password=PASSWORD, by=quality_engineer
    )

    assert _statuses(cells[0], cells[1]) == [UnitStatus.ON_HOLD, UnitStatus.CREATED]
    services.disposition_decide(
        hold=on_cell, decision="release", reason="tab ok", password=PASSWORD, by=quality_engineer
    )
    assert _statuses(cells[0]) == [UnitStatus.CREATED]


def test_a_hold_needs_a_reason(plant):
    cell = make_cell(plant, "CELL-1")
    with pytest.raises(Exception, match="Say why"):
        services.hold_place(unit=cell, reason=" ")
    assert _statuses(cell) == [UnitStatus.CREATED]


def test_a_hold_on_a_deep_chain_reaches_the_bottom(plant):
    # lot -> 30 slurry generations (each consuming the last) -> cell: depth 31
    parent = lines_services.material_receive(
        material=plant.nmc, identifier="LOT-DEEP", quantity="100", supplier="S", supplier_lot="L"
    )
    chain = [parent]
    for depth in range(30):
        child = lines_services.unit_create(
            identifier=f"B-{depth}", kind="slurry_batch", quantity="50"
        )
        lines_services.unit_consume(child=child, parent=chain[-1], quantity=Decimal("1"))
        chain.append(child)
    services.hold_place(unit=parent, reason="deep")
    assert set(_statuses(*chain)) == {UnitStatus.ON_HOLD}
