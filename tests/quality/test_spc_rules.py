"""Western Electric rules 1-4 and Nelson rules 5-8: hand-written series with known firing points.

Unless a test says otherwise the centre line is 0 and sigma is 1, so every value is its own
distance from the centre in sigma. Each expected index list was worked out by hand from the
rule definitions in quality/spc/rules.py: a rule fires at the point that completes it.
"""

import json

import numpy as np
import pytest

from bench.spc import naive_rule
from quality.spc import (
    ALL_RULES,
    WESTERN_ELECTRIC_RULES,
    chart_violations,
    evaluate_rules,
    xbar_r_chart,
)

NAN = float("nan")


def fired(values, rule, *, center=0.0, sigma=1.0):
    (result,) = evaluate_rules(values, center=center, sigma=sigma, rules=(rule,))
    assert result.rule == rule
    return result.indices.tolist()


# Rule 1: one point more than 3 sigma away.


def test_rule_1_fires_at_each_point_beyond_3_sigma():
    assert fired([0, 1, 3.5, -0.5, -3.2, 0], 1) == [2, 4]


def test_rule_1_near_miss_points_on_or_inside_the_limits():
    assert fired([2.9, -2.9, 3.0, -3.0], 1) == []


def test_rule_1_with_a_real_centre_and_sigma():
    # centre 10, sigma 0.5: 11.6 is 3.2 sigma above; 11.5 is exactly 3 sigma; 8.4 is 3.2 below.
    assert fired([10.0, 11.6, 11.5, 8.4], 1, center=10.0, sigma=0.5) == [1, 3]


# Rule 2: 2 of 3 consecutive beyond 2 sigma, on the same side.


def test_rule_2_fires_at_the_second_point_beyond_2_sigma_within_3():
    #          0    1    2    3  4     5    6    7     8     9
    values = [0, 2.5, 0.5, 2.2, 0, -2.1, 0.3, 0.1, -2.4, -2.6]
    # 3: window 1..3 holds 2.5 and 2.2 above. 8: window 6..8 holds only -2.4 (5 is out of reach).
    # 9: window 7..9 holds -2.4 and -2.6 below.
    assert fired(values, 2) == [3, 9]


def test_rule_2_is_not_reported_at_the_in_control_point_after_it():
    assert fired([0, 2.5, 2.5, 0.0, 0.0], 2) == [2]


def test_rule_2_counts_the_first_points_of_the_series():
    assert fired([2.1, 2.1], 2) == [1]
    assert fired([2.1, 2.1, 2.1], 2) == [1, 2]


def test_rule_2_near_miss_opposite_sides_too_far_apart_or_on_the_boundary():
    assert fired([2.5, -2.5, 0, 2.5, 0, 0, 2.5], 2) == []
    assert fired([2.0, 2.5, 0, -2.0, -2.5], 2) == []


# Rule 3: 4 of 5 consecutive beyond 1 sigma, on the same side.


def test_rule_3_fires_at_the_fourth_point_beyond_1_sigma_within_5():
    #          0    1    2    3    4  5    6
    values = [1.5, 1.2, 0.5, 1.1, 1.3, 0, 1.4]
    # 4: window 0..4 holds 1.5, 1.2, 1.1, 1.3. 6: window 2..6 holds 1.1, 1.3, 1.4 only.
    assert fired(values, 3) == [4]


def test_rule_3_below_the_centre_at_the_start_of_the_series():
    assert fired([-1.1, -1.2, -1.3, -1.4], 3) == [3]


def test_rule_3_near_miss_five_of_six_beyond_1_sigma_but_split_by_side():
    # Windows 0..4 and 1..5 each hold 3 above and 2 below.
    assert fired([1.5, -1.5, 1.2, -1.1, 1.3, 1.4], 3) == []
    # 1.0 is exactly 1 sigma: inside.
    assert fired([1.5, 1.2, 1.0, 1.1, 0.9, 1.3], 3) == []


# Rule 4: 8 consecutive on the same side of the centre line.


def test_rule_4_fires_at_the_eighth_point_on_one_side_and_each_after():
    assert fired([0.5] * 8, 4) == [7]
    assert fired([0.5] * 10, 4) == [7, 8, 9]
    assert fired([0.2, -0.3] + [0.4] * 8 + [-0.1], 4) == [9]
    assert fired([-0.1] * 8, 4) == [7]


def test_rule_4_near_miss_seven_on_one_side():
    assert fired([1.0] * 7 + [-1.0], 4) == []


def test_rule_4_a_point_on_the_centre_line_breaks_the_run():
    assert fired([0.5] * 7 + [0.0] + [0.5] * 7, 4) == []


# Rule 5: 6 points in a row steadily increasing or decreasing.


