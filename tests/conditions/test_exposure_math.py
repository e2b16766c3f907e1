"""The dew-point weighting and weighted minutes (conditions.exposure), on hand-computed figures."""

from datetime import UTC, datetime, timedelta

import pytest

from conditions.exposure import dew_point_weight, weighted_minutes
from tests.conditions.exposure_helpers import magnus_weight

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_minute_at_the_reference_dew_point_weighs_one():
    assert dew_point_weight(-40.0) == 1.0


@pytest.mark.parametrize(
    ("dew_point_c", "expected"), [(-60.0, 0.0841), (-50.0, 0.3065), (-30.0, 2.9592)]
)
def test_the_weight_is_the_ratio_of_ice_vapour_pressures(dew_point_c, expected):
    # Hand figures: e_ice(-60) = 0.01081 hPa, e_ice(-50) = 0.03940 hPa, e_ice(-40) = 0.12852 hPa,
    # e_ice(-30) = 0.38030 hPa (6.112 * exp(22.46 T / (272.62 + T))).
    assert dew_point_weight(dew_point_c) == pytest.approx(expected, abs=1e-4)
    assert dew_point_weight(dew_point_c) == pytest.approx(magnus_weight(dew_point_c))


def test_readings_are_held_until_the_next_one():
    # Given -40 from before the lot opens, -60 from minute 10, -30 from minute 20; open 0..30.
    readings = [(m(-1), -40.0), (m(10), -60.0), (m(20), -30.0), (m(45), -90.0)]
    # Then 10 min * 1 + 10 min * 0.0841 + 10 min * 2.9592 = 40.43 weighted minutes.
    total = weighted_minutes(readings, m(0), m(30), form_weight=1.0)
    assert total == pytest.approx(10 + 10 * magnus_weight(-60) + 10 * magnus_weight(-30))
    assert total == pytest.approx(40.43, abs=0.01)


def test_the_form_weight_scales_the_minutes():
    readings = [(m(0), -40.0)]
    assert weighted_minutes(readings, m(0), m(30), form_weight=0.05) == pytest.approx(1.5)
    assert weighted_minutes(readings, m(0), m(30), form_weight=0.0) == 0.0


def test_no_reading_or_a_stale_one_counts_as_minus_40():
    # No reading at all: 5 minutes at the fallback -40 degC.
    assert weighted_minutes([], m(0), m(5), form_weight=1.0) == pytest.approx(5.0)
    # A -60 reading at minute 0 is fresh for 15 minutes, then the room is unknown: -40.
    total = weighted_minutes([(m(0), -60.0)], m(0), m(20), form_weight=1.0)
    assert total == pytest.approx(15 * magnus_weight(-60) + 5 * 1.0)


def test_an_empty_or_reversed_period_counts_nothing():
    assert weighted_minutes([(m(0), -30.0)], m(5), m(5), form_weight=1.0) == 0.0
    assert weighted_minutes([(m(0), -30.0)], m(6), m(5), form_weight=1.0) == 0.0
