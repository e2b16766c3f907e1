"""generate_history: a seeded history on the demo line whose rows keep every rule the services keep.

The generator bypasses the services for speed (lines/history/__init__.py says why that is safe);
these tests are the check that the rules hold by construction: counts, one range of one lane plus
one lithium and one pouch draw per cell, no shared metres, balanced lots, route order, times, keys.
"""

from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from lines.choices import OperationResult, UnitKind, UnitStatus
from lines.history import COMPACT, history_generate
from lines.models import GenealogyEdge, Operation, RouteStep, Station, Unit, WorkOrder

pytestmark = pytest.mark.django_db

CELLS = 200


def generate(**options: object) -> str:
    out = StringIO()
    call_command("generate_history", cells=CELLS, seed=7, stdout=out, **options)
    return out.getvalue()


def cells(prefix: str = "H1") -> list[Unit]:
    return list(Unit.objects.filter(kind=UnitKind.CELL, identifier__startswith=f"{prefix}-"))


def parent_edges_by_cell() -> dict[int, list[GenealogyEdge]]:
    edges = defaultdict(list)
    # The history's own cells: the demo line it loads first has a graded batch of its own.
    history = GenealogyEdge.objects.filter(
        child__kind=UnitKind.CELL, child__identifier__startswith="H1-"
    )
    for edge in history.select_related("parent__material"):
        edges[edge.child_id].append(edge)
    return edges


def test_the_history_has_exactly_the_cells_and_units_asked_for():
    # given the empty database; when
    output = generate()
    # then one campaign: 1 batch, 1 mother roll, 4 lanes, 8 lots of its own, 200 cells
    made = Unit.objects.filter(identifier__startswith="H1-")
    counts = dict(made.values_list("kind").annotate(n=Count("id")).order_by())
    assert counts == {
        UnitKind.CELL: CELLS,
        UnitKind.ROLL: 5,
        UnitKind.SLURRY_BATCH: 1,
        UnitKind.MATERIAL_LOT: 8,
    }
    assert sorted(u.identifier for u in made.filter(kind=UnitKind.CELL))[:2] == [
        "H1-C0000001",
        "H1-C0000002",
    ]
    assert GenealogyEdge.objects.filter(child__identifier__startswith="H1-").count() == (
        3 * CELLS + 4 + 1 + 1 + 5
    )
    assert WorkOrder.objects.get(code="WO-H1-0001").quantity_planned == CELLS
    assert "History H1: 200 cells." in output


def test_each_cell_takes_one_lane_range_one_lithium_and_one_pouch_draw():
    # given / when
    generate()
    # then
    edges = parent_edges_by_cell()
    assert len(edges) == CELLS
    for cell_edges in edges.values():
        rolls = [e for e in cell_edges if e.parent.kind == UnitKind.ROLL]
        materials = sorted(e.parent.material.code for e in cell_edges if e.parent.material)
        assert len(cell_edges) == 3
        assert len(rolls) == 1 and materials == ["LI30", "POUCH-AL"]
        (lane,) = rolls
        assert Decimal(0) <= lane.position_from_m < lane.position_to_m
        assert lane.position_to_m <= lane.parent.quantity_initial
        assert lane.quantity == lane.position_to_m - lane.position_from_m == Decimal("1.2")


def test_no_two_cells_share_metres_of_a_lane():
    # given / when: the compact flow, whose cells spread over many lanes
    history_generate(cells=300, seed=3, params=COMPACT)
    # then
    ranges = defaultdict(list)
    history = GenealogyEdge.objects.filter(child__identifier__startswith="H1-")
    for edge in history.filter(child__kind=UnitKind.CELL, parent__kind="roll"):
        ranges[edge.parent_id].append((edge.position_from_m, edge.position_to_m))
    assert len(ranges) > 12
    assert sum(len(r) for r in ranges.values()) == 300
    for spans in ranges.values():
        spans.sort()
        assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))


@pytest.mark.parametrize("params", [None, COMPACT], ids=["default", "compact"])
def test_every_lot_batch_and_lane_balances_with_what_its_edges_took(params):
    # given / when
    history_generate(cells=300, seed=5, params=params)
    # then: remaining == initial - sum of the edges, never negative, consumed exactly at zero
    taken = defaultdict(Decimal)
    for parent_id, quantity in GenealogyEdge.objects.values_list("parent_id", "quantity"):
        taken[parent_id] += quantity
    # (a mother roll is slit whole: each lane's edge covers its full length, as roll_split does)
    balanced = (
        Unit.objects.filter(identifier__startswith="H1-")
        .exclude(kind=UnitKind.CELL)
        .exclude(identifier__regex=r"^H1-CR-[0-9]+$")
    )
    assert balanced.filter(kind=UnitKind.MATERIAL_LOT).count() >= 8
    for unit in balanced:
        assert unit.quantity_remaining == unit.quantity_initial - taken[unit.id], unit.identifier
        assert unit.quantity_remaining >= 0
        assert (unit.status == UnitStatus.CONSUMED) == (unit.quantity_remaining == 0)
    lots = Unit.objects.filter(identifier__startswith="H1-", kind=UnitKind.MATERIAL_LOT)
    assert all(lot.supplier and lot.supplier_lot for lot in lots)
    if params is COMPACT:  # draws that ran a lot out went on from the next one
        assert lots.filter(status=UnitStatus.CONSUMED).count() > 10


