"""The genealogy of a unit as a picture can show it: the backward trace in full, the forward trace
with every large fan-out collapsed into counts.

A lot can reach 50,000 cells; nobody reads 50,000 boxes and building them costs seconds. The
forward walk therefore runs once in SQL and returns three things: the edges of parents with few
children (drawn one by one), the children of parents with many, counted by kind, status and
station (drawn as one group box each), and everything downstream counted the same way (the recall
summary). Nothing per cell reaches Python unless a group is expanded.
"""

from dataclasses import dataclass, field
from typing import SupportsFloat

from django.db import connection

from lines.models import GenealogyEdge, Station, Unit
from lines.selectors import trace_backward, walk_cursor
from quality.choices import FlagState
from quality.models import Flag

FANOUT_LIMIT = 24  # children of one parent drawn one by one; more become a counted group
EXPANDED_LIMIT = 200  # children drawn when a group is expanded; the rest are counted
_EDGE = GenealogyEdge._meta.db_table
_UNIT = Unit._meta.db_table


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: int
    identifier: str
    kind: str
    status: str
    station: str | None
    flagged: bool = False
    uom: str = ""


@dataclass(frozen=True, slots=True)
class GraphEdge:
    parent_id: int
    child_id: int
    quantity: float | None  # None until _connect_edges reads it (forward edges come as ids)
    position_from_m: float | None
    position_to_m: float | None


@dataclass(frozen=True, slots=True)
class GroupCount:
    kind: str
    status: str
    station: str | None
    count: int


@dataclass(slots=True)
class CollapsedGroup:
    """The children of one parent, too many to draw: counts by kind, status and station."""

    parent_id: int
    counts: list[GroupCount] = field(default_factory=list)
    shown: int = 0  # children drawn one by one after an expansion

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts)


@dataclass(slots=True)
class GenealogyGraph:
    root: GraphNode
    nodes: dict[int, GraphNode] = field(default_factory=dict)
    edges: list[GraphEdge] = field(default_factory=list)
    groups: list[CollapsedGroup] = field(default_factory=list)
    downstream: list[GroupCount] = field(default_factory=list)

    @property
    def downstream_total(self) -> int:
        return sum(c.count for c in self.downstream)


def _forward_sql() -> str:
    # One walk, each reached unit joined once (`reached`, read three times, so PostgreSQL
    # materialises it) with the fan-out of its parent from a window, not from a join: the walk's
    # planner settings forbid hash joins, and a nested loop over a CTE would be quadratic.
    # 'e': an edge of a small fan-out with its child; 'g': a big fan-out's children counted;
    # 'd': everything downstream counted (a unit reached by two edges counted once).
    return f"""
        WITH RECURSIVE walk(parent_id, child_id) AS (
            SELECT parent_id, child_id FROM {_EDGE} WHERE parent_id = %s
            UNION
            SELECT e.parent_id, e.child_id FROM {_EDGE} e JOIN walk w ON e.parent_id = w.child_id
        ),
        reached AS (
            SELECT w.parent_id, w.child_id, u.kind, u.status, u.station_id,
                   COUNT(*) OVER (PARTITION BY w.parent_id) AS fan
            FROM walk w JOIN {_UNIT} u ON u.id = w.child_id
        )
        SELECT 'e', r.parent_id, r.child_id, u.identifier, r.kind, r.status, r.station_id, 1
        FROM reached r JOIN {_UNIT} u ON u.id = r.child_id WHERE r.fan <= %s
        UNION ALL
        SELECT 'g', parent_id, NULL, NULL, kind, status, station_id, COUNT(*)
        FROM reached WHERE fan > %s GROUP BY parent_id, kind, status, station_id
        UNION ALL
        SELECT 'd', NULL, NULL, NULL, kind, status, station_id, COUNT(DISTINCT child_id)
        FROM reached GROUP BY kind, status, station_id
    """


def genealogy_graph(*, unit: Unit, expand: int | None = None) -> GenealogyGraph:
    """The unit's backward trace and collapsed forward trace, ready to lay out.

    `expand` names a collapsed parent whose children are drawn (the first EXPANDED_LIMIT of them).
    """
    codes: dict[int | None, str] = dict(Station.objects.values_list("id", "code"))
    root = GraphNode(unit.id, unit.identifier, unit.kind, unit.status, codes.get(unit.station_id))
    graph = GenealogyGraph(root=root, nodes={unit.id: root})
    _add_backward(graph, unit, codes)
    _add_forward(graph, unit, codes)
    if expand is not None:
        _expand(graph, expand, codes)
    _connect_edges(graph)
    _mark_flagged(graph)
    return graph


