"""EOL grading math, pure and vectorised (numpy): self-discharge K-values, the batch-median OCV
rule, and grade bins. No database here; finishing.services.grading feeds it stored readings.

Units: OCV in V (mV inside the fit, since K is mV/day), time in days, temperature in degC,
ACIR in mOhm, capacity in Ah. A grading batch is 100,000 cells at most, so every step works on
whole arrays: per-cell sums are np.bincount over the readings' cell index, never a Python loop.
"""

from dataclasses import dataclass, field

import numpy as np

REJECT = "reject"


@dataclass(frozen=True)
class GradeBin:
    """A grade a cell gets when every figure it names is within its bound (None: not binned)."""

    name: str
    k_max_mv_day: float | None = None
    acir_max_mohm: float | None = None
    capacity_min_ah: float | None = None


@dataclass(frozen=True)
class GradingRules:
    """Absolute limits (breaking one rejects), the batch-median window, the K fit's needs, and
    the grade bins best first. Defaults: DESIGN.md's EOL row (+-5 mV of the median, ACIR <= 1.6
    mOhm, K <= 0.5 mV/day) and the formation row (capacity >= 9.8 Ah)."""

    ocv_window_mv: float = 5.0
    ocv_min_v: float | None = 3.60
    ocv_max_v: float | None = 3.70
    k_max_mv_day: float | None = 0.5
    acir_max_mohm: float | None = 1.6
    capacity_min_ah: float | None = 9.8
    min_readings: int = 3
    min_span_days: float = 1.0
    min_batch: int = 5
    # dOCV/dT of the cell near 25 degC, mV per degC: readings are brought to reference_c first,
    # so a warm morning and a cool night do not read as self-discharge.
    temp_coeff_mv_per_c: float = 0.0
    reference_c: float = 25.0
    grades: tuple[GradeBin, ...] = field(default_factory=tuple)


@dataclass
class KFit:
    """Per cell: K (mV/day, positive when the OCV falls), its standard error, the last OCV
    brought to the reference temperature (V), readings used, aging span and readings without a
    temperature (left uncompensated). NaN where a cell has too few readings for a slope."""

    k_mv_day: np.ndarray
    k_stderr_mv_day: np.ndarray
    ocv_last_v: np.ndarray
    readings: np.ndarray
    span_days: np.ndarray
    uncompensated: np.ndarray


def compensate_mv(ocv_v: np.ndarray, temp_c: np.ndarray, rules: GradingRules) -> np.ndarray:
    """OCV in mV at the reference temperature; a reading without a temperature stays as read."""
    delta = np.where(np.isfinite(temp_c), temp_c - rules.reference_c, 0.0)
    return ocv_v * 1000.0 - rules.temp_coeff_mv_per_c * delta


def fit_k(
    cell: np.ndarray,
    t_days: np.ndarray,
    ocv_v: np.ndarray,
    temp_c: np.ndarray,
    *,
    cells: int,
    rules: GradingRules,
) -> KFit:
    """Least-squares slope of compensated OCV over time, per cell. `cell` is each reading's cell
    index (0..cells-1). Times are centred on each cell's mean before the sums, so a slope of
    0.1 mV/day is not lost in the cancellation of sums of squares of epoch days."""
    y = compensate_mv(ocv_v, temp_c, rules)
    n = np.bincount(cell, minlength=cells).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_mean = np.bincount(cell, t_days, cells) / n
        y_mean = np.bincount(cell, y, cells) / n
        tc = t_days - t_mean[cell]
        sxx = np.bincount(cell, tc * tc, cells)
        slope = np.bincount(cell, tc * (y - y_mean[cell]), cells) / sxx
        residual = y - y_mean[cell] - slope[cell] * tc
        dof = np.where(n > 2, n - 2, np.nan)
        stderr = np.sqrt(np.bincount(cell, residual * residual, cells) / dof / sxx)
    t_min = np.full(cells, np.inf)
    np.minimum.at(t_min, cell, t_days)
    t_max = np.full(cells, -np.inf)
    np.maximum.at(t_max, cell, t_days)
    order = np.lexsort((t_days, cell))  # by cell, then time: the last of each run is the newest
    last = order[np.r_[cell[order][1:] != cell[order][:-1], True]]
    ocv_last = np.full(cells, np.nan)
    ocv_last[cell[last]] = y[last] / 1000.0
    span = np.where(n > 0, t_max - t_min, 0.0)
    enough = (n >= max(rules.min_readings, 2)) & (span >= rules.min_span_days)
    return KFit(
        k_mv_day=np.where(enough, -slope, np.nan),
        k_stderr_mv_day=np.where(enough, stderr, np.nan),
        ocv_last_v=ocv_last,
        readings=n.astype(np.int64),
        span_days=span,
        uncompensated=np.bincount(cell, ~np.isfinite(temp_c), cells).astype(np.int64),
    )


