"""Control charts: limits from hand-computed series, baselines, given limits, missing points."""

import json
import math

import numpy as np
import pytest

from quality.spc import individuals_chart, split_subgroups, subgroup_constants, xbar_r_chart

TIGHT = 1e-12

# Given 10, 12, 11, 13, 12: mean = 58 / 5 = 11.6; moving ranges 2, 1, 2, 1, so MR-bar = 6 / 4 = 1.5;
# sigma = MR-bar / d2 = 1.5 / 1.128 = 1.3297872340...; 3 sigma = 4.5 / 1.128 = 3.9893617021...
READINGS = [10.0, 12.0, 11.0, 13.0, 12.0]
SIGMA = 1.5 / 1.128
UCL = 11.6 + 4.5 / 1.128  # 15.5893617021...
LCL = 11.6 - 4.5 / 1.128  # 7.6106382978...

# Four subgroups of n = 5, by hand:
#   g0: 10 11 12  9 13  sum 55  mean 11  range 13 - 9  = 4
#   g1: 12 12 11 10 10  sum 55  mean 11  range 12 - 10 = 2
#   g2: 12 13 11 14 15  sum 65  mean 13  range 15 - 11 = 4
#   g3: 10  9 11 10 10  sum 50  mean 10  range 11 - 9  = 2
# grand mean = 45 / 4 = 11.25; R-bar = 12 / 4 = 3; A2 * R-bar = 0.577 * 3 = 1.731.
SUBGROUPS = [
    [10, 11, 12, 9, 13],
    [12, 12, 11, 10, 10],
    [12, 13, 11, 14, 15],
    [10, 9, 11, 10, 10],
]


def test_individuals_limits_from_a_hand_computed_series():
    chart = individuals_chart(READINGS)

    assert chart.kind == "individuals"
    assert chart.limits.center == pytest.approx(11.6, rel=TIGHT)
    assert chart.limits.sigma == pytest.approx(1.3297872340425532, rel=TIGHT)
    assert chart.limits.ucl == pytest.approx(15.589361702127660, rel=TIGHT)
    assert chart.limits.lcl == pytest.approx(7.6106382978723400, rel=TIGHT)
    assert chart.sigma_within == pytest.approx(SIGMA, rel=TIGHT)


def test_moving_range_chart_uses_d4_and_a_zero_lower_limit():
    chart = individuals_chart(READINGS)

    np.testing.assert_array_equal(chart.ranges, [np.nan, 2.0, 1.0, 2.0, 1.0])
    assert chart.range_limits.center == pytest.approx(1.5, rel=TIGHT)
    assert chart.range_limits.ucl == pytest.approx(3.267 * 1.5, rel=TIGHT)  # 4.9005
    assert chart.range_limits.lcl == 0.0


def test_baseline_of_the_first_n_points_ignores_later_points():
    chart = individuals_chart([*READINGS, 20.0, 30.0], baseline=5)

    assert chart.limits.ucl == pytest.approx(UCL, rel=TIGHT)
    assert chart.limits.lcl == pytest.approx(LCL, rel=TIGHT)
    np.testing.assert_array_equal(chart.points[5:], [20.0, 30.0])
    np.testing.assert_array_equal(chart.ranges[5:], [8.0, 10.0])
    np.testing.assert_array_equal(chart.baseline, [0, 1, 2, 3, 4])


@pytest.mark.parametrize(
    "baseline",
    [slice(2, 7), [6, 2, 3, 4, 5], np.array([0, 0, 1, 1, 1, 1, 1], dtype=bool)],
    ids=["slice", "unsorted indices", "mask"],
)
def test_baseline_as_slice_indices_or_mask(baseline):
    chart = individuals_chart([50.0, 50.0, *READINGS], baseline=baseline)

    assert chart.limits.center == pytest.approx(11.6, rel=TIGHT)
    assert chart.limits.ucl == pytest.approx(UCL, rel=TIGHT)
    np.testing.assert_array_equal(chart.baseline, [2, 3, 4, 5, 6])


def test_given_center_and_sigma_replace_the_baseline_estimates():
    chart = individuals_chart(READINGS, center=11.0, sigma=0.5)

    assert (chart.limits.center, chart.limits.ucl, chart.limits.lcl) == (11.0, 12.5, 9.5)
    assert chart.limits.sigma == 0.5
    # MR-bar implied by the given sigma: d2 * sigma = 1.128 * 0.5 = 0.564; UCL = 3.267 * 0.564.
    assert chart.range_limits.center == pytest.approx(0.564, rel=TIGHT)
    assert chart.range_limits.ucl == pytest.approx(1.842588, rel=TIGHT)


def test_given_center_only_keeps_the_baseline_sigma():
    chart = individuals_chart(READINGS, center=12.0)

    assert chart.limits.center == 12.0
    assert chart.limits.ucl == pytest.approx(12.0 + 4.5 / 1.128, rel=TIGHT)


