"""Control-chart constants for subgroups of 2 to 10 measurements.

Source: ASTM Manual on Presentation of Data and Control Chart Analysis (STP 15D), Table 49, as
reprinted in D. C. Montgomery, Introduction to Statistical Quality Control, Appendix VI. The
values are the printed (rounded) ones on purpose: limits then match a hand calculation from the
textbook table digit for digit.
"""

from dataclasses import dataclass

from quality.spc.errors import SpcInputError


@dataclass(frozen=True)
class SubgroupConstants:
    """The constants for one subgroup size n.

    d2 is the mean of the relative range (E[R] = d2 * sigma); A2 = 3 / (d2 * sqrt(n)) gives the
    X-bar limits from R-bar; D3 and D4 give the R-chart limits from R-bar (D3 = 0 below n = 7,
    where the lower limit would be negative).
    """

    n: int
    a2: float
    d2: float
    d3: float
    d4: float


# n: (A2, d2, D3, D4), ASTM STP 15D Table 49 / Montgomery Appendix VI.
_TABLE: dict[int, tuple[float, float, float, float]] = {
    2: (1.880, 1.128, 0.0, 3.267),
    3: (1.023, 1.693, 0.0, 2.574),
    4: (0.729, 2.059, 0.0, 2.282),
    5: (0.577, 2.326, 0.0, 2.114),
    6: (0.483, 2.534, 0.0, 2.004),
    7: (0.419, 2.704, 0.076, 1.924),
    8: (0.373, 2.847, 0.136, 1.864),
    9: (0.337, 2.970, 0.184, 1.816),
    10: (0.308, 3.078, 0.223, 1.777),
}

MIN_SUBGROUP_SIZE = min(_TABLE)
MAX_SUBGROUP_SIZE = max(_TABLE)


def subgroup_constants(n: int) -> SubgroupConstants:
    """Return the constants for subgroup size n (2..10); a moving range of two points uses n = 2."""
    if n not in _TABLE:
        raise SpcInputError(
            "subgroup_size",
            f"subgroup size must be {MIN_SUBGROUP_SIZE}..{MAX_SUBGROUP_SIZE}, got {n}",
            size=n,
        )
    a2, d2, d3, d4 = _TABLE[n]
    return SubgroupConstants(n=n, a2=a2, d2=d2, d3=d3, d4=d4)