def median_deviation_mv(ocv_v: np.ndarray) -> tuple[float, np.ndarray]:
    """The batch median OCV (V, over the cells that have one) and each cell's distance from it
    in mV (NaN for a cell without an OCV)."""
    finite = ocv_v[np.isfinite(ocv_v)]
    median = float(np.median(finite)) if finite.size else float("nan")
    return median, (ocv_v - median) * 1000.0


@dataclass
class Grading:
    """The verdict per cell: grade name (REJECT when any absolute or batch rule fails) and the
    reasons for a reject."""

    grades: list[str]
    reasons: list[list[str]]
    median_ocv_v: float
    deviation_mv: np.ndarray


def _checks(
    fit: KFit, deviation_mv: np.ndarray, acir: np.ndarray, capacity: np.ndarray, r: GradingRules
) -> list[tuple[np.ndarray, str, np.ndarray, str]]:
    """(fails, label, value, bound) for every rule; a NaN value fails as 'not measured'."""
    ocv = fit.ocv_last_v
    inf = np.inf
    lo = -inf if r.ocv_min_v is None else r.ocv_min_v
    hi = inf if r.ocv_max_v is None else r.ocv_max_v
    k_max = inf if r.k_max_mv_day is None else r.k_max_mv_day
    acir_max = inf if r.acir_max_mohm is None else r.acir_max_mohm
    cap_min = -inf if r.capacity_min_ah is None else r.capacity_min_ah
    with np.errstate(invalid="ignore"):
        return [
            (~((ocv >= lo) & (ocv <= hi)), "OCV", ocv, f"outside {lo:g}..{hi:g} V"),
            (
                ~(np.abs(deviation_mv) <= r.ocv_window_mv),
                "OCV from the batch median",
                deviation_mv,
                f"beyond +-{r.ocv_window_mv:g} mV",
            ),
            (~(fit.k_mv_day <= k_max), "K", fit.k_mv_day, f"above {k_max:g} mV/day"),
            (~(acir <= acir_max), "ACIR", acir, f"above {acir_max:g} mOhm"),
            (~(capacity >= cap_min), "capacity", capacity, f"below {cap_min:g} Ah"),
        ]


def _bin_index(fit: KFit, acir: np.ndarray, capacity: np.ndarray, r: GradingRules) -> np.ndarray:
    """Index of the first (best) grade bin each cell fits; len(grades) when none fits."""
    index = np.full(fit.k_mv_day.shape, len(r.grades))
    with np.errstate(invalid="ignore"):
        for i, grade in reversed(list(enumerate(r.grades))):
            fits = np.ones(index.shape, dtype=bool)
            if grade.k_max_mv_day is not None:
                fits &= fit.k_mv_day <= grade.k_max_mv_day
            if grade.acir_max_mohm is not None:
                fits &= acir <= grade.acir_max_mohm
            if grade.capacity_min_ah is not None:
                fits &= capacity >= grade.capacity_min_ah
            index[fits] = i
    return index


def grade_cells(
    fit: KFit, acir_mohm: np.ndarray, capacity_ah: np.ndarray, rules: GradingRules
) -> Grading:
    """Grade a batch: reject on any absolute limit or the median window, else the best bin."""
    median, deviation = median_deviation_mv(fit.ocv_last_v)
    checks = _checks(fit, deviation, acir_mohm, capacity_ah, rules)
    failed = np.zeros(fit.k_mv_day.shape, dtype=bool)
    for fails, *_ in checks:
        failed |= fails
    bins = _bin_index(fit, acir_mohm, capacity_ah, rules)
    names = [g.name for g in rules.grades] + [REJECT]
    grades = [names[i] for i in bins.tolist()]
    reasons: list[list[str]] = [[] for _ in grades]
    for i in np.flatnonzero(failed | (bins == len(rules.grades))).tolist():
        grades[i] = REJECT
        reasons[i] = _reasons_of(i, checks) or ["fits no grade bin"]
    return Grading(grades=grades, reasons=reasons, median_ocv_v=median, deviation_mv=deviation)


def _reasons_of(i: int, checks: list[tuple[np.ndarray, str, np.ndarray, str]]) -> list[str]:
    out = []
    for fails, label, values, bound in checks:
        if fails[i]:
            value = values[i]
            out.append(
                f"{label} not measured" if np.isnan(value) else f"{label} {value:.4g} {bound}"
            )
    return out
