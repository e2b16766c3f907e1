"""Reads for EOL grading: the aging readings of a batch of cells as arrays, a cell's grade, and
the scheme that grades a product."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from finishing.models import CellGrade, GradingScheme
from lines.models import Product, Unit
from lines.selectors import samples

OCV = "ocv_v"
CELL_TEMPERATURE = "cell_temperature_c"
ACIR = "acir_mohm"
CAPACITY = "capacity_ah"
GRADING_PARAMETERS = (OCV, CELL_TEMPERATURE, ACIR, CAPACITY)
CHUNK = 2000  # cell ids per query: under every backend's parameter limit, one index range each


@dataclass
class AgingReadings:
    """The readings grading needs, as arrays: OCV readings with the cell's temperature at the
    same source time (NaN when the tester logged none), and each cell's latest ACIR and
    capacity (NaN when never measured). `cell` indexes `unit_ids`."""

    unit_ids: list[int]
    cell: np.ndarray
    t_days: np.ndarray
    ocv_v: np.ndarray
    temp_c: np.ndarray
    acir_mohm: np.ndarray
    capacity_ah: np.ndarray


def _rows(unit_ids: Sequence[int]) -> list[tuple[int, str, datetime, float]]:
    rows: list[tuple[int, str, datetime, float]] = []
    for start in range(0, len(unit_ids), CHUNK):
        chunk = unit_ids[start : start + CHUNK]
        wanted = samples.Where(units=chunk, parameters=GRADING_PARAMETERS, usable=True)
        for s in samples.samples(wanted):
            assert s.unit_id is not None and s.value is not None  # a unit's usable readings
            rows.append((s.unit_id, s.parameter, s.source_time, s.value))
    return rows


def aging_readings(*, unit_ids: Sequence[int]) -> AgingReadings:
    """Every usable grading reading of these cells, in a few queries (one per 2,000 cells)."""
    index = {uid: i for i, uid in enumerate(unit_ids)}
    temps: dict[tuple[int, datetime], float] = {}
    latest: dict[str, dict[int, tuple[datetime, float]]] = {ACIR: {}, CAPACITY: {}}
    ocv: list[tuple[int, datetime, float]] = []
    for unit_id, parameter, at, value in _rows(list(unit_ids)):
        if not np.isfinite(value):
            continue  # PostgreSQL keeps NaN as a value (lines.selectors.is_usable_value)
        if parameter == OCV:
            ocv.append((unit_id, at, value))
        elif parameter == CELL_TEMPERATURE:
            temps[(unit_id, at)] = value
        else:
            seen = latest[parameter].get(unit_id)
            if seen is None or at >= seen[0]:
                latest[parameter][unit_id] = (at, value)
    return AgingReadings(
        unit_ids=list(unit_ids),
        cell=np.array([index[r[0]] for r in ocv], dtype=np.int64),
        t_days=np.array([r[1].timestamp() / 86400.0 for r in ocv], dtype=np.float64),
        ocv_v=np.array([r[2] for r in ocv], dtype=np.float64),
        temp_c=np.array([temps.get((r[0], r[1]), np.nan) for r in ocv], dtype=np.float64),
        acir_mohm=_latest_array(latest[ACIR], unit_ids),
        capacity_ah=_latest_array(latest[CAPACITY], unit_ids),
    )


def _latest_array(latest: dict[int, tuple[datetime, float]], unit_ids: Sequence[int]) -> np.ndarray:
    return np.array([latest[u][1] if u in latest else np.nan for u in unit_ids], dtype=np.float64)


def grade_of(*, unit: Unit) -> CellGrade | None:
    """The cell's current grade: its newest grading, or None when never graded."""
    return CellGrade.objects.filter(unit=unit).order_by("-graded_at", "-id").first()


def scheme_for(*, product: Product | None) -> GradingScheme | None:
    """The scheme of the product, else the scheme for any product, else None."""
    schemes = GradingScheme.objects.all()
    found = schemes.filter(product=product).first() if product is not None else None
    return found or schemes.filter(product__isnull=True).first()
