"""Consumption and slitting: edges, remaining quantities, and every refusal of the genealogy rules."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lines import services
from lines.choices import UnitKind, UnitStatus
from lines.models import GenealogyEdge, Unit
from mes.errors import InvalidInput, RuleViolation
from tests.factories import make_cell, make_roll, receive


def _slurry(identifier: str = "SLURRY-1") -> Unit:
    return services.unit_create(identifier=identifier, kind=UnitKind.SLURRY_BATCH, quantity="60")


def _state(*units: Unit) -> list[tuple]:
    return [
        Unit.objects.filter(pk=u.pk).values_list("status", "quantity_remaining").get()
        for u in units
    ] + [GenealogyEdge.objects.count()]


def test_consuming_kilograms_records_the_edge_and_reduces_the_lot(plant, operator):
    lot, slurry = receive(plant, "LOT-NMC-1", "500"), _slurry()

    edge = services.unit_consume(child=slurry, parent=lot, quantity="40.25", by=operator)

    lot.refresh_from_db()
    assert (edge.parent, edge.child, edge.quantity, edge.created_by) == (
        lot,
        slurry,
        Decimal("40.25"),
        operator,
    )
    assert (edge.position_from_m, edge.position_to_m) == (None, None)
    assert (lot.quantity_remaining, lot.status) == (Decimal("459.75"), UnitStatus.CREATED)


def test_the_last_kilogram_consumes_the_lot(plant):
    lot, slurry = receive(plant, "LOT-1", "40"), _slurry()
    services.unit_consume(child=slurry, parent=lot, quantity="40")
    lot.refresh_from_db()
    assert (lot.quantity_remaining, lot.status) == (Decimal(0), UnitStatus.CONSUMED)
    assert lot.history.filter(event="consumed", status_after="consumed").count() == 1


def test_more_than_is_left_is_refused_and_nothing_changes(plant):
    lot, slurry = receive(plant, "LOT-1", "50"), _slurry()
    services.unit_consume(child=slurry, parent=lot, quantity="30")
    before = _state(lot)
    with pytest.raises(
        RuleViolation, match="LOT-1 has 20 kg left; cannot consume 25 kg"
    ) as refused:
        services.unit_consume(child=slurry, parent=lot, quantity="25")
    assert refused.value.field == "quantity"
    assert _state(lot) == before


@pytest.mark.parametrize("status", [UnitStatus.CONSUMED, UnitStatus.SCRAPPED, UnitStatus.ON_HOLD])
def test_a_consumed_scrapped_or_held_parent_is_refused(plant, status):
    lot, slurry = receive(plant, "LOT-1", "50"), _slurry()
    Unit.objects.filter(pk=lot.pk).update(status=status)
    with pytest.raises(RuleViolation, match="LOT-1 is"):
        services.unit_consume(child=slurry, parent=lot, quantity="1")
    assert GenealogyEdge.objects.count() == 0


def test_a_unit_cannot_consume_itself(plant):
    slurry = _slurry()
    with pytest.raises(RuleViolation, match="cannot consume itself"):
        services.unit_consume(child=slurry, parent=slurry, quantity="1")


def test_a_cycle_is_refused_however_deep(plant):
    lot, slurry, roll = receive(plant, "LOT-1", "50"), _slurry(), make_roll("ROLL-1")
    services.unit_consume(child=slurry, parent=lot, quantity="10")
    services.unit_consume(child=roll, parent=slurry, quantity="10")
    before = _state(lot, slurry, roll)

    with pytest.raises(RuleViolation, match="LOT-1 is already upstream of ROLL-1") as refused:
        services.unit_consume(child=lot, parent=roll, position_from_m="0", position_to_m="1")

    assert refused.value.field == "parent"
    assert _state(lot, slurry, roll) == before


def test_a_unit_nothing_has_consumed_consumes_without_a_genealogy_walk(plant):
    roll, cell = make_roll("ROLL-1", "1200"), make_cell(plant, "CELL-1")
    with CaptureQueriesContext(connection) as consumed:
        services.unit_consume(child=cell, parent=roll, position_from_m="0", position_to_m="1.2")
    # It cannot be upstream of the roll: a cell on the stacker is every batch's common case.
    assert not any("WITH RECURSIVE" in q["sql"] for q in consumed.captured_queries)
    assert GenealogyEdge.objects.filter(parent=roll, child=cell).exists()


def test_roll_metres_are_recorded_and_quantity_derived(plant):
    roll, cell = make_roll("ROLL-1", "1200"), make_cell(plant, "CELL-1")
    edge = services.unit_consume(
        child=cell, parent=roll, position_from_m="400.5", position_to_m="401.7"
    )
    roll.refresh_from_db()
    assert (edge.position_from_m, edge.position_to_m, edge.quantity) == (
        Decimal("400.5"),
        Decimal("401.7"),
        Decimal("1.2"),
    )
    assert roll.quantity_remaining == Decimal("1198.8")


@pytest.mark.parametrize(
    ("start", "end", "quantity", "field"),
    [
        (None, None, "1.2", "position_from_m"),  # a roll must say which metres
        ("10", None, None, "position_from_m"),
        ("12", "10", None, "position_to_m"),
        ("1199", "1201", None, "position_to_m"),  # beyond the roll's end
        ("-1", "2", None, "position_from_m"),
        ("10", "11.2", "5", "quantity"),  # quantity contradicts the metres
    ],
)
def test_bad_metre_ranges_are_refused(plant, start, end, quantity, field):
    roll, cell = make_roll("ROLL-1", "1200"), make_cell(plant, "CELL-1")
    with pytest.raises(InvalidInput) as refused:
        services.unit_consume(
            child=cell, parent=roll, quantity=quantity, position_from_m=start, position_to_m=end
        )
    assert refused.value.field == field
    assert _state(roll) == [(UnitStatus.CREATED, Decimal("1200")), 0]


def test_overlapping_metres_are_refused_but_adjacent_ones_are_fine(plant):
    roll = make_roll("ROLL-1", "1200")
    first, second, third = (make_cell(plant, f"CELL-{n}") for n in (1, 2, 3))
    services.unit_consume(child=first, parent=roll, position_from_m="10", position_to_m="11.2")
    with pytest.raises(
        RuleViolation, match=r"Metres 11..12 of ROLL-1 overlap metres 10..11.2 already used"
    ):
        services.unit_consume(child=second, parent=roll, position_from_m="11", position_to_m="12")
    services.unit_consume(child=third, parent=roll, position_from_m="11.2", position_to_m="12.4")
    assert GenealogyEdge.objects.filter(parent=roll).count() == 2


def test_an_overlap_refusal_says_which_metres_are_free_next(plant):
    roll = make_roll("ROLL-1", "100")
    cells = [make_cell(plant, f"CELL-{n}") for n in range(4)]
    services.unit_consume(child=cells[0], parent=roll, position_from_m="0", position_to_m="20")
    services.unit_consume(child=cells[1], parent=roll, position_from_m="30", position_to_m="100")

    with pytest.raises(RuleViolation) as refused:
        services.unit_consume(child=cells[2], parent=roll, position_from_m="15", position_to_m="25")
    assert refused.value.message == (
        "Metres 15..25 of ROLL-1 overlap metres 0..20 already used. "
        "The next free metres are 20..30."
    )
    assert refused.value.field == "position_from_m"

    # Nothing free beyond where the operator was heading: the free metres before it.
    with pytest.raises(RuleViolation, match=r"The next free metres are 20\.\.30\.$"):
        services.unit_consume(child=cells[3], parent=roll, position_from_m="50", position_to_m="60")
    assert GenealogyEdge.objects.filter(parent=roll).count() == 2


def test_positions_on_a_kilogram_lot_are_refused(plant):
    lot, slurry = receive(plant, "LOT-1", "50"), _slurry()
    with pytest.raises(InvalidInput, match="only for a parent measured in metres"):
        services.unit_consume(child=slurry, parent=lot, position_from_m="0", position_to_m="1")


def test_the_operation_must_be_the_childs(plant):
    lot, slurry = receive(plant, "LOT-1", "50"), _slurry()
    other = make_cell(plant, "CELL-1")
    operation = services.operation_start(unit=other, station=plant.station("stacking"))
    with pytest.raises(InvalidInput) as refused:
        services.unit_consume(child=slurry, parent=lot, quantity="1", operation=operation)
    assert refused.value.field == "operation"


def test_slitting_makes_lanes_with_the_mothers_metres(plant, operator):
    mother = make_roll("MR-1", "1200")
    daughters = services.roll_split(
        parent=mother,
        daughter_identifiers=["MR-1-L1", "MR-1-L2", "MR-1-L3", "MR-1-L4"],
        by=operator,
    )
    mother.refresh_from_db()
    assert [d.identifier for d in daughters] == ["MR-1-L1", "MR-1-L2", "MR-1-L3", "MR-1-L4"]
    assert {(d.kind, d.quantity_initial, d.uom) for d in daughters} == {
        (UnitKind.ROLL, Decimal("1200"), "m")
    }
    edges = GenealogyEdge.objects.filter(parent=mother)
    assert {(e.position_from_m, e.position_to_m, e.quantity) for e in edges} == {
        (Decimal(0), Decimal(1200), Decimal(1200))
    }
    assert edges.count() == 4
    assert (mother.status, mother.quantity_remaining) == (UnitStatus.CONSUMED, Decimal(0))


def test_only_a_whole_roll_is_slit(plant):
    mother, cell = make_roll("MR-1", "1200"), make_cell(plant, "CELL-1")
    services.unit_consume(child=cell, parent=mother, position_from_m="0", position_to_m="1")
    with pytest.raises(RuleViolation, match="partly used"):
        services.roll_split(parent=mother, daughter_identifiers=["MR-1-L1"])
    assert not Unit.objects.filter(identifier="MR-1-L1").exists()


@pytest.mark.parametrize("names", [[], ["A-1", "A-1"]])
def test_slitting_needs_distinct_daughter_identifiers(plant, names):
    mother = make_roll("MR-1", "1200")
    with pytest.raises(InvalidInput):
        services.roll_split(parent=mother, daughter_identifiers=names)
    assert Unit.objects.count() == 1


def test_a_daughter_identifier_taken_rolls_the_whole_split_back(plant):
    mother = make_roll("MR-1", "1200")
    make_roll("TAKEN")
    with pytest.raises(RuleViolation, match="TAKEN already exists"):
        services.roll_split(parent=mother, daughter_identifiers=["MR-1-L1", "TAKEN"])
    assert not Unit.objects.filter(identifier="MR-1-L1").exists()
    assert Unit.objects.get(pk=mother.pk).status == UnitStatus.CREATED


def test_a_held_cell_still_records_the_metres_it_used(plant):
    roll, cell = make_roll("ROLL-1", "1200"), make_cell(plant, "CELL-1")
    Unit.objects.filter(pk=cell.pk).update(status=UnitStatus.ON_HOLD)
    edge = services.unit_consume(child=cell, parent=roll, position_from_m="0", position_to_m="1.2")
    assert (edge.child_id, Unit.objects.get(pk=cell.pk).status) == (cell.pk, UnitStatus.ON_HOLD)


@pytest.mark.parametrize("status", [UnitStatus.SCRAPPED, UnitStatus.SHIPPED])
def test_a_finished_cell_consumes_nothing(plant, status):
    roll, cell = make_roll("ROLL-1", "1200"), make_cell(plant, "CELL-1")
    Unit.objects.filter(pk=cell.pk).update(status=status)
    with pytest.raises(RuleViolation, match="cannot consume material"):
        services.unit_consume(child=cell, parent=roll, position_from_m="0", position_to_m="1.2")
    assert GenealogyEdge.objects.count() == 0


@pytest.mark.services  # PostgreSQL's planner settings
def test_a_genealogy_walk_leaves_the_planner_as_it_found_it(plant):
    def settings() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin'), "
                "current_setting('jit')"
            )
            return cursor.fetchone()

    before = settings()
    lot, slurry, roll = receive(plant, "LOT-1", "50"), _slurry(), make_roll("ROLL-1")
    services.unit_consume(child=roll, parent=slurry, quantity="10")
    with CaptureQueriesContext(connection) as walked:
        # The slurry has been consumed, so it might be upstream of the lot: a walk decides.
        services.unit_consume(child=slurry, parent=lot, quantity="10")
    assert any("WITH RECURSIVE" in q["sql"] for q in walked.captured_queries)

    # Same transaction (the test's): later statements are planned as before the walk.
    assert settings() == before == ("on", "on", "off")
