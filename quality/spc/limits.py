"""The results of a control-chart calculation: limits and charts, ready for JSON."""

import math
from dataclasses import dataclass
from typing import Any, Literal

from quality.spc.series import FloatArray, IndexArray

ChartKind = Literal["individuals", "xbar_r"]


@dataclass(frozen=True)
class ChartLimits:
    """Centre line and control limits of one chart, in the unit of the plotted statistic.

    sigma is the standard deviation of the plotted statistic, the unit of the rule zones: for the
    location chart ucl = center + 3 sigma and lcl = center - 3 sigma. On a range chart the lower
    limit is D3 * R-bar (never negative) and sigma = (ucl - center) / 3, so rule 1 against
    center +- 3 sigma is exactly "beyond the range-chart limits".
    """

    center: float
    ucl: float
    lcl: float
    sigma: float

    def to_dict(self) -> dict[str, float]:
        return {"center": self.center, "ucl": self.ucl, "lcl": self.lcl, "sigma": self.sigma}


@dataclass(frozen=True, eq=False)
class Chart:
    """A location chart (individuals or subgroup means) with its range chart.

    points and ranges are aligned with the input (one per reading, or one per subgroup); a
    missing point, the first moving range and the moving range at a missing point are NaN.
    sigma_within is the short-term standard deviation of single readings (MR-bar / d2,
    R-bar / d2, or the sigma that was given), the one capability's Cp and Cpk use. baseline
    holds the indices of the baseline window (a centre or sigma that was given ignores it).
    Not comparable with == (it holds arrays); compare fields.
    """

    kind: ChartKind
    subgroup_size: int
    points: FloatArray
    limits: ChartLimits
    ranges: FloatArray
    range_limits: ChartLimits
    sigma_within: float
    baseline: IndexArray

    def to_dict(self) -> dict[str, Any]:
        """Plain lists and floats; NaN becomes None so the result is valid JSON."""
        return {
            "kind": self.kind,
            "subgroup_size": self.subgroup_size,
            "points": nan_to_none(self.points),
            "limits": self.limits.to_dict(),
            "ranges": nan_to_none(self.ranges),
            "range_limits": self.range_limits.to_dict(),
            "sigma_within": self.sigma_within,
            "baseline": self.baseline.tolist(),
        }


def nan_to_none(values: FloatArray) -> list[float | None]:
    """A float array as a list, with None where the array holds NaN."""
    return [None if math.isnan(value) else value for value in values.tolist()]
