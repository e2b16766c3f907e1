"""Trace drills and the recall simulator (IATF 16949 8.5.2.1: timed traceability exercises).

A drill runs the backward and the forward trace of one unit, times them, and checks that the
chain is complete: every unit upstream comes from a received material lot with its supplier
lot number (no consumption without a source lot), and every cell records the roll metres its
electrode sheets came from. A recall starts from "defect on station S between t1 and t2": the
units worked there in the window, bounded to the roll metres made in it on a roll station, the
cells made from them and where they are (quality.services.recall holds them with one signature).
"""

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from lines.choices import StationKind, UnitKind
from lines.models import GenealogyEdge, Operation, Station, Unit
from lines.selectors import Trace, samples, trace_backward, trace_forward
from mes.errors import InvalidInput

ROLL_STATIONS = (StationKind.COATING, StationKind.CALENDERING, StationKind.SLITTING)
CHUNK = 2000


def _ms(began: float) -> float:
    return round((time.perf_counter() - began) * 1000.0, 3)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    return (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK))


def _cells_with_metres(cell_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(cell_ids):
        edges = GenealogyEdge.objects.filter(
            child_id__in=chunk, parent__kind=UnitKind.ROLL, position_from_m__isnull=False
        )
        found.update(edges.values_list("child_id", flat=True))
    return found


def chain_breaks(backward: Trace, forward: Trace) -> list[dict[str, str]]:
    """Every gap in the chain around a drill's root, one entry per unit and problem."""
    breaks = []
    has_parent = {edge.child_id for edge in backward.edges}
    upstream = [n for n in backward.nodes.values() if n.kind != UnitKind.MATERIAL_LOT]
    for node in upstream:
        if node.id not in has_parent:
            breaks.append(
                {
                    "unit": node.identifier,
                    "kind": node.kind,
                    "problem": "no source recorded: consumes no material lot or unit",
                }
            )
    lots = [n.id for n in backward.nodes.values() if n.kind == UnitKind.MATERIAL_LOT]
    for identifier in (
        Unit.objects.filter(id__in=lots)
        .filter(Q(supplier="") | Q(supplier_lot=""))
        .values_list("identifier", flat=True)
    ):
        breaks.append(
            {"unit": identifier, "kind": "material_lot", "problem": "no supplier lot number"}
        )
    nodes = {**backward.nodes, **forward.nodes}
    cells = [n.id for n in nodes.values() if n.kind == UnitKind.CELL]
    with_metres = _cells_with_metres(cells)
    for cell_id in sorted(set(cells) - with_metres):
        breaks.append(
            {
                "unit": nodes[cell_id].identifier,
                "kind": UnitKind.CELL,
                "problem": "no roll metres: the cathode sheets' source is not recorded",
            }
        )
    return breaks


def _whereabouts(nodes: Iterable[Any], codes: dict[int, str]) -> list[dict[str, Any]]:
    groups = Counter((n.status, codes.get(n.station_id)) for n in nodes)
    return [
        {"status": status, "station": station, "count": count}
        for (status, station), count in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0][0]))
    ]


def trace_drill(*, unit: Unit) -> dict[str, Any]:
    """Run and time both traces of `unit`; report the chain's completeness and where the cells
    made from it are. Reads only: a drill may run at any time on the live line."""
    began = time.perf_counter()
    backward = trace_backward(unit=unit)
    backward_ms = _ms(began)
    began_forward = time.perf_counter()
    forward = trace_forward(unit=unit)
    forward_ms = _ms(began_forward)
    breaks = chain_breaks(backward, forward)
    codes = dict(Station.objects.values_list("id", "code"))
    cells = [n for n in forward.nodes.values() if n.kind == UnitKind.CELL and n.id != unit.id]
    lots = [n.id for n in backward.nodes.values() if n.kind == UnitKind.MATERIAL_LOT]
    sources = Unit.objects.filter(id__in=lots).order_by("identifier")
    return {
        "root": unit.identifier,
        "kind": unit.kind,
        "duration_ms": _ms(began),
        "complete": not breaks,
        "breaks": breaks,
        "backward": {
            "duration_ms": backward_ms,
            "units": len(backward.nodes),
            "edges": len(backward.edges),
            "source_lots": [
                {"identifier": i, "supplier": s, "supplier_lot": lot}
                for i, s, lot in sources.values_list("identifier", "supplier", "supplier_lot")
            ],
        },
        "forward": {
            "duration_ms": forward_ms,
            "units": len(forward.nodes),
            "edges": len(forward.edges),
            "cells": len(cells),
            "whereabouts": _whereabouts(cells, codes),
        },
    }


