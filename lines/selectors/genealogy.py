"""Genealogy traces, computed in the database with recursive CTEs (PostgreSQL and SQLite alike).

The recursion walks only (parent_id, child_id) pairs, which the two covering indexes on the edge
table answer without touching the heap; UNION (not UNION ALL) visits each pair once however many
paths reach it. Edge details and the unit on the far end of each edge are joined once, after the
walk. Results are plain slotted dataclasses: a forward trace of a lot can hold 50,000 cells, and
model instances would cost several times more to build.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.db import connection

from lines.models import GenealogyEdge, Station, Unit

Direction = Literal["backward", "forward"]
_EDGE = GenealogyEdge._meta.db_table
_UNIT = Unit._meta.db_table


@dataclass(frozen=True, slots=True)
class TraceNode:
    id: int
    identifier: str
    kind: str
    status: str
    station_id: int | None


@dataclass(frozen=True, slots=True)
class TraceEdge:
    id: int
    parent_id: int
    child_id: int
    quantity: Decimal
    position_from_m: Decimal | None
    position_to_m: Decimal | None
    operation_id: int | None
    created_at: datetime


@dataclass(slots=True)
class Trace:
    """The sub-graph reached from `root` in one direction: every node once, every edge once."""

    root: TraceNode
    direction: Direction
    nodes: dict[int, TraceNode] = field(default_factory=dict)
    edges: list[TraceEdge] = field(default_factory=list)


# near: the column the walk starts from; far: the column it reaches.
_WALK = {"backward": ("child_id", "parent_id"), "forward": ("parent_id", "child_id")}


def _trace_sql(direction: Direction) -> str:
    near, far = _WALK[direction]
    return f"""
        WITH RECURSIVE walk(parent_id, child_id) AS (
            SELECT e.parent_id, e.child_id FROM {_EDGE} e WHERE e.{near} = %s
            UNION
            SELECT e.parent_id, e.child_id FROM {_EDGE} e JOIN walk w ON e.{near} = w.{far}
        )
        SELECT e.id, e.parent_id, e.child_id, e.quantity, e.position_from_m, e.position_to_m,
               e.operation_id, e.created_at, u.identifier, u.kind, u.status, u.station_id
        FROM walk w
        JOIN {_EDGE} e ON e.parent_id = w.parent_id AND e.child_id = w.child_id
        JOIN {_UNIT} u ON u.id = e.{far}
    """


def _decimal(value: object) -> Decimal | None:
    # psycopg returns Decimal for numeric; SQLite returns int/float/str for the same column.
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _trace(unit: Unit, direction: Direction) -> Trace:
    root = TraceNode(unit.id, unit.identifier, unit.kind, unit.status, unit.station_id)
    trace = Trace(root=root, direction=direction, nodes={root.id: root})
    far_index = 2 if direction == "forward" else 1
    with connection.cursor() as cursor:
        cursor.execute(_trace_sql(direction), [unit.id])
        rows = cursor.fetchall()
    nodes, edges = trace.nodes, trace.edges
    convert = connection.vendor != "postgresql"
    for row in rows:
        far = row[far_index]
        if far not in nodes:
            nodes[far] = TraceNode(far, row[8], row[9], row[10], row[11])
        created = row[7]
        if convert:
            created = connection.ops.convert_datetimefield_value(created, None, connection)
        edges.append(
            TraceEdge(
                row[0],
                row[1],
                row[2],
                _decimal(row[3]),
                _decimal(row[4]),
                _decimal(row[5]),
                row[6],
                created,
            )
        )
    return trace


def trace_backward(*, unit: Unit) -> Trace:
    """Everything that went into `unit`: its parents, their parents, ... with quantities and metres."""
    return _trace(unit, "backward")


def trace_forward(*, unit: Unit) -> Trace:
    """Everything `unit` went into: its children, their children, ... down to the cells."""
    return _trace(unit, "forward")


def trace_whereabouts(*, trace: Trace, kind: str | None = None) -> list[dict[str, object]]:
    """ "Where are they now": the trace's nodes (of one kind, if given) counted by status and station.

    Rows are sorted by count, largest first; `station` is the station code or None.
    """
    counts = Counter(
        (node.status, node.station_id)
        for node in trace.nodes.values()
        if node.id != trace.root.id and (kind is None or node.kind == kind)
    )
    codes = dict(Station.objects.values_list("id", "code"))
    return [
        {"status": status, "station": codes.get(station_id), "count": count}
        for (status, station_id), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    ]


def unit_has_ancestor(*, unit_id: int, ancestor_id: int) -> bool:
    """True when `ancestor_id` is upstream of `unit_id` (or is it). Used to refuse genealogy cycles."""
    if unit_id == ancestor_id:
        return True
    sql = f"""
        WITH RECURSIVE up(id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT e.parent_id FROM {_EDGE} e JOIN up ON e.child_id = up.id
        )
        SELECT 1 FROM up WHERE id = %s LIMIT 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit_id, ancestor_id])
        return cursor.fetchone() is not None
