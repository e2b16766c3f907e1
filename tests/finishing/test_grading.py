"""EOL grading math (finishing.grading): K-values on synthetic OCV series with a known slope and
noise, temperature compensation, the batch-median rule, absolute limits and grade bins."""

import numpy as np
import pytest

from finishing.grading import REJECT, GradeBin, GradingRules, KFit, fit_k, grade_cells

BINS = (
    GradeBin("A", k_max_mv_day=0.15, acir_max_mohm=1.3, capacity_min_ah=10.0),
    GradeBin("B", k_max_mv_day=0.3, acir_max_mohm=1.5, capacity_min_ah=9.9),
    GradeBin("C", k_max_mv_day=0.5, acir_max_mohm=1.6, capacity_min_ah=9.8),
)
RULES = GradingRules(temp_coeff_mv_per_c=0.2, grades=BINS)


def _series(k_true, *, days=(0, 2, 4, 6, 8, 10, 12, 14), noise_mv=0.0, temps=None, seed=3):
    """OCV readings of cells that lose k_true mV/day from 3.652 V, read at `temps` (degC) by a
    cell whose OCV moves +0.2 mV per degC."""
    rng = np.random.default_rng(seed)
    cells = len(k_true)
    cell = np.repeat(np.arange(cells), len(days))
    t = np.tile(np.asarray(days, dtype=float), cells) + 20_400.0  # epoch days, late 2025
    temp = np.full(t.shape, 25.0) if temps is None else temps(rng, t.shape)
    true_mv = 3652.0 - np.asarray(k_true)[cell] * (t - t.min())
    read_mv = true_mv + 0.2 * (temp - 25.0) + rng.normal(0, noise_mv, t.shape) * (noise_mv > 0)
    return cell, t, read_mv / 1000.0, temp


def test_a_noiseless_series_gives_its_slope_exactly():
    cell, t, ocv, temp = _series([0.1, 0.35, 0.0])
    fit = fit_k(cell, t, ocv, temp, cells=3, rules=RULES)
    assert fit.k_mv_day == pytest.approx([0.1, 0.35, 0.0], abs=1e-9)
    assert fit.readings.tolist() == [8, 8, 8]
    assert fit.span_days.tolist() == [14.0, 14.0, 14.0]
    # The last reading, 14 days in: 3652 - 14 k mV.
    assert fit.ocv_last_v == pytest.approx([3.6506, 3.6471, 3.652], abs=1e-9)


def test_k_on_noisy_readings_at_varying_temperature_is_within_its_standard_error():
    rng = np.random.default_rng(11)
    k_true = rng.uniform(0.05, 0.5, 300)
    cell, t, ocv, temp = _series(
        k_true, noise_mv=0.05, temps=lambda r, shape: r.uniform(20.0, 30.0, shape)
    )

    fit = fit_k(cell, t, ocv, temp, cells=300, rules=RULES)

    # sigma of the slope = 0.05 mV / sqrt(sum (t - mean)^2 = 168 day^2) = 0.0039 mV/day
    error = fit.k_mv_day - k_true
    assert np.abs(error).max() < 0.02
    assert np.median(fit.k_stderr_mv_day) == pytest.approx(0.0039, rel=0.25)
    assert (np.abs(error) < 4 * fit.k_stderr_mv_day).all()
    # Without compensation, +-5 degC swings (+-1 mV) would swamp a 0.1 mV/day self-discharge.
    raw = fit_k(cell, t, ocv, temp, cells=300, rules=GradingRules(grades=BINS))
    assert np.abs(raw.k_mv_day - k_true).max() > 0.05


def test_readings_without_a_temperature_are_counted_and_left_as_read():
    cell, t, ocv, temp = _series([0.2])
    temp[3] = np.nan
    fit = fit_k(cell, t, ocv, temp, cells=1, rules=RULES)
    assert fit.uncompensated.tolist() == [1]
    assert fit.k_mv_day[0] == pytest.approx(0.2, abs=1e-9)


def test_too_few_readings_or_too_short_an_aging_give_no_k():
    cell, t, ocv, temp = _series([0.2, 0.2], days=(0, 0.5))
    fit = fit_k(cell, t, ocv, temp, cells=3, rules=RULES)  # the third cell has no reading
    assert np.isnan(fit.k_mv_day).all()
    assert fit.readings.tolist() == [2, 2, 0]
    assert np.isnan(fit.ocv_last_v[2])


def _fit(ocv_last_v, k=0.1):
    n = len(ocv_last_v)
    return KFit(
        k_mv_day=np.full(n, k, dtype=float) if np.isscalar(k) else np.asarray(k, dtype=float),
        k_stderr_mv_day=np.full(n, 0.004),
        ocv_last_v=np.asarray(ocv_last_v, dtype=float),
        readings=np.full(n, 8),
        span_days=np.full(n, 14.0),
        uncompensated=np.zeros(n, dtype=int),
    )


def test_the_batch_median_rule_rejects_a_cell_more_than_5_mv_away():
    ocv = [3.650, 3.651, 3.652, 3.6569, 3.6571, 3.649, 3.6455]
    grading = grade_cells(_fit(ocv), np.full(7, 1.2), np.full(7, 10.1), RULES)

    assert grading.median_ocv_v == pytest.approx(3.651)
    assert grading.deviation_mv == pytest.approx([-1, 0, 1, 5.9, 6.1, -2, -5.5], abs=1e-6)
    assert grading.grades == ["A", "A", "A", REJECT, REJECT, "A", REJECT]
    assert grading.reasons[4] == ["OCV from the batch median 6.1 beyond +-5 mV"]
    assert grading.reasons[0] == []


def test_absolute_limits_reject_even_a_batch_that_agrees_with_its_median():
    ocv = [3.7101, 3.7102, 3.7103, 3.7104, 3.7105]
    grading = grade_cells(_fit(ocv), np.full(5, 1.2), np.full(5, 10.1), RULES)
    assert set(grading.grades) == {REJECT}
    assert grading.reasons[0] == ["OCV 3.71 outside 3.6..3.7 V"]


def test_cells_get_the_best_bin_they_fit():
    ocv = [3.65] * 6
    k = [0.1, 0.1, 0.25, 0.45, 0.1, 0.6]
    acir = np.array([1.25, 1.45, 1.2, 1.2, 1.7, 1.2])
    capacity = np.array([10.1, 10.1, 10.1, 10.1, 10.1, 10.1])
    grading = grade_cells(_fit(ocv, k), acir, capacity, RULES)
    assert grading.grades == ["A", "B", "B", "C", REJECT, REJECT]
    assert grading.reasons[4] == ["ACIR 1.7 above 1.6 mOhm"]
    assert grading.reasons[5] == ["K 0.6 above 0.5 mV/day"]


def test_a_cell_without_acir_or_k_is_rejected_as_not_measured():
    fit = _fit([3.65] * 5, [0.1, np.nan, 0.1, 0.1, 0.1])
    acir = np.array([np.nan, 1.2, 1.2, 1.2, 1.2])
    grading = grade_cells(fit, acir, np.full(5, 10.1), RULES)
    assert grading.grades[:3] == [REJECT, REJECT, "A"]
    assert grading.reasons[0] == ["ACIR not measured"]
    assert grading.reasons[1] == ["K not measured"]