@dataclass
class Suspects:
    """The cells a defect at a station in a time window can have reached, and why each source."""

    station: Station
    start: datetime
    end: datetime
    sources: list[dict[str, Any]] = field(default_factory=list)
    cell_ids: set[int] = field(default_factory=set)


def _metre_window(station: Station, roll: Unit, start: datetime, end: datetime):  # noqa: ANN202
    wanted = samples.Where(
        stations=[station.pk], units=[roll.pk], since=start, until=end, until_closed=True
    )
    metres = [s.position_m for s in samples.samples(wanted) if s.position_m is not None]
    return (min(metres), max(metres)) if metres else (None, None)


def _lanes_of(roll: Unit) -> list[int]:
    """The roll and every roll slit from it: a lane's metre m is the mother's metre m."""
    found, frontier = [roll.id], [roll.id]
    while frontier:
        frontier = list(
            GenealogyEdge.objects.filter(
                parent_id__in=frontier, child__kind=UnitKind.ROLL, position_from_m=0
            ).values_list("child_id", flat=True)
        )
        found.extend(frontier)
    return found


def _cells_from_roll(station: Station, roll: Unit, suspects: Suspects) -> None:
    low, high = _metre_window(station, roll, suspects.start, suspects.end)
    if low is None:
        cells = trace_forward(unit=roll).unit_ids(kind=UnitKind.CELL)
        bound = "whole roll: no web positions logged in the window"
    else:
        edges = GenealogyEdge.objects.filter(
            parent_id__in=_lanes_of(roll),
            child__kind=UnitKind.CELL,
            position_from_m__lte=high,
            position_to_m__gte=low,
        )
        cells = list(edges.values_list("child_id", flat=True))
        bound = f"metres {low:g}..{high:g}"
    suspects.cell_ids.update(cells)
    suspects.sources.append({"unit": roll.identifier, "bound": bound, "cells": len(set(cells))})


def recall_suspects(*, station: Station, start: datetime, end: datetime) -> Suspects:
    """The cells suspect of a defect at `station` between `start` and `end`: cells worked there
    in the window; on a roll station the cells built from the metres made in the window (from
    the web positions logged), else everything made from the units worked there."""
    if end < start:
        raise InvalidInput(_("The window ends before it starts."), field="end")
    suspects = Suspects(station=station, start=start, end=end)
    worked = Operation.objects.filter(station=station, started_at__lte=end).filter(
        Q(completed_at__isnull=True) | Q(completed_at__gte=start)
    )
    units = Unit.objects.filter(id__in=worked.values("unit_id")).order_by("id")
    for unit in units:
        if unit.kind == UnitKind.CELL:
            suspects.cell_ids.add(unit.id)
            continue
        if unit.kind == UnitKind.ROLL and station.kind in ROLL_STATIONS:
            _cells_from_roll(station, unit, suspects)
            continue
        cells = trace_forward(unit=unit).unit_ids(kind=UnitKind.CELL)
        suspects.cell_ids.update(cells)
        suspects.sources.append(
            {"unit": unit.identifier, "bound": "all made from it", "cells": len(cells)}
        )
    return suspects


def recall_report(suspects: Suspects) -> dict[str, Any]:
    """The suspects as the API shows them: each cell with its status and station, and counts."""
    codes = dict(Station.objects.values_list("id", "code"))
    cells = list(
        Unit.objects.filter(id__in=suspects.cell_ids)
        .order_by("identifier")
        .values_list("identifier", "status", "station_id")
    )
    rows = [{"identifier": i, "status": s, "station": codes.get(st)} for i, s, st in cells]
    groups = Counter((r["status"], r["station"]) for r in rows)
    return {
        "station": suspects.station.code,
        "start": suspects.start.isoformat(),
        "end": suspects.end.isoformat(),
        "sources": suspects.sources,
        "count": len(rows),
        "whereabouts": [
            {"status": status, "station": station, "count": n}
            for (status, station), n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0][0]))
        ],
        "cells": rows,
    }
