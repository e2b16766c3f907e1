"""Western Electric rules 1-4 and Nelson rules 5-8, vectorised.

Which definitions: rules 1-4 are the four zone tests of the Western Electric Statistical
Quality Control Handbook (1956); rules 5-8 are the remaining Nelson tests (Journal of Quality
Technology, 1984), renumbered here to follow on from 1-4. Nelson's own numbers differ (his
test 2 is 9 points on one side, 3 is the trend, 4 the alternation, 7 the hugging, 8 the
mixture), and some texts use other run lengths; this module implements exactly:

1. one point more than 3 sigma from the centre line (either side);
2. 2 of 3 consecutive points more than 2 sigma from the centre line, both on the same side;
3. 4 of 5 consecutive points more than 1 sigma from the centre line, all on the same side;
4. 8 consecutive points on the same side of the centre line;
5. 6 points in a row steadily increasing, or steadily decreasing (5 rises, or 5 falls);
6. 15 points in a row within 1 sigma of the centre line (either side);
7. 14 points in a row alternating up and down (13 steps, each reversing the previous one);
8. 8 points in a row more than 1 sigma from the centre line, on either side (none within).

Conventions, common to all rules:

- "more than k sigma" is strict: |x - center| > k * sigma; a point exactly on a zone boundary
  is within the inner zone (so "within 1 sigma" is |x - center| <= sigma). "Beyond 2 sigma"
  includes points beyond 3 sigma.
- A point exactly on the centre line is on neither side: it breaks a rule-4 run and is never
  one of the same-side points of rules 2 and 3. Equal consecutive values are neither a rise nor
  a fall: they break the runs of rules 5 and 7.
- A rule fires at the point that completes a violation: the last point of the window, and that
  point must itself be one of the qualifying points (for rule 2, a point beyond 2 sigma whose
  window of 3 holds another one on the same side). A pattern is never reported at an in-control
  point that merely follows it. While a pattern continues, every further point that completes
  a window is reported again (10 points above the centre line fire rule 4 at the 8th, 9th
  and 10th).
- At the start of the series, "2 of 3" and "4 of 5" count over the points that exist: two
  first points beyond 2 sigma fire rule 2 at the second point.
- Missing points (NaN) are removed before the rules run: runs and windows continue across them
  as if they had not been recorded, a NaN point is never reported, and the indices returned
  are positions in the original series.
- sigma = 0 is allowed: every zone collapses onto the centre line.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from quality.spc.errors import SpcInputError
from quality.spc.limits import Chart
from quality.spc.series import FloatArray, IndexArray, as_series, finite_or_raise
from quality.spc.windows import BoolArray, run_ends, window_counts

# (values, deviations from the centre line, sigma) -> where the rule fires.
RuleCheck = Callable[[FloatArray, FloatArray, float], BoolArray]


@dataclass(frozen=True)
class Rule:
    """One rule: its number here, a short name, a sentence for people, and its check."""

    number: int
    name: str
    description: str
    check: RuleCheck


@dataclass(frozen=True, eq=False)
class RuleViolations:
    """Where one rule fired: indices (ascending) of the points that complete a violation."""

    rule: int
    name: str
    description: str
    indices: IndexArray

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "description": self.description,
            "indices": self.indices.tolist(),
        }


def _same_side(deviations: FloatArray, threshold: float, needed: int, window: int) -> BoolArray:
    above = deviations > threshold
    below = deviations < -threshold
    return (above & (window_counts(above, window) >= needed)) | (
        below & (window_counts(below, window) >= needed)
    )


def _steps(values: FloatArray) -> tuple[BoolArray, BoolArray]:
    """(rises, falls): whether each point is above / below the one before (False at the first)."""
    change = np.diff(values, prepend=np.nan)
    return change > 0, change < 0


def _beyond_3(values: FloatArray, deviations: FloatArray, sigma: float) -> BoolArray:
    return np.abs(deviations) > 3.0 * sigma


def _two_of_three(values: FloatArray, deviations: FloatArray, sigma: float) -> BoolArray:
    return _same_side(deviations, 2.0 * sigma, needed=2, window=3)


def _four_of_five(values: FloatArray, deviations: FloatArray, sigma: float) -> BoolArray:
    return _same_side(deviations, sigma, needed=4, window=5)


def _eight_one_side(values: FloatArray, deviations: FloatArray, sigma: float) -> BoolArray:
    return run_ends(deviations > 0, 8) | run_ends(deviations < 0, 8)


def _trend(values: FloatArray, deviations: FloatArray, sigma: float) -> BoolArray:
    rises, falls = _steps(values)
    return run_ends(rises, 5) | run_ends(falls, 5)


def _hugging(values: FloatArray, deviations: FloatArray, sigma: float) -> BoolArray:
    return run_ends(np.abs(deviations) <= sigma, 15)


def _alternating(values: FloatArray, deviations: FloatArray, sigma: float) -> BoolArray:
    rises, falls = _steps(values)
    turns = np.zeros(values.shape, dtype=np.bool_)
    turns[1:] = (rises[1:] & falls[:-1]) | (falls[1:] & rises[:-1])
    return run_ends(turns, 12)


def _mixture(values: FloatArray, deviations: FloatArray, sigma: float) -> BoolArray:
    return run_ends(np.abs(deviations) > sigma, 8)


RULES: dict[int, Rule] = {
    rule.number: rule
    for rule in (
        Rule(1, "beyond 3 sigma", "1 point more than 3 sigma from the centre line", _beyond_3),
        Rule(
            2,
            "2 of 3 beyond 2 sigma",
            "2 of 3 consecutive points more than 2 sigma from the centre line, on the same side",
            _two_of_three,
        ),
        Rule(
            3,
            "4 of 5 beyond 1 sigma",
            "4 of 5 consecutive points more than 1 sigma from the centre line, on the same side",
            _four_of_five,
        ),
        Rule(
            4,
            "8 on one side",
            "8 consecutive points on the same side of the centre line",
            _eight_one_side,
        ),
        Rule(
            5, "trend of 6", "6 points in a row steadily increasing or steadily decreasing", _trend
        ),
        Rule(
            6, "15 within 1 sigma", "15 points in a row within 1 sigma of the centre line", _hugging
        ),
        Rule(7, "14 alternating", "14 points in a row alternating up and down", _alternating),
        Rule(
            8,
            "8 beyond 1 sigma",
            "8 points in a row more than 1 sigma from the centre line, on either side",
            _mixture,
        ),
    )
}
WESTERN_ELECTRIC_RULES: tuple[int, ...] = (1, 2, 3, 4)
NELSON_RULES: tuple[int, ...] = (5, 6, 7, 8)
ALL_RULES: tuple[int, ...] = WESTERN_ELECTRIC_RULES + NELSON_RULES


def evaluate_rules(
    values: ArrayLike,
    *,
    center: float,
    sigma: float,
    rules: Iterable[int] = WESTERN_ELECTRIC_RULES,
) -> list[RuleViolations]:
    """Run the chosen rules (numbers 1-8) over a series; one result per rule, in the order asked.

    sigma is the standard deviation of the plotted values (a chart's limits.sigma). See the
    module docstring for the exact definitions and conventions.
    """
    chosen = [_rule(number) for number in rules]
    series = as_series(values)
    center = finite_or_raise("center", center)
    sigma = finite_or_raise("sigma", sigma, minimum=0.0)
    missing = np.isnan(series)
    positions = np.flatnonzero(~missing) if missing.any() else None
    recorded = series if positions is None else series[positions]
    deviations = recorded - center
    results = []
    for rule in chosen:
        fired = np.flatnonzero(rule.check(recorded, deviations, sigma))
        indices = fired if positions is None else positions[fired]
        results.append(RuleViolations(rule.number, rule.name, rule.description, indices))
    return results


def chart_violations(
    chart: Chart, *, rules: Iterable[int] = WESTERN_ELECTRIC_RULES
) -> list[RuleViolations]:
    """Run the chosen rules over a chart's points against its own limits."""
    return evaluate_rules(
        chart.points, center=chart.limits.center, sigma=chart.limits.sigma, rules=rules
    )


def _rule(number: int) -> Rule:
    if number not in RULES:
        raise SpcInputError(
            "no_rule", f"no rule {number}; the rules are {sorted(RULES)}", rule=number
        )
    return RULES[number]
