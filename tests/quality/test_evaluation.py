"""The pure evaluation function: every limit type, open sides, and values that are never a pass."""

import math

import numpy as np

from quality.evaluation import (
    ABOVE_USL,
    BELOW_LSL,
    DATA_QUALITY,
    IN_SPEC,
    Limits,
    distance_beyond,
    evaluate,
)

GOOD = 0
BAD_SENSOR = 0x808A0000  # OPC UA BadSensorFailure
UNCERTAIN = 0x40000000


def _judge(values, limits, statuses=None, usable=None):
    statuses = statuses if statuses is not None else [GOOD] * len(values)
    return evaluate(
        np.array(values, dtype=float), np.array(statuses), limits, usable=usable
    ).tolist()


def test_two_sided_limits_are_inclusive():
    limits = Limits(lsl=24.5, usl=25.5)  # areal loading 25.0 mg/cm2 +-2 %
    verdicts = _judge([24.49, 24.5, 25.0, 25.5, 25.51], limits)
    assert verdicts == [BELOW_LSL, IN_SPEC, IN_SPEC, IN_SPEC, ABOVE_USL]


def test_an_open_lower_side_only_checks_the_upper_limit():
    limits = Limits(usl=1.6)  # ACIR <= 1.6 mOhm
    assert _judge([-100.0, 1.6, 1.61], limits) == [IN_SPEC, IN_SPEC, ABOVE_USL]


def test_an_open_upper_side_only_checks_the_lower_limit():
    limits = Limits(lsl=9.8)  # capacity >= 9.8 Ah
    assert _judge([9.79, 9.8, 1e9], limits) == [BELOW_LSL, IN_SPEC, IN_SPEC]


def test_nan_and_infinity_are_data_quality_not_a_pass():
    limits = Limits(lsl=0.0, usl=10.0)
    verdicts = _judge([math.nan, math.inf, -math.inf, 5.0], limits)
    assert verdicts == [DATA_QUALITY, DATA_QUALITY, DATA_QUALITY, IN_SPEC]


def test_a_bad_or_uncertain_status_is_data_quality_even_for_a_good_value():
    limits = Limits(lsl=0.0, usl=10.0)
    verdicts = _judge([5.0, 5.0, 5.0], limits, statuses=[GOOD, BAD_SENSOR, UNCERTAIN])
    assert verdicts == [IN_SPEC, DATA_QUALITY, DATA_QUALITY]


def test_a_sample_the_ingest_rejected_is_data_quality():
    verdicts = _judge([5.0, 5.0], Limits(usl=10.0), usable=np.array([True, False]))
    assert verdicts == [IN_SPEC, DATA_QUALITY]


def test_distance_beyond_measures_from_the_broken_limit():
    limits = Limits(lsl=-0.2, usl=0.2)  # alignment 0.0 +- 0.2 mm
    values = np.array([0.5, -0.3, 0.1])
    verdicts = evaluate(values, np.zeros(3), limits)
    assert np.allclose(distance_beyond(values, verdicts, limits), [0.3, 0.1, 0.0])
    assert limits.describe(ABOVE_USL) == "USL 0.2"
    assert limits.describe(BELOW_LSL) == "LSL -0.2"
