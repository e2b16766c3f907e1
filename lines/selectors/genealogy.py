"""Genealogy traces, computed in the database with recursive CTEs (PostgreSQL and SQLite alike).

The walk reads each edge once (UNION, not UNION ALL: an edge reached by two paths is one row)
from a covering index on PostgreSQL, and joins the unit at the far end of each edge once, after
the walk. A trace comes back as columns (TraceColumns: the walk's rows transposed), and its nodes
and edges are built as tuples only when asked for: a forward trace of a lot can hold 50,000
cells, and model instances, or even a tuple per edge, cost more to build than the walk takes.
bench/genealogy.py measures it.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Literal, NamedTuple, TypedDict

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from lines.models import GenealogyEdge, Station, Unit

Direction = Literal["backward", "forward"]
_EDGE = GenealogyEdge._meta.db_table
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNIT = Unit._meta.db_table


class TraceNode(NamedTuple):
    id: int
    identifier: str
    kind: str
    status: str
    station_id: int | None


class TraceEdge(NamedTuple):
    """An edge of a trace. Tuples, because a forward trace builds 50,000 of them."""

    id: int
    parent_id: int
    child_id: int
    quantity: float
    position_from_m: float | None
    position_to_m: float | None
    operation_id: int | None
    created_us: int  # microseconds since 1970-01-01 UTC: exact, and cheap to load

    @property
    def created_at(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self.created_us)


class TraceColumns(NamedTuple):
    """A trace's edges as columns, in the walk's order: entry i of each column is edge i and the
    unit at its far end (its child going forward, its parent going backward). A unit reached by
    two edges is in two entries. Tuples of plain values, transposed from the walk's rows in C:
    a forward trace of a lot holds 50,000 edges, and a tuple object per edge and per unit cost
    more to build than the walk takes."""

    edge_id: tuple[int, ...]
    parent_id: tuple[int, ...]
    child_id: tuple[int, ...]
    quantity: tuple[float, ...]
    position_from_m: tuple[float | None, ...]
    position_to_m: tuple[float | None, ...]
    operation_id: tuple[int | None, ...]
    created_us: tuple[int, ...]  # microseconds since 1970-01-01 UTC
    far_identifier: tuple[str, ...]
    far_kind: tuple[str, ...]
    far_status: tuple[str, ...]
    far_station_id: tuple[int | None, ...]


_WIDTH = len(TraceColumns._fields)
_NO_COLUMNS = TraceColumns(*((),) * _WIDTH)


@dataclass(slots=True)
class Trace:
    """The sub-graph reached from `root` in one direction: every node once, every edge once.

    The walk's result is `columns`; `nodes` and `edges` are built from them on first use, so a
    reader that needs ids or counts (`unit_ids`) or writes JSON from the columns
    (lines.api.trace) never builds 50,000 tuples.
    """

    root: TraceNode
    direction: Direction
    columns: TraceColumns = _NO_COLUMNS
    _nodes: dict[int, TraceNode] | None = field(default=None, repr=False, compare=False)
    _edges: list[TraceEdge] | None = field(default=None, repr=False, compare=False)

    @property
    def far_id(self) -> tuple[int, ...]:
        """The id of the unit at the far end of each edge (see TraceColumns)."""
        return self.columns.child_id if self.direction == "forward" else self.columns.parent_id

    @property
    def nodes(self) -> dict[int, TraceNode]:
        """Every unit reached, by id: the root first, then in the walk's order."""
        if self._nodes is None:
            c = self.columns
            nodes = {self.root.id: self.root}
            for far, identifier, kind, status, station_id in zip(
                self.far_id,
                c.far_identifier,
                c.far_kind,
                c.far_status,
                c.far_station_id,
                strict=True,
            ):
                if far not in nodes:
                    nodes[far] = TraceNode(far, identifier, kind, status, station_id)
            self._nodes = nodes
        return self._nodes

    @property
    def edges(self) -> list[TraceEdge]:
        """Every edge walked, once, in the walk's order."""
        if self._edges is None:
            self._edges = list(map(TraceEdge, *self.columns[: len(TraceEdge._fields)]))
        return self._edges

    def unit_ids(self, *, kind: str | None = None) -> list[int]:
        """The ids of the units reached (the root not among them), each once, in the walk's
        order; only those of `kind` when given."""
        if kind is None:
            return list(dict.fromkeys(self.far_id))
        pairs = zip(self.far_id, self.columns.far_kind, strict=True)
        return list(dict.fromkeys(unit_id for unit_id, of in pairs if of == kind))