def test_mother_rolls_are_slit_whole_into_four_lanes():
    # given / when
    history_generate(cells=300, seed=5, params=COMPACT)
    # then
    mothers = Unit.objects.filter(identifier__regex=r"^H1-CR-[0-9]+$")
    assert mothers.count() > 2
    for mother in mothers:
        lanes = list(GenealogyEdge.objects.filter(parent=mother))
        assert len(lanes) == 4
        assert {(e.position_from_m, e.position_to_m, e.quantity) for e in lanes} == {
            (Decimal(0), mother.quantity_initial, mother.quantity_initial)
        }
        assert (mother.status, mother.quantity_remaining) == (UnitStatus.CONSUMED, Decimal(0))


def test_cells_follow_their_route_in_order_and_their_state_matches_their_operations():
    # given / when
    generate()
    end = timezone.now()
    # then
    steps = list(RouteStep.objects.filter(route__code="R-CELL").order_by("sequence"))
    kinds = dict(Station.objects.values_list("id", "kind"))
    ops = defaultdict(list)
    for op in Operation.objects.filter(unit__kind=UnitKind.CELL).order_by("started_at"):
        ops[op.unit_id].append(op)
    for cell in cells():
        done = ops[cell.id]
        assert [op.step_id for op in done] == [step.id for step in steps[: len(done)]]
        assert all(kinds[op.station_id] == op.step.station_kind for op in done)
        assert cell.created_at == done[0].started_at
        for before, after in zip(done, done[1:], strict=False):
            assert before.completed_at is not None and before.result == OperationResult.PASSED
            assert before.completed_at <= after.started_at
        last = done[-1]
        assert cell.updated_at <= end and cell.station_id in {last.station_id, None}
        assert_state_matches(cell, last, steps, len(done))
    statuses = {c.status for c in cells()}
    assert {UnitStatus.RELEASED, UnitStatus.SHIPPED, UnitStatus.IN_PROCESS} <= statuses


def assert_state_matches(cell: Unit, last: Operation, steps: list[RouteStep], done: int) -> None:
    if cell.status in (UnitStatus.RELEASED, UnitStatus.SHIPPED):
        assert done == len(steps) and last.result == OperationResult.PASSED
        assert (cell.current_step_id, cell.station_id) == (None, last.station_id)
    elif cell.status == UnitStatus.SCRAPPED:
        assert last.result == OperationResult.FAILED and last.note.startswith("scrapped: ")
        assert (cell.current_step_id, cell.station_id) == (last.step_id, last.station_id)
    else:
        assert cell.status == UnitStatus.IN_PROCESS
        waiting = last.completed_at is not None
        expected = steps[done].id if waiting else last.step_id
        assert (cell.current_step_id, cell.station_id) == (expected, last.station_id)


def test_every_reference_resolves():
    # given / when
    history_generate(cells=300, seed=5, params=COMPACT)
    # then: no dangling key (the PostgreSQL load skips the per-row key triggers)
    units = Unit.objects.values("id")
    assert not GenealogyEdge.objects.exclude(parent_id__in=units).exists()
    assert not GenealogyEdge.objects.exclude(child_id__in=units).exists()
    ops = Operation.objects.values("id")
    assert (
        not GenealogyEdge.objects.filter(operation__isnull=False)
        .exclude(operation_id__in=ops)
        .exists()
    )
    # Every generated edge has its operation (the seed's feed-roll slit and graded batch
    # record none for their slurry and rolls).
    generated = GenealogyEdge.objects.filter(child__identifier__startswith="H1-")
    assert not generated.filter(operation__isnull=True).exists()
    assert not Operation.objects.exclude(unit_id__in=units).exists()
    orders = WorkOrder.objects.values("id")
    made = Unit.objects.filter(identifier__startswith="H1-")
    assert not made.filter(work_order__isnull=False).exclude(work_order_id__in=orders).exists()
    assert made.filter(kind=UnitKind.CELL, work_order__isnull=True).count() == 0
    edge_ops = GenealogyEdge.objects.filter(child__kind=UnitKind.CELL).values_list(
        "operation__unit_id", "child_id"
    )
    assert all(op_unit == child for op_unit, child in edge_ops)


def test_running_twice_takes_a_new_prefix_and_keeps_identifiers_unique():
    # given
    generate()
    # when
    output = generate()
    # then
    assert "History H2: 200 cells." in output
    assert len(cells("H2")) == CELLS and len(cells("H1")) == CELLS
    identifiers = list(Unit.objects.values_list("identifier", flat=True))
    assert len(identifiers) == len(set(identifiers))
    assert WorkOrder.objects.filter(code__in=["WO-H1-0001", "WO-H2-0001"]).count() == 2


def test_a_prefix_in_use_is_refused_and_nothing_is_written():
    # given
    generate(prefix="PILOT")
    before = (Unit.objects.count(), GenealogyEdge.objects.count(), Operation.objects.count())
    # when / then
    with pytest.raises(CommandError, match="prefix PILOT- exist already"):
        generate(prefix="PILOT")
    assert (Unit.objects.count(), GenealogyEdge.objects.count(), Operation.objects.count()) == (
        before
    )


def test_times_increase_along_the_flow_and_none_is_in_the_future():
    # given / when
    history_generate(cells=300, seed=5, params=COMPACT)
    end = timezone.now()
    # then: a parent exists before it is consumed, a child before it consumes
    edges = GenealogyEdge.objects.filter(child__identifier__startswith="H1-").values_list(
        "parent__created_at", "child__created_at", "created_at", "operation__started_at"
    )
    assert len(edges) > 900
    for parent_created, child_created, consumed, operation_started in edges:
        assert parent_created <= consumed <= end
        assert child_created <= consumed and operation_started <= consumed
    units = Unit.objects.filter(identifier__startswith="H1-")
    assert all(u.created_at <= u.updated_at <= end for u in units)
