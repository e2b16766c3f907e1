"""Capability indices: hand-computed Cp, Cpk, Pp, Ppk; open-sided specs; zero sigma; NaN."""

import json
import math

import numpy as np
import pytest

from quality.spc import capability, individuals_chart, sigma_within_individuals

TIGHT = 1e-12

# Readings 10, 12, 11, 13, 12 against LSL 8 / USL 16:
#   mean = 58 / 5 = 11.6
#   within sigma = MR-bar / d2 = 1.5 / 1.128 = 1.3297872340...
#   overall sigma: deviations -1.6 0.4 -0.6 1.4 0.4, squares 2.56 0.16 0.36 1.96 0.16,
#                  sum 5.2, / (5 - 1) = 1.3, sqrt = 1.1401754250...
#   Cp  = (16 - 8) / (6 * 1.5 / 1.128) = 8 * 1.128 / 9 = 1.002666...
#   Cpk = min(16 - 11.6, 11.6 - 8) / (3 * 1.5 / 1.128) = 3.6 * 1.128 / 4.5 = 0.9024
#   Pp  = 8 / (6 * 1.1401754250) = 1.1694107...
#   Ppk = 3.6 / (3 * 1.1401754250) = 1.0524696...
READINGS = [10.0, 12.0, 11.0, 13.0, 12.0]


def test_individuals_capability_against_hand_arithmetic():
    result = capability(READINGS, lsl=8.0, usl=16.0)

    assert result.count == 5
    assert result.mean == pytest.approx(11.6, rel=TIGHT)
    assert result.sigma_within == pytest.approx(1.3297872340425532, rel=TIGHT)
    assert result.sigma_overall == pytest.approx(math.sqrt(1.3), rel=TIGHT)
    assert result.cp == pytest.approx(1.0026666666666666, rel=TIGHT)
    assert result.cpk == pytest.approx(0.9024, rel=TIGHT)
    assert result.pp == pytest.approx(8.0 / (6.0 * math.sqrt(1.3)), rel=TIGHT)
    assert result.pp == pytest.approx(1.1694106, rel=1e-7)
    assert result.ppk == pytest.approx(1.0524696, rel=1e-7)


def test_subgroup_capability_uses_r_bar_over_d2():
    subgroups = [
        [10, 11, 12, 9, 13],
        [12, 12, 11, 10, 10],
        [12, 13, 11, 14, 15],
        [10, 9, 11, 10, 10],
    ]
    # mean 11.25, R-bar 3, within sigma 3 / 2.326. Overall: sum of squares 2581,
    # 2581 - 20 * 11.25^2 = 49.75, / 19 = 2.6184210526, sqrt = 1.6181535936.
    # Cp = 8 / (6 * 3 / 2.326) = 1.0337777...; Cpk = min(15 - 11.25, 11.25 - 7) / (9 / 2.326)
    #    = 3.75 * 2.326 / 9 = 0.9691666...; Ppk = 3.75 / (3 * 1.6181535936) = 0.7724854...
    result = capability(subgroups, lsl=7.0, usl=15.0)

    assert result.count == 20
    assert result.sigma_within == pytest.approx(3.0 / 2.326, rel=TIGHT)
    assert result.sigma_overall == pytest.approx(math.sqrt(49.75 / 19.0), rel=TIGHT)
    assert result.cp == pytest.approx(1.0337777777777777, rel=TIGHT)
    assert result.cpk == pytest.approx(0.9691666666666666, rel=TIGHT)
    assert result.ppk == pytest.approx(0.7724854, rel=1e-7)


def test_upper_spec_only_gives_cpk_from_that_side_and_no_cp():
    result = capability(READINGS, usl=16.0)

    # (16 - 11.6) / (3 * 1.5 / 1.128) = 4.4 * 1.128 / 4.5 = 1.1029333...
    assert result.cp is None and result.pp is None
    assert result.cpk == pytest.approx(1.1029333333333333, rel=TIGHT)
    assert result.ppk == pytest.approx(4.4 / (3.0 * math.sqrt(1.3)), rel=TIGHT)


def test_lower_spec_only_gives_cpk_from_that_side_and_no_cp():
    result = capability(READINGS, lsl=8.0)

    assert result.cp is None and result.pp is None
    assert result.cpk == pytest.approx(0.9024, rel=TIGHT)
    assert result.ppk == pytest.approx(3.6 / (3.0 * math.sqrt(1.3)), rel=TIGHT)


def test_zero_sigma_gives_none_not_infinity():
    result = capability([5.0, 5.0, 5.0, 5.0], lsl=4.0, usl=6.0)

    assert (result.sigma_within, result.sigma_overall) == (0.0, 0.0)
    assert (result.cp, result.cpk, result.pp, result.ppk) == (None, None, None, None)


def test_a_mean_outside_the_spec_gives_a_negative_cpk():
    # mean 20.5, MR-bar 1: Cpk = (16 - 20.5) / (3 / 1.128) = -4.5 * 1.128 / 3 = -1.692.
    result = capability([20.0, 21.0, 20.0, 21.0], lsl=8.0, usl=16.0)

    assert result.cpk == pytest.approx(-1.692, rel=TIGHT)


def test_missing_readings_are_ignored():
    with_gap = capability([10.0, 12.0, np.nan, 11.0, 13.0, 12.0], lsl=8.0, usl=16.0)

    assert with_gap == capability(READINGS, lsl=8.0, usl=16.0)


def test_a_given_sigma_within_comes_from_the_chart():
    chart = individuals_chart(READINGS, center=11.6, sigma=2.0)

    result = capability(READINGS, lsl=8.0, usl=16.0, sigma_within=chart.sigma_within)

    assert result.sigma_within == 2.0
    assert result.cp == pytest.approx(8.0 / 12.0, rel=TIGHT)
    assert result.cpk == pytest.approx(3.6 / 6.0, rel=TIGHT)


def test_one_reading_has_no_sigma_and_no_indices():
    result = capability([11.0], lsl=8.0, usl=16.0)

    assert (result.count, result.mean) == (1, 11.0)
    assert (result.sigma_within, result.sigma_overall) == (None, None)
    assert (result.cp, result.cpk, result.pp, result.ppk) == (None, None, None, None)
    assert sigma_within_individuals([11.0, np.nan]) is None


def test_capability_to_dict_is_json():
    as_json = json.loads(json.dumps(capability(READINGS, usl=16.0).to_dict(), allow_nan=False))

    assert as_json["cp"] is None
    assert as_json["usl"] == 16.0
    assert as_json["count"] == 5


def test_capability_refuses_missing_or_crossed_spec_limits():
    with pytest.raises(ValueError, match="at least one spec limit"):
        capability(READINGS)
    with pytest.raises(ValueError, match="must be below"):
        capability(READINGS, lsl=16.0, usl=8.0)
