"""Genealogy traces against an independent reference: every edge loaded into Python, walked by BFS.

On generated histories the CTE traces (lines.selectors) must reach exactly the reference's units
and edges, both ways, from cells, lanes, mother rolls, slurry batches and lots. A hand-built graph
with a diamond and a cell taking two ranges of one roll checks that each edge comes back once.
"""

import random
from collections import defaultdict, deque
from decimal import Decimal

import pytest

from lines import selectors, services
from lines.api.trace import trace_payload
from lines.choices import UnitKind
from lines.history import COMPACT, history_generate
from lines.models import GenealogyEdge, Station, Unit
from tests.factories import make_cell, make_roll, receive

pytestmark = pytest.mark.django_db


class Reference:
    """The genealogy as adjacency lists of (edge id, far unit id), walked breadth-first."""

    def __init__(self) -> None:
        self.down: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.up: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for edge_id, parent, child in GenealogyEdge.objects.values_list("id", "parent", "child"):
            self.down[parent].append((edge_id, child))
            self.up[child].append((edge_id, parent))

    def walk(self, root: int, direction: str) -> tuple[set[int], set[int]]:
        """Units reached (the root included) and the edges leaving every unit reached."""
        links = self.down if direction == "forward" else self.up
        seen, edges, queue = {root}, set(), deque([root])
        while queue:
            for edge_id, far in links[queue.popleft()]:
                edges.add(edge_id)
                if far not in seen:
                    seen.add(far)
                    queue.append(far)
        return seen, edges


def traced(unit: Unit, direction: str) -> tuple[set[int], list[int]]:
    trace = (selectors.trace_forward if direction == "forward" else selectors.trace_backward)(
        unit=unit
    )
    return set(trace.nodes), [edge.id for edge in trace.edges]


def sample(kind_filter: dict, count: int, rng: random.Random) -> list[Unit]:
    units = list(Unit.objects.filter(identifier__startswith="H1-", **kind_filter).order_by("id"))
    return rng.sample(units, min(count, len(units)))


@pytest.mark.parametrize("direction", ["backward", "forward"])
def test_traces_of_a_generated_history_match_the_reference(direction):
    # given a history spanning several lots, batches and rolls
    history_generate(cells=400, seed=11, params=COMPACT)
    reference, rng = Reference(), random.Random(4)
    units = (
        sample({"kind": UnitKind.CELL}, 25, rng)
        + sample({"identifier__regex": r"-L[0-9]$"}, 6, rng)
        + sample({"identifier__regex": r"^H1-CR-[0-9]+$"}, 4, rng)
        + sample({"kind": UnitKind.SLURRY_BATCH}, 4, rng)
        + sample({"kind": UnitKind.MATERIAL_LOT}, 30, rng)
    )
    assert len(units) == 69
    for unit in units:
        # when
        nodes, edges = traced(unit, direction)
        # then
        expected_nodes, expected_edges = reference.walk(unit.id, direction)
        assert nodes == expected_nodes, unit.identifier
        assert len(edges) == len(set(edges)) and set(edges) == expected_edges, unit.identifier


def test_a_cells_backward_trace_reaches_every_stage_and_a_lots_forward_trace_its_cells():
    # given
    history_generate(cells=400, seed=11, params=COMPACT)
    cell = Unit.objects.get(identifier="H1-C0000100")
    nmc = Unit.objects.filter(identifier__startswith="H1-NMC811-").order_by("id").first()
    # when
    backward = selectors.trace_backward(unit=cell)
    forward = selectors.trace_forward(unit=nmc)
    # then
    kinds = {node.kind for node in backward.nodes.values()}
    assert kinds == {UnitKind.CELL, UnitKind.ROLL, UnitKind.SLURRY_BATCH, UnitKind.MATERIAL_LOT}
    lots = {n.identifier.split("-")[1] for n in backward.nodes.values() if n.kind == "material_lot"}
    assert lots == {"NMC811", "LPSCL", "CB", "BND", "SOLV", "AL12", "LI30", "POUCH"}
    reached = [node for node in forward.nodes.values() if node.kind == UnitKind.CELL]
    expected, _ = Reference().walk(nmc.id, "forward")
    assert len(reached) == Unit.objects.filter(id__in=expected, kind=UnitKind.CELL).count()
    assert len(reached) > 50


@pytest.mark.parametrize("direction", ["backward", "forward"])
def test_the_ids_a_trace_reaches_are_its_nodes_without_the_root(direction):
    # given
    history_generate(cells=200, seed=5, params=COMPACT)
    nmc = Unit.objects.filter(identifier__startswith="H1-NMC811-").order_by("id").first()
    cell = Unit.objects.get(identifier="H1-C0000100")
    # when
    trace = (selectors.trace_forward if direction == "forward" else selectors.trace_backward)(
        unit=nmc if direction == "forward" else cell
    )
    # then: the ids the readers use are the nodes, read from the columns
    others = [n for n in trace.nodes.values() if n.id != trace.root.id]
    assert trace.unit_ids() == [n.id for n in others]
    for kind in UnitKind.values:
        assert trace.unit_ids(kind=kind) == [n.id for n in others if n.kind == kind]
    assert [e.id for e in trace.edges] == list(trace.columns.edge_id)
    assert len(trace.unit_ids(kind=UnitKind.CELL if direction == "forward" else "roll")) > 0


