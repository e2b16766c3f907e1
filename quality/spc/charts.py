"""Shewhart control charts: individuals / moving range and X-bar / R.

Limits come from a baseline window of the data (phase I), or from a given centre and sigma
(fixed limits from a spec, phase II). A given sigma is always the standard deviation of single
readings; the chart derives the sigma of subgroup means and the range-chart limits from it.
"""

import math

import numpy as np
from numpy.typing import ArrayLike

from quality.spc.constants import SubgroupConstants, subgroup_constants
from quality.spc.errors import SpcInputError
from quality.spc.limits import Chart, ChartLimits
from quality.spc.series import (
    Baseline,
    FloatArray,
    as_series,
    baseline_indices,
    finite_or_raise,
    moving_ranges,
)

MOVING_RANGE_SPAN = 2


def individuals_chart(
    values: ArrayLike,
    *,
    baseline: Baseline = None,
    center: float | None = None,
    sigma: float | None = None,
) -> Chart:
    """Individuals / moving-range (I-MR) chart of a series of single readings.

    From the valid (non-NaN) baseline readings in time order: center = their mean, MR-bar = the
    mean of |x[i] - x[i-1]| between consecutive ones, sigma = MR-bar / d2 (d2 = 1.128), limits =
    center +- 3 sigma. MR chart: center MR-bar, UCL = D4 * MR-bar (D4 = 3.267), LCL = 0. A given
    sigma replaces MR-bar / d2 and sets MR-bar = d2 * sigma; a given center replaces the mean.
    """
    series = as_series(values)
    chosen = baseline_indices(baseline, series.size)
    reference = series[chosen]
    reference = reference[~np.isnan(reference)]
    constants = subgroup_constants(MOVING_RANGE_SPAN)
    center_line = _center(center, reference, "reading")
    if sigma is None:
        if reference.size < MOVING_RANGE_SPAN:
            raise SpcInputError(
                "baseline_too_short", "the baseline needs at least 2 readings for a moving range"
            )
        mr_bar = float(np.mean(np.abs(np.diff(reference))))
        sigma_within = mr_bar / constants.d2
    else:
        sigma_within = finite_or_raise("sigma", sigma, minimum=0.0)
        mr_bar = constants.d2 * sigma_within
    return Chart(
        kind="individuals",
        subgroup_size=1,
        points=series,
        limits=_location_limits(center_line, 3.0 * sigma_within),
        ranges=moving_ranges(series),
        range_limits=_range_limits(mr_bar, constants),
        sigma_within=sigma_within,
        baseline=chosen,
    )


def xbar_r_chart(
    subgroups: ArrayLike,
    *,
    baseline: Baseline = None,
    center: float | None = None,
    sigma: float | None = None,
) -> Chart:
    """X-bar / R chart of k subgroups of n readings each (a k x n array, n = 2..10).

    A subgroup with a NaN reading has NaN mean and range and is left out of the limits. From the
    baseline subgroups: center = grand mean, R-bar = mean range, limits = center +- A2 * R-bar,
    R chart limits D3 * R-bar and D4 * R-bar, sigma_within = R-bar / d2. A given sigma (of single
    readings) gives limits center +- 3 sigma / sqrt(n) and R-bar = d2 * sigma.
    """
    data = np.asarray(subgroups, dtype=np.float64)
    if data.ndim != 2:
        raise SpcInputError(
            "bad_shape", f"expected subgroups as a k x n array, got shape {data.shape}"
        )
    constants = subgroup_constants(data.shape[1])
    means = data.mean(axis=1)
    ranges = data.max(axis=1) - data.min(axis=1)
    chosen = baseline_indices(baseline, means.size)
    complete = chosen[~np.isnan(means[chosen])]
    center_line = _center(center, means[complete], "complete subgroup")
    if sigma is None:
        if complete.size == 0:
            raise SpcInputError(
                "baseline_too_short", "the baseline needs at least 1 complete subgroup for R-bar"
            )
        r_bar = float(np.mean(ranges[complete]))
        sigma_within = r_bar / constants.d2
        half_width = constants.a2 * r_bar
    else:
        sigma_within = finite_or_raise("sigma", sigma, minimum=0.0)
        r_bar = constants.d2 * sigma_within
        half_width = 3.0 * sigma_within / math.sqrt(constants.n)
    return Chart(
        kind="xbar_r",
        subgroup_size=constants.n,
        points=means,
        limits=_location_limits(center_line, half_width),
        ranges=ranges,
        range_limits=_range_limits(r_bar, constants),
        sigma_within=sigma_within,
        baseline=chosen,
    )


def split_subgroups(values: ArrayLike, size: int) -> FloatArray:
    """Consecutive readings as a k x size array; an incomplete last subgroup is dropped."""
    if size < 1:
        raise SpcInputError(
            "subgroup_size", f"subgroup size must be at least 1, got {size}", size=size
        )
    series = as_series(values)
    count = series.size // size
    return series[: count * size].reshape(count, size)


def _center(given: float | None, reference: FloatArray, what: str) -> float:
    if given is not None:
        return finite_or_raise("center", given)
    if reference.size == 0:
        raise SpcInputError(
            "baseline_empty", f"the baseline holds no {what} to take the centre line from"
        )
    return float(np.mean(reference))


def _location_limits(center: float, half_width: float) -> ChartLimits:
    """Limits center +- half_width, where half_width is 3 sigma of the plotted statistic."""
    return ChartLimits(
        center=center, ucl=center + half_width, lcl=center - half_width, sigma=half_width / 3.0
    )


def _range_limits(r_bar: float, constants: SubgroupConstants) -> ChartLimits:
    ucl = constants.d4 * r_bar
    return ChartLimits(center=r_bar, ucl=ucl, lcl=constants.d3 * r_bar, sigma=(ucl - r_bar) / 3.0)