# near: the column the walk starts from; far: the column it reaches.
_WALK = {"backward": ("child_id", "parent_id"), "forward": ("parent_id", "child_id")}


_EDGE_COLUMNS = (
    "id, parent_id, child_id, quantity, position_from_m, position_to_m, operation_id, created_at"
)
# Estimates of a recursive CTE are wild (millions of rows for a 50,000-edge walk), so PostgreSQL
# would JIT-compile and hash-join whole tables; the walk is many small index look-ups instead.
_PG_PLANNER = (
    "SET LOCAL jit = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off"
)
# Releasing a savepoint keeps what SET LOCAL did in it until the transaction ends: without this,
# every statement after a walk in the same transaction (an ingest batch after a cell consumed a
# roll) was planned without hash and merge joins. DEFAULT is the connection's own value.
_PG_PLANNER_RESET = (
    "SET LOCAL jit TO DEFAULT; SET LOCAL enable_hashjoin TO DEFAULT; "
    "SET LOCAL enable_mergejoin TO DEFAULT"
)


def _trace_sql(direction: Direction, vendor: str) -> str:
    """One pass: the walk carries each edge's columns (read from the covering index on
    PostgreSQL), so only the far unit is joined afterwards. Numbers come back as floats and
    times as epoch seconds on PostgreSQL: 50,000 Decimals and aware datetimes cost more to build
    than the query takes."""
    near, far = _WALK[direction]
    # PostgreSQL computes the microseconds; SQLite returns Django's UTC text (see _sqlite_us).
    created = (
        "CAST(EXTRACT(EPOCH FROM w.created_at) * 1000000 AS BIGINT)"
        if vendor == "postgresql"
        else "w.created_at"
    )
    return f"""
        WITH RECURSIVE walk({_EDGE_COLUMNS}) AS (
            SELECT {_EDGE_COLUMNS} FROM {_EDGE} WHERE {near} = %s
            UNION
            SELECT e.id, e.parent_id, e.child_id, e.quantity, e.position_from_m, e.position_to_m,
                   e.operation_id, e.created_at
            FROM {_EDGE} e JOIN walk w ON e.{near} = w.{far}
        )
        SELECT w.id, w.parent_id, w.child_id, CAST(w.quantity AS DOUBLE PRECISION),
               CAST(w.position_from_m AS DOUBLE PRECISION),
               CAST(w.position_to_m AS DOUBLE PRECISION), w.operation_id, {created},
               u.identifier, u.kind, u.status, u.station_id
        FROM walk w JOIN {_UNIT} u ON u.id = w.{far}
    """


@contextmanager
def walk_cursor() -> Iterator[CursorWrapper]:
    """A cursor for a recursive genealogy walk: in a transaction (a savepoint inside the caller's)
    whose planner settings make the walk index look-ups (above), restored when the walk is done
    (on an error, rolling the savepoint back restores them). Every walk of the edge table, here
    and in quality, goes through this."""
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            cursor.execute(_PG_PLANNER)
        yield cursor
        if postgresql:
            cursor.execute(_PG_PLANNER_RESET)


def _rows(unit: Unit, direction: Direction) -> list[tuple]:
    vendor = connection.vendor
    with walk_cursor() as cursor:
        cursor.execute(_trace_sql(direction, vendor), [unit.id])
        return cursor.fetchall()


