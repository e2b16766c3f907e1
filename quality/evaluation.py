"""Evaluation of values against limits: a pure, vectorised function with no database access.

A value is in spec only if it is a finite number with a Good OPC UA status and within the limits.
NaN, infinity, a missing value, a rejected sample or a bad status is never a pass: it is a
data-quality verdict, so a broken sensor cannot hide an out-of-spec product.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IN_SPEC = 0
BELOW_LSL = 1
ABOVE_USL = 2
DATA_QUALITY = 3

VERDICT_TEXT = {
    IN_SPEC: "in spec",
    BELOW_LSL: "below LSL",
    ABOVE_USL: "above USL",
    DATA_QUALITY: "unusable value",
}


@dataclass(frozen=True, slots=True)
class Limits:
    """Specification limits; either side may be open (None)."""

    lsl: float | None = None
    usl: float | None = None

    def describe(self, verdict: int) -> str:
        if verdict == BELOW_LSL:
            return f"LSL {self.lsl:g}"
        if verdict == ABOVE_USL:
            return f"USL {self.usl:g}"
        return ""


def evaluate(
    values: npt.ArrayLike,
    status_codes: npt.ArrayLike,
    limits: Limits,
    *,
    usable: npt.ArrayLike | None = None,
) -> np.ndarray:
    """One verdict per value (IN_SPEC, BELOW_LSL, ABOVE_USL, DATA_QUALITY), as an int8 array.

    `values` are floats (None already turned into NaN), `status_codes` OPC UA status codes (0 is
    Good; any Uncertain or Bad code is unusable), `usable` an optional mask of samples the ingest
    accepted. Limits are inclusive: a value equal to a limit is in spec.
    """
    values = np.asarray(values, dtype=np.float64)
    verdicts = np.zeros(values.shape, dtype=np.int8)
    if limits.lsl is not None:
        verdicts[values < limits.lsl] = BELOW_LSL
    if limits.usl is not None:
        verdicts[values > limits.usl] = ABOVE_USL
    bad = ~np.isfinite(values) | (np.asarray(status_codes) != 0)
    if usable is not None:
        bad |= ~np.asarray(usable, dtype=bool)
    verdicts[bad] = DATA_QUALITY
    return verdicts


def distance_beyond(values: np.ndarray, verdicts: np.ndarray, limits: Limits) -> np.ndarray:
    """How far each out-of-spec value lies beyond the limit it broke (0 elsewhere): picks the worst."""
    values = np.asarray(values, dtype=np.float64)
    distance = np.zeros(values.shape)
    if limits.lsl is not None:
        below = verdicts == BELOW_LSL
        distance[below] = limits.lsl - values[below]
    if limits.usl is not None:
        above = verdicts == ABOVE_USL
        distance[above] = values[above] - limits.usl
    return distance