@pytest.fixture
def diamond(plant):
    """lot -> batch A and batch B -> roll -> cell; the cell takes two ranges of the roll."""
    lot = receive(plant, "LOT-D")
    batches = [
        services.unit_create(identifier=name, kind=UnitKind.SLURRY_BATCH, quantity=10)
        for name in ("SB-A", "SB-B")
    ]
    roll, cell = make_roll("ROLL-D", "100"), make_cell(plant, "CELL-D")
    edges = {
        "lot-a": services.unit_consume(child=batches[0], parent=lot, quantity=Decimal(4)),
        "lot-b": services.unit_consume(child=batches[1], parent=lot, quantity=Decimal(6)),
        "a-roll": services.unit_consume(child=roll, parent=batches[0], quantity=Decimal(10)),
        "b-roll": services.unit_consume(child=roll, parent=batches[1], quantity=Decimal(10)),
        "roll-cell-1": services.unit_consume(
            child=cell, parent=roll, position_from_m=Decimal(0), position_to_m=Decimal("1.2")
        ),
        "roll-cell-2": services.unit_consume(
            child=cell, parent=roll, position_from_m=Decimal(5), position_to_m=Decimal("6.2")
        ),
    }
    units = {"lot": lot, "a": batches[0], "b": batches[1], "roll": roll, "cell": cell}
    return units, {name: edge.id for name, edge in edges.items()}


def test_forward_from_the_top_of_a_diamond_reports_each_edge_once(diamond):
    # given
    units, edges = diamond
    # when
    nodes, edge_ids = traced(units["lot"], "forward")
    # then
    assert nodes == {u.id for u in units.values()}
    assert sorted(edge_ids) == sorted(edges.values())
    assert (nodes, set(edge_ids)) == Reference().walk(units["lot"].id, "forward")


def test_backward_from_a_cell_with_two_ranges_of_one_roll_reports_both_once(diamond):
    # given
    units, edges = diamond
    # when
    trace = selectors.trace_backward(unit=units["cell"])
    # then
    assert sorted(edge.id for edge in trace.edges) == sorted(edges.values())
    ranges = sorted(
        (edge.position_from_m, edge.position_to_m)
        for edge in trace.edges
        if edge.parent_id == units["roll"].id
    )
    assert ranges == [(0.0, 1.2), (5.0, 6.2)]  # metres as floats, as the API returns them
    assert (set(trace.nodes), {edge.id for edge in trace.edges}) == Reference().walk(
        units["cell"].id, "backward"
    )


def test_forward_from_one_side_of_the_diamond_stays_on_its_side(diamond):
    # given
    units, edges = diamond
    # when
    nodes, edge_ids = traced(units["a"], "forward")
    # then
    assert nodes == {units["a"].id, units["roll"].id, units["cell"].id}
    assert sorted(edge_ids) == sorted([edges["a-roll"], edges["roll-cell-1"], edges["roll-cell-2"]])


def _json_from_tuples(trace) -> dict:
    """What the trace JSON held when it was written from the trace's node and edge tuples."""
    codes = dict(Station.objects.values_list("id", "code"))
    ordered = sorted(trace.nodes.values(), key=lambda n: (n.id != trace.root.id, n.id))
    names = {n.id: n.identifier for n in ordered}
    return {
        "root": trace.root.identifier,
        "direction": trace.direction,
        "nodes": [
            {"identifier": n.identifier, "kind": n.kind, "status": n.status,
             "station": codes.get(n.station_id)}
            for n in ordered
        ],
        "edges": [
            {
                "parent": names[e.parent_id],
                "child": names[e.child_id],
                "quantity": float(e.quantity),
                "position_from": e.position_from_m,
                "position_to": e.position_to_m,
                "operation": e.operation_id,
                "created_at": e.created_at.isoformat().replace("+00:00", "Z"),
            }
            for e in sorted(trace.edges, key=lambda e: e.id)
        ],
    }  # fmt: skip


def _walk(direction):
    return selectors.trace_forward if direction == "forward" else selectors.trace_backward


@pytest.mark.parametrize("direction", ["backward", "forward"])
def test_the_trace_json_written_from_columns_is_the_json_of_its_nodes_and_edges(direction):
    # given
    history_generate(cells=200, seed=5, params=COMPACT)
    kind = UnitKind.MATERIAL_LOT if direction == "forward" else UnitKind.CELL
    for unit in Unit.objects.filter(kind=kind).order_by("-id")[:8]:
        trace = _walk(direction)(unit=unit)
        # when, then
        assert trace_payload(trace) == _json_from_tuples(trace), unit.identifier


@pytest.mark.parametrize(("direction", "root"), [("forward", "LOT-D"), ("backward", "CELL-D")])
def test_the_trace_json_names_a_unit_reached_by_two_edges_once(diamond, direction, root):
    trace = _walk(direction)(unit=Unit.objects.get(identifier=root))
    assert len(set(trace.far_id)) < len(trace.far_id)  # the diamond: two ways to one unit
    payload = trace_payload(trace)
    assert payload == _json_from_tuples(trace)
    numbers = [e[k] for e in payload["edges"] for k in ("quantity", "position_from", "position_to")]
    assert {type(n) for n in numbers} <= {float, type(None)}  # JSON numbers, never Decimal