def _trace(unit: Unit, direction: Direction) -> Trace:
    root = TraceNode(unit.id, unit.identifier, unit.kind, unit.status, unit.station_id)
    rows = _rows(unit, direction)
    # Column by column, not zip(*rows): zip makes an iterator object per row, and 50,000 new
    # tracked objects set off the garbage collector over every row already read (~100 ms here).
    columns = TraceColumns._make(tuple(map(itemgetter(k), rows)) for k in range(_WIDTH))
    if rows and connection.vendor != "postgresql":
        columns = columns._replace(created_us=tuple(_sqlite_us(str(t)) for t in columns.created_us))
    return Trace(root=root, direction=direction, columns=columns)


def _sqlite_us(text: str) -> int:
    moment = connection.ops.convert_datetimefield_value(text, None, connection)  # type: ignore[attr-defined]  # SQLite's operations have it; only SQLite calls this
    return (moment - _EPOCH) // timedelta(microseconds=1)


def trace_backward(*, unit: Unit) -> Trace:
    """Everything that went into `unit`: its parents, their parents, ... with quantities and metres."""
    return _trace(unit, "backward")


def trace_forward(*, unit: Unit) -> Trace:
    """Everything `unit` went into: its children, their children, ... down to the cells."""
    return _trace(unit, "forward")


class DownstreamCount(NamedTuple):
    kind: str
    status: str
    station_id: int | None
    count: int  # type: ignore[assignment]  # a field named like tuple.count: the number of units


def downstream_counts(*, unit: Unit) -> list[DownstreamCount]:
    """Everything downstream of `unit` (not itself), counted by kind, status and station, in SQL.

    The recall question ("which cells contain lot X, and where are they now?") needs counts, not
    the graph: the walk carries unit ids only and nothing per unit reaches Python.
    """
    sql = f"""
        WITH RECURSIVE down(id) AS (
            SELECT child_id FROM {_EDGE} WHERE parent_id = %s
            UNION
            SELECT e.child_id FROM {_EDGE} e JOIN down d ON e.parent_id = d.id
        )
        SELECT u.kind, u.status, u.station_id, COUNT(*) FROM down JOIN {_UNIT} u ON u.id = down.id
        GROUP BY u.kind, u.status, u.station_id
    """
    with walk_cursor() as cursor:
        cursor.execute(sql, [unit.id])
        return [DownstreamCount._make(row) for row in cursor.fetchall()]


class Whereabouts(TypedDict):
    """One group of downstream units: how many are in `status` at `station` (a code, or None)."""

    status: str
    station: str | None
    count: int


def unit_whereabouts(*, unit: Unit, kind: str | None = None) -> list[Whereabouts]:
    """ "Where are they now": the units downstream of `unit` (of one kind, if given) counted by
    status and current station, largest group first; `station` is the station code or None."""
    return whereabouts_of(counts=downstream_counts(unit=unit), kind=kind)


def whereabouts_of(*, counts: list[DownstreamCount], kind: str | None) -> list[Whereabouts]:
    """Group downstream counts by status and station code (see unit_whereabouts)."""
    codes: dict[int | None, str] = dict(Station.objects.values_list("id", "code"))
    groups: Counter[tuple[str, int | None]] = Counter()
    for row in counts:
        if kind is None or row.kind == kind:
            groups[(row.status, row.station_id)] += row.count
    return [
        {"status": status, "station": codes.get(station_id), "count": count}
        for (status, station_id), count in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0][0]))
    ]


def unit_has_ancestor(*, unit_id: int, ancestor_id: int) -> bool:
    """True when `ancestor_id` is upstream of `unit_id` (or is it). Used to refuse genealogy cycles."""
    if unit_id == ancestor_id:
        return True
    if not GenealogyEdge.objects.filter(parent_id=ancestor_id).exists():
        return False  # nothing has consumed it, so it is upstream of nothing: no walk needed
    sql = f"""
        WITH RECURSIVE up(id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT e.parent_id FROM {_EDGE} e JOIN up ON e.child_id = up.id
        )
        SELECT 1 FROM up WHERE id = %s LIMIT 1
    """
    with walk_cursor() as cursor:
        cursor.execute(sql, [unit_id, ancestor_id])
        return cursor.fetchone() is not None
