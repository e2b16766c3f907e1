"""Shared input handling: series as float arrays, baseline windows, moving ranges.

Missing readings are NaN. Everywhere in this package a NaN point is removed before anything is
computed from its neighbours, so the moving range of the first reading after a gap is taken
against the last reading before it, and runs continue across the gap.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from quality.spc.errors import SpcInputError

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]

# None: every point; int N: the first N points; a slice; indices; or a boolean mask.
Baseline = int | slice | Sequence[int] | NDArray[np.integer] | NDArray[np.bool_] | None


def as_series(values: ArrayLike) -> FloatArray:
    """Return values as a 1-D float64 array (a copy only when a conversion is needed)."""
    series = np.asarray(values, dtype=np.float64)
    if series.ndim != 1:
        raise SpcInputError(
            "bad_shape", f"expected a 1-D series of values, got shape {series.shape}"
        )
    return series


def baseline_indices(baseline: Baseline, length: int) -> IndexArray:
    """Turn a baseline selection into sorted, unique point indices within 0..length-1."""
    if baseline is None:
        return np.arange(length)
    if isinstance(baseline, slice):
        return np.unique(np.arange(length)[baseline])
    if isinstance(baseline, int | np.integer):
        if not 0 < baseline <= length:
            raise SpcInputError(
                "baseline_outside",
                f"baseline of the first {baseline} points, but the series has {length}",
            )
        return np.arange(int(baseline))
    chosen = np.asarray(baseline)
    if chosen.size == 0:
        return np.empty(0, dtype=np.intp)
    if chosen.dtype == np.bool_:
        if chosen.shape != (length,):
            raise SpcInputError(
                "baseline_outside",
                f"baseline mask has shape {chosen.shape}, the series has {length}",
            )
        return np.flatnonzero(chosen)
    chosen = np.unique(chosen.astype(np.intp, casting="same_kind"))
    if chosen[0] < 0 or chosen[-1] >= length:
        raise SpcInputError("baseline_outside", f"baseline indices must lie in 0..{length - 1}")
    return chosen


def moving_ranges(values: FloatArray) -> FloatArray:
    """|x[i] - x[previous valid i]| at each valid point after the first; NaN elsewhere."""
    ranges = np.full(values.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(values))
    ranges[valid[1:]] = np.abs(np.diff(values[valid]))
    return ranges


def finite_or_raise(name: str, value: float, *, minimum: float | None = None) -> float:
    """Return value as a float, refusing NaN, infinity and values below minimum."""
    number = float(value)
    if not np.isfinite(number) or (minimum is not None and number < minimum):
        bound = "" if minimum is None else f" and >= {minimum}"
        raise SpcInputError("not_finite", f"{name} must be finite{bound}, got {value!r}")
    return number