def test_missing_readings_are_skipped_and_the_moving_range_bridges_the_gap():
    chart = individuals_chart([10.0, 12.0, np.nan, 11.0, 13.0, 12.0])

    # The same limits as without the gap: MR across it is |11 - 12| = 1.
    assert chart.limits.center == pytest.approx(11.6, rel=TIGHT)
    assert chart.limits.ucl == pytest.approx(UCL, rel=TIGHT)
    np.testing.assert_array_equal(chart.ranges, [np.nan, 2.0, np.nan, 1.0, 2.0, 1.0])


def test_chart_to_dict_is_json_with_none_for_missing_points():
    chart = individuals_chart([10.0, np.nan, 12.0])

    as_json = json.loads(json.dumps(chart.to_dict(), allow_nan=False))

    assert as_json["points"] == [10.0, None, 12.0]
    assert as_json["ranges"] == [None, None, 2.0]
    assert as_json["limits"]["center"] == 11.0
    assert as_json["baseline"] == [0, 1, 2]


def test_individuals_refuses_baselines_it_cannot_use():
    with pytest.raises(ValueError, match="first 6 points"):
        individuals_chart(READINGS, baseline=6)
    with pytest.raises(ValueError, match="at least 2 readings"):
        individuals_chart([10.0, np.nan, np.nan], baseline=2)
    with pytest.raises(ValueError, match="sigma must be finite"):
        individuals_chart(READINGS, sigma=-1.0)


def test_xbar_r_limits_with_the_a2_table_for_n_5():
    chart = xbar_r_chart(SUBGROUPS)

    assert chart.kind == "xbar_r"
    assert chart.subgroup_size == 5
    np.testing.assert_array_equal(chart.points, [11.0, 11.0, 13.0, 10.0])
    np.testing.assert_array_equal(chart.ranges, [4.0, 2.0, 4.0, 2.0])
    assert chart.limits.center == pytest.approx(11.25, rel=TIGHT)
    assert chart.limits.ucl == pytest.approx(12.981, rel=TIGHT)  # 11.25 + 1.731
    assert chart.limits.lcl == pytest.approx(9.519, rel=TIGHT)  # 11.25 - 1.731
    assert chart.limits.sigma == pytest.approx(0.577, rel=TIGHT)  # 1.731 / 3
    # R chart: D3 = 0, D4 = 2.114 for n = 5; sigma within = R-bar / d2 = 3 / 2.326.
    assert chart.range_limits.center == pytest.approx(3.0, rel=TIGHT)
    assert chart.range_limits.ucl == pytest.approx(6.342, rel=TIGHT)
    assert chart.range_limits.lcl == 0.0
    assert chart.sigma_within == pytest.approx(1.2897678417884781, rel=TIGHT)


def test_xbar_r_baseline_of_the_first_two_subgroups():
    chart = xbar_r_chart(SUBGROUPS, baseline=2)

    # grand mean (11 + 11) / 2 = 11; R-bar (4 + 2) / 2 = 3.
    assert chart.limits.center == pytest.approx(11.0, rel=TIGHT)
    assert chart.limits.ucl == pytest.approx(12.731, rel=TIGHT)


def test_xbar_r_given_sigma_for_n_8_has_a_positive_range_lower_limit():
    chart = xbar_r_chart(np.zeros((3, 8)), center=0.0, sigma=1.0)

    assert chart.limits.ucl == pytest.approx(3.0 / math.sqrt(8), rel=TIGHT)  # 1.0606601717...
    assert chart.range_limits.center == pytest.approx(2.847, rel=TIGHT)  # d2 * sigma
    assert chart.range_limits.ucl == pytest.approx(1.864 * 2.847, rel=TIGHT)  # 5.306808
    assert chart.range_limits.lcl == pytest.approx(0.136 * 2.847, rel=TIGHT)  # 0.387192


def test_a_subgroup_with_a_missing_reading_is_left_out_of_the_limits():
    with_gap = [*SUBGROUPS, [40.0, np.nan, 40.0, 40.0, 40.0]]

    chart = xbar_r_chart(with_gap)

    assert math.isnan(chart.points[4]) and math.isnan(chart.ranges[4])
    assert chart.limits.center == pytest.approx(11.25, rel=TIGHT)
    assert chart.range_limits.center == pytest.approx(3.0, rel=TIGHT)


def test_xbar_r_refuses_subgroup_sizes_outside_the_table():
    with pytest.raises(ValueError, match="2..10"):
        xbar_r_chart(np.zeros((4, 11)))
    with pytest.raises(ValueError, match="k x n"):
        xbar_r_chart(np.zeros(10))


def test_split_subgroups_drops_an_incomplete_last_subgroup():
    subgroups = split_subgroups(np.arange(12.0), 5)

    np.testing.assert_array_equal(subgroups, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]])


def test_the_constants_table_is_self_consistent():
    for n in range(2, 11):
        constants = subgroup_constants(n)
        # A2 = 3 / (d2 sqrt n), and D3 = 2 - D4 wherever D3 is not clipped at 0, to table rounding.
        assert constants.a2 == pytest.approx(3.0 / (constants.d2 * math.sqrt(n)), abs=0.001)
        assert constants.d3 == pytest.approx(max(0.0, 2.0 - constants.d4), abs=0.001)
