"""What the CTE traces are measured against: a naive per-level ORM walk, and a count-only CTE.

The naive walk builds the same node and edge sets as lines.selectors.genealogy (far unit's
identifier, kind, status, station; the edge's fields), with one ORM query per level of the graph
(frontiers split into chunks of CHUNK ids, as SQLite limits the parameters of one query).
The count-only CTE walks unit ids and returns how many it reached: the floor of any trace.
"""

from typing import Literal

from django.db import connection

from lines.models import GenealogyEdge

Direction = Literal["backward", "forward"]
CHUNK = 10_000
_WALK = {
    "backward": ("child_id", "parent_id", "parent"),
    "forward": ("parent_id", "child_id", "child"),
}


def naive_trace(*, unit_id: int, direction: Direction) -> tuple[dict[int, tuple], list[tuple]]:
    """Nodes reached (id -> identifier, kind, status, station_id) and edges, level by level."""
    near, far, far_unit = _WALK[direction]
    fields = (
        "id", "parent_id", "child_id", "quantity", "position_from_m", "position_to_m",
        "operation_id", "created_at", f"{far_unit}__identifier", f"{far_unit}__kind",
        f"{far_unit}__status", f"{far_unit}__station_id",
    )  # fmt: skip
    far_index = 1 if direction == "backward" else 2
    nodes: dict[int, tuple] = {}
    edges: list[tuple] = []
    seen, frontier = {unit_id}, [unit_id]
    while frontier:
        reached = []
        for start in range(0, len(frontier), CHUNK):
            chunk = frontier[start : start + CHUNK]
            rows = GenealogyEdge.objects.filter(**{f"{near}__in": chunk}).order_by()
            for row in rows.values_list(*fields):
                edges.append(row[:8])
                far_id = row[far_index]
                if far_id not in seen:
                    seen.add(far_id)
                    nodes[far_id] = row[8:]
                    reached.append(far_id)
        frontier = reached
    return nodes, edges


def count_reachable(*, unit_id: int, direction: Direction) -> int:
    """How many units a trace from `unit_id` reaches, walking ids only (no edge details)."""
    near, far, _ = _WALK[direction]
    table = GenealogyEdge._meta.db_table
    sql = f"""
        WITH RECURSIVE walk(id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT e.{far} FROM {table} e JOIN walk w ON e.{near} = w.id
        )
        SELECT count(*) - 1 FROM walk
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit_id])
        return cursor.fetchone()[0]
