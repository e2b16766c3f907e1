"""Loading what the battery passports of a set of cells read: each table once per 2,000 cells,
and the as-built ancestry (lines.selectors.trace_backward for one cell; level by level for
many, so that a lane shared by a thousand cells is read once)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Sum

from finishing.models import CellGrade, PassportProfile
from finishing.passport import Ancestry, Declared, UnitFacts
from lines.models import GenealogyEdge, LotDeclaration, Material, Operation, Station, Unit
from lines.sample_segments import moment_of
from lines.selectors import sample_columns, samples, trace_backward
from quality.models import Spec

CHUNK = 2000


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _unit_facts(ids: Sequence[int]) -> dict[int, UnitFacts]:
    facts = {}
    for chunk in _chunks(list(ids)):
        rows = Unit.objects.filter(id__in=chunk).values_list(
            "id", "kind", "quantity_initial", "material_id"
        )
        given = dict(
            GenealogyEdge.objects.filter(parent_id__in=chunk)
            .values("parent_id")
            .annotate(total=Sum("quantity"))
            .values_list("parent_id", "total")
        )
        for uid, kind, quantity, material_id in rows:
            facts[uid] = UnitFacts(kind, float(quantity), material_id, float(given.get(uid, 0)))
    return facts


def ancestry_one(unit: Unit) -> Ancestry:
    trace = trace_backward(unit=unit)
    edges = [(e.parent_id, e.child_id, e.quantity) for e in trace.edges]
    return Ancestry(edges, _unit_facts(list(trace.nodes)))


def ancestry_many(cell_ids: Sequence[int]) -> Ancestry:
    """Level by level up the genealogy, each level in a few queries: 100,000 cells share about
    a hundred lanes, so the levels above the cells are small."""
    edges: list[tuple[int, int, float]] = []
    seen, frontier = set(cell_ids), list(cell_ids)
    while frontier:
        found = []
        for chunk in _chunks(frontier):
            rows = GenealogyEdge.objects.filter(child_id__in=chunk).values_list(
                "parent_id", "child_id", "quantity"
            )
            for parent_id, child_id, quantity in rows:
                edges.append((parent_id, child_id, float(quantity)))
                if parent_id not in seen:
                    seen.add(parent_id)
                    found.append(parent_id)
        frontier = found
    return Ancestry(edges, _unit_facts(list(seen)))


@dataclass
class PassportContext:
    """Everything the passports of a set of cells read, loaded once for all of them."""

    ancestry: Ancestry
    grades: dict[int, CellGrade] = field(default_factory=dict)
    measurements: dict[int, dict[tuple[int | None, str], tuple[datetime, float]]] = field(
        default_factory=dict
    )
    operations: dict[int, list[tuple]] = field(default_factory=dict)
    lots: dict[int, Mapping[str, Any]] = field(default_factory=dict)
    declarations: dict[int, Declared] = field(default_factory=dict)
    materials: dict[int, Material] = field(default_factory=dict)
    profiles: dict[int | None, PassportProfile] = field(default_factory=dict)
    stations: dict[int, Station] = field(default_factory=dict)
    spec_units: dict[str, str] = field(default_factory=dict)
    # Cells stacked from the same lane and foil lots hold the same materials: computed once.
    materials_cache: dict[tuple, tuple] = field(default_factory=dict)


def passport_context(cells: Sequence[Unit], ancestry: Ancestry) -> PassportContext:
    ids = [c.id for c in cells]
    ctx = PassportContext(ancestry=ancestry)
    for chunk in _chunks(ids):
        for grade in CellGrade.objects.filter(unit_id__in=chunk).order_by("graded_at", "id"):
            ctx.grades[grade.unit_id] = grade  # the newest wins
        # As columns: thousands of readings a cell, of which the newest per station and
        # parameter is kept; no Sample is built (lines.selectors.sample_columns).
        found = sample_columns.columns(samples.Where(units=chunk, usable=True))
        newest: dict[tuple[int, int, str], tuple[int, float]] = {}
        for uid, station_id, parameter, at_us, value in zip(
            found.unit_id.tolist(), found.station_id.tolist(), found.parameter.tolist(),
            found.source_us.tolist(), found.value.tolist(), strict=True,
        ):  # fmt: skip
            newest[(uid, station_id, parameter)] = (at_us, value)  # oldest first: newest stays
        for (uid, station_id, parameter), (at_us, value) in newest.items():
            station = None if station_id == sample_columns.NO_STATION else station_id
            per_cell = ctx.measurements.setdefault(uid, {})
            per_cell[(station, parameter)] = (moment_of(at_us), value)
        ops = Operation.objects.filter(unit_id__in=chunk).order_by("started_at", "id")
        done = ops.values_list("unit_id", "station_id", "step__name", "result", "completed_at")
        for uid, *row in done:
            ctx.operations.setdefault(uid, []).append(tuple(row))
    lot_ids = [uid for uid, f in ancestry.units.items() if f.material_id is not None]
    for chunk in _chunks(lot_ids):
        lots = Unit.objects.filter(id__in=chunk).values(
            "id", "identifier", "supplier", "supplier_lot", "uom", "material_id"
        )
        ctx.lots.update({lot["id"]: lot for lot in lots})
        for d in LotDeclaration.objects.filter(lot_id__in=chunk):
            ctx.declarations[d.lot_id] = Declared(d.mass_kg_per_uom, d.elements_pct, d.recycled_pct)
    ctx.materials = Material.objects.in_bulk()
    products = {c.product_id for c in cells}
    ctx.profiles = {
        p.product_id: p for p in PassportProfile.objects.filter(product_id__in=products)
    }
    ctx.stations = Station.objects.select_related("line").in_bulk()
    for parameter, unit in Spec.objects.values_list("parameter", "unit_of_measure"):
        ctx.spec_units.setdefault(parameter, unit)
    return ctx
