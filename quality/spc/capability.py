"""Process capability (Cp, Cpk) and performance (Pp, Ppk) against spec limits.

Cp and Cpk use the within (short-term) sigma: MR-bar / d2 of consecutive readings, or R-bar / d2
of subgroups. Pp and Ppk use the overall sigma: the sample standard deviation (ddof = 1) of every
reading. With one spec limit only, Cp and Pp are None and Cpk / Ppk come from that side. An index
whose sigma is zero or cannot be estimated is None, never infinity.
"""

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from quality.spc.constants import subgroup_constants
from quality.spc.errors import SpcInputError
from quality.spc.series import FloatArray, finite_or_raise


@dataclass(frozen=True)
class Capability:
    """Capability of one parameter: the indices, and the numbers they were computed from."""

    count: int
    mean: float | None
    sigma_within: float | None
    sigma_overall: float | None
    lsl: float | None
    usl: float | None
    cp: float | None
    cpk: float | None
    pp: float | None
    ppk: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def capability(
    values: ArrayLike,
    *,
    lsl: float | None = None,
    usl: float | None = None,
    sigma_within: float | None = None,
) -> Capability:
    """Cp, Cpk, Pp and Ppk of readings (1-D, in time order) or subgroups (a k x n array).

    sigma_within, when given (e.g. a chart's sigma_within), replaces the estimate from the data.
    NaN readings are ignored; a subgroup with a NaN reading is left out of R-bar.
    """
    lower = None if lsl is None else finite_or_raise("lsl", lsl)
    upper = None if usl is None else finite_or_raise("usl", usl)
    if lower is None and upper is None:
        raise SpcInputError(
            "no_spec_limit", "capability needs at least one spec limit (lsl or usl)"
        )
    if lower is not None and upper is not None and lower >= upper:
        raise SpcInputError(
            "limits_inverted", f"lsl ({lower}) must be below usl ({upper})", lsl=lower, usl=upper
        )
    data = np.asarray(values, dtype=np.float64)
    readings = data.ravel()[~np.isnan(data.ravel())]
    within = (
        _estimate_within(data)
        if sigma_within is None
        else finite_or_raise("sigma_within", sigma_within, minimum=0.0)
    )
    overall = float(np.std(readings, ddof=1)) if readings.size >= 2 else None
    mean = float(np.mean(readings)) if readings.size else None
    return Capability(
        count=int(readings.size),
        mean=mean,
        sigma_within=within,
        sigma_overall=overall,
        lsl=lower,
        usl=upper,
        cp=_spread_index(lower, upper, within),
        cpk=_centring_index(mean, lower, upper, within),
        pp=_spread_index(lower, upper, overall),
        ppk=_centring_index(mean, lower, upper, overall),
    )


def sigma_within_individuals(values: ArrayLike) -> float | None:
    """MR-bar / d2 over consecutive non-NaN readings; None with fewer than 2 readings."""
    series = np.asarray(values, dtype=np.float64).ravel()
    series = series[~np.isnan(series)]
    if series.size < 2:
        return None
    return float(np.mean(np.abs(np.diff(series)))) / subgroup_constants(2).d2


def sigma_within_subgroups(subgroups: ArrayLike) -> float | None:
    """R-bar / d2 over the complete subgroups of a k x n array; None if there are none."""
    data = np.asarray(subgroups, dtype=np.float64)
    if data.ndim != 2:
        raise SpcInputError(
            "bad_shape", f"expected subgroups as a k x n array, got shape {data.shape}"
        )
    constants = subgroup_constants(data.shape[1])
    complete = data[~np.isnan(data).any(axis=1)]
    if complete.shape[0] == 0:
        return None
    r_bar = float(np.mean(complete.max(axis=1) - complete.min(axis=1)))
    return r_bar / constants.d2


def _estimate_within(data: FloatArray) -> float | None:
    if data.ndim == 1:
        return sigma_within_individuals(data)
    if data.ndim == 2:
        return sigma_within_subgroups(data)
    raise SpcInputError(
        "bad_shape", f"expected readings (1-D) or subgroups (2-D), got shape {data.shape}"
    )


def _spread_index(lower: float | None, upper: float | None, sigma: float | None) -> float | None:
    """(USL - LSL) / (6 sigma): needs both limits."""
    if lower is None or upper is None or not sigma:
        return None
    return (upper - lower) / (6.0 * sigma)


def _centring_index(
    mean: float | None, lower: float | None, upper: float | None, sigma: float | None
) -> float | None:
    """min(USL - mean, mean - LSL) / (3 sigma), over the limits that exist."""
    if mean is None or not sigma:
        return None
    distances = []
    if upper is not None:
        distances.append(upper - mean)
    if lower is not None:
        distances.append(mean - lower)
    return min(distances) / (3.0 * sigma)