def test_rule_5_fires_at_the_sixth_point_of_a_trend():
    assert fired([0, 0.1, 0.2, 0.3, 0.4, 0.5], 5) == [5]
    assert fired([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 5) == [5, 6]
    assert fired([3, 2, 1, 0, -1, -2], 5) == [5]


def test_rule_5_near_miss_five_points_or_a_tie():
    assert fired([0, 0.1, 0.2, 0.3, 0.4], 5) == []
    assert fired([0, 0.1, 0.2, 0.2, 0.3, 0.4, 0.5], 5) == []


# Rule 6: 15 points in a row within 1 sigma.


def test_rule_6_fires_at_the_fifteenth_point_within_1_sigma():
    # The fifteenth point sits exactly on 1 sigma, which counts as within.
    assert fired([0.5, -0.5] * 7 + [1.0], 6) == [14]
    assert fired([2.0] + [0.1] * 15, 6) == [15]


def test_rule_6_near_miss_fourteen_within_then_one_outside():
    assert fired([0.5] * 14 + [1.01], 6) == []


# Rule 7: 14 points in a row alternating up and down.


def test_rule_7_fires_at_the_fourteenth_alternating_point():
    assert fired([0, 1] * 7, 7) == [13]
    assert fired([0, 1] * 8, 7) == [13, 14, 15]


def test_rule_7_near_miss_thirteen_points_or_a_repeated_value():
    assert fired([0, 1] * 6 + [0], 7) == []
    assert fired([0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 7) == []


# Rule 8: 8 points in a row beyond 1 sigma, either side.


def test_rule_8_fires_at_the_eighth_point_beyond_1_sigma_on_either_side():
    assert fired([1.5, -1.5] * 4, 8) == [7]


def test_rule_8_near_miss_a_point_on_1_sigma_breaks_the_run():
    assert fired([1.5, -1.5] * 3 + [1.5, 1.0, 1.5], 8) == []


# Missing points, sigma zero, the API around the rules.


def test_missing_points_are_skipped_and_runs_continue_across_them():
    assert fired([0.5] * 4 + [NAN] + [0.5] * 4, 4) == [8]
    assert fired([NAN, 4.0, NAN, -4.0], 1) == [1, 3]
    assert fired([2.5, NAN, 2.5], 2) == [2]


def test_a_missing_point_is_never_reported():
    assert fired([0.0] * 15 + [NAN], 6) == [14]
    assert fired([NAN, NAN], 1) == []


def test_sigma_zero_collapses_the_zones_onto_the_centre_line():
    assert fired([5.0, 5.0, 5.1, 4.9], 1, center=5.0, sigma=0.0) == [2, 3]


def test_western_electric_rules_by_default_and_all_eight_on_request():
    values = [0.5] * 8

    default = evaluate_rules(values, center=0.0, sigma=1.0)
    everything = evaluate_rules(values, center=0.0, sigma=1.0, rules=ALL_RULES)

    assert [result.rule for result in default] == list(WESTERN_ELECTRIC_RULES)
    assert [result.rule for result in everything] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [result.indices.tolist() for result in default] == [[], [], [], [7]]


def test_violations_to_dict_is_json():
    (result,) = evaluate_rules([0.5] * 8, center=0.0, sigma=1.0, rules=(4,))

    assert json.loads(json.dumps(result.to_dict())) == {
        "rule": 4,
        "name": "8 on one side",
        "description": "8 consecutive points on the same side of the centre line",
        "indices": [7],
    }


def test_chart_violations_uses_the_chart_limits():
    # Subgroup means 11, 11, 13, 10 against UCL 12.981 (see test_spc_charts): 13 is beyond.
    chart = xbar_r_chart(
        [[10, 11, 12, 9, 13], [12, 12, 11, 10, 10], [12, 13, 11, 14, 15], [10, 9, 11, 10, 10]]
    )

    (beyond,) = chart_violations(chart, rules=(1,))

    assert beyond.indices.tolist() == [2]


def test_unknown_rule_and_negative_sigma_are_refused():
    with pytest.raises(ValueError, match="no rule 9"):
        evaluate_rules([0.0], center=0.0, sigma=1.0, rules=(9,))
    with pytest.raises(ValueError, match="sigma must be finite"):
        evaluate_rules([0.0], center=0.0, sigma=-1.0)


@pytest.mark.parametrize("rule", ALL_RULES)
def test_vectorised_rules_agree_with_a_per_point_loop(rule):
    # Half-sigma steps put many points exactly on zone boundaries, on the centre line and in ties.
    rng = np.random.default_rng(7)
    values = rng.integers(-7, 8, size=4000) / 2.0
    values[rng.random(4000) < 0.03] = np.nan
    values[1000:1040] = 0.25  # a long stretch within 1 sigma and on one side
    values[2000:2030] = np.where(np.arange(30) % 2, 1.5, -1.5)  # alternating beyond 1 sigma

    expected = naive_rule(values.tolist(), 0.0, 1.0, rule)

    assert fired(values, rule) == expected
    assert len(expected) > 0