def _add_backward(graph: GenealogyGraph, unit: Unit, codes: dict[int | None, str]) -> None:
    trace = trace_backward(unit=unit)
    for node in trace.nodes.values():
        graph.nodes.setdefault(
            node.id,
            GraphNode(node.id, node.identifier, node.kind, node.status, codes.get(node.station_id)),
        )
    for edge in trace.edges:
        graph.edges.append(
            GraphEdge(
                edge.parent_id,
                edge.child_id,
                edge.quantity,
                edge.position_from_m,
                edge.position_to_m,
            )
        )


def _add_forward(graph: GenealogyGraph, unit: Unit, codes: dict[int | None, str]) -> None:
    with walk_cursor() as cursor:
        if connection.vendor == "postgresql":
            # The counts sort ~50,000 rows three times; the default 4 MB sends them to disk.
            cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(_forward_sql(), [unit.id, FANOUT_LIMIT, FANOUT_LIMIT])
        rows = cursor.fetchall()
    groups: dict[int, CollapsedGroup] = {}
    for tag, parent_id, child_id, identifier, kind, status, station_id, count in rows:
        station = codes.get(station_id)
        if tag == "e":
            graph.nodes.setdefault(child_id, GraphNode(child_id, identifier, kind, status, station))
            graph.edges.append(GraphEdge(parent_id, child_id, None, None, None))
        elif tag == "g":
            group = groups.setdefault(parent_id, CollapsedGroup(parent_id))
            group.counts.append(GroupCount(kind, status, station, count))
        else:
            graph.downstream.append(GroupCount(kind, status, station, count))
    for group in groups.values():
        group.counts.sort(key=lambda c: (-c.count, c.status, c.station or ""))
    graph.groups = sorted(groups.values(), key=lambda g: g.parent_id)
    graph.downstream.sort(key=lambda c: (c.kind, -c.count, c.status))


def _expand(graph: GenealogyGraph, parent_id: int, codes: dict[int | None, str]) -> None:
    """Draw the first children of a collapsed parent; the group keeps counting all of them."""
    group = next((g for g in graph.groups if g.parent_id == parent_id), None)
    if group is None or parent_id not in graph.nodes:
        return
    children = (
        GenealogyEdge.objects.filter(parent_id=parent_id)
        .order_by("child_id")
        .values_list(
            "child_id", "child__identifier", "child__kind", "child__status", "child__station_id"
        )[:EXPANDED_LIMIT]
    )
    for child_id, identifier, kind, status, station_id in children:
        graph.nodes.setdefault(
            child_id, GraphNode(child_id, identifier, kind, status, codes.get(station_id))
        )
        graph.edges.append(GraphEdge(parent_id, child_id, None, None, None))
        group.shown += 1


def _connect_edges(graph: GenealogyGraph) -> None:
    """Forward edges come from the walk as ids only: read the quantities and metres of the few
    drawn ones, and keep only edges whose both ends are drawn."""
    missing = [(e.parent_id, e.child_id) for e in graph.edges if e.quantity is None]
    details: dict[tuple[int, int], tuple] = {}
    if missing:
        parents = {p for p, _ in missing}
        rows = GenealogyEdge.objects.filter(
            parent_id__in=parents, child_id__in={c for _, c in missing}
        ).values_list("parent_id", "child_id", "quantity", "position_from_m", "position_to_m")
        details = {(p, c): (q, f, t) for p, c, q, f, t in rows}
    seen: set[tuple[int, int]] = set()
    kept = []
    for edge in graph.edges:
        key = (edge.parent_id, edge.child_id)
        if key in seen or edge.parent_id not in graph.nodes or edge.child_id not in graph.nodes:
            continue
        seen.add(key)
        if key in details:
            q, f, t = details[key]
            edge = GraphEdge(*key, float(q), _float(f), _float(t))
        kept.append(edge)
    graph.edges = kept


def _float(value: SupportsFloat | None) -> float | None:
    return None if value is None else float(value)


def _mark_flagged(graph: GenealogyGraph) -> None:
    """Open flags and units of measure of the drawn nodes, in two queries."""
    ids = list(graph.nodes)
    flagged = set(
        Flag.objects.filter(unit_id__in=ids, state=FlagState.OPEN).values_list("unit_id", flat=True)
    )
    uoms = dict(Unit.objects.filter(id__in=ids).values_list("id", "uom"))
    for node_id, node in graph.nodes.items():
        graph.nodes[node_id] = GraphNode(
            node.id,
            node.identifier,
            node.kind,
            node.status,
            node.station,
            flagged=node_id in flagged,
            uom=uoms.get(node_id, ""),
        )
    graph.root = graph.nodes[graph.root.id]
