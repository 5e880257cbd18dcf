"""Metrics against independent truths: Mann-Whitney AUC, analytic base-rate Brier, a known
calibration slope, and patient-level (not row-level) bootstrap intervals."""

from __future__ import annotations

import numpy as np
from scipy.stats import mannwhitneyu

from immunobalance.learn import base_rate_brier, bootstrap_metrics, calibration_summary


def test_auc_equals_the_mann_whitney_statistic() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(400) < 0.4
    p = rng.random(400) + 0.3 * y
    u = mannwhitneyu(p[y], p[~y]).statistic
    auc = bootstrap_metrics(y.astype(int), p, np.arange(400), n_bootstrap=100)["auc"]
    assert np.isclose(auc.estimate, u / (y.sum() * (~y).sum()))


def test_base_rate_brier_is_p_times_one_minus_p() -> None:
    y = np.array([1] * 30 + [0] * 70)
    assert np.isclose(base_rate_brier(y), 0.3 * 0.7)


def test_calibration_slope_recovers_a_known_miscalibration() -> None:
    rng = np.random.default_rng(1)
    logit = rng.normal(0, 1.5, 40_000)
    # Outcomes drawn from logit/2: predictions p = sigmoid(logit) are too extreme, slope 0.5.
    y = (rng.random(logit.size) < 1 / (1 + np.exp(-0.5 * logit))).astype(int)
    summary = calibration_summary(y, 1 / (1 + np.exp(-logit)))
    assert abs(summary.slope - 0.5) < 0.03
    well = (rng.random(logit.size) < 1 / (1 + np.exp(-logit))).astype(int)
    calibrated = calibration_summary(well, 1 / (1 + np.exp(-logit)))
    assert abs(calibrated.slope - 1.0) < 0.05 and abs(calibrated.intercept) < 0.05
    for b in calibrated.bins:
        assert b.observed_ci95[0] - 0.02 <= b.mean_predicted <= b.observed_ci95[1] + 0.02


def test_bootstrap_resamples_patients_not_rows() -> None:
    rng = np.random.default_rng(2)
    y = (rng.random(300) < 0.5).astype(int)
    p = rng.random(300) + 0.4 * y
    once = bootstrap_metrics(y, p, np.arange(300), n_bootstrap=800, seed=3)["auc"]
    # The same 300 patients, each present three times: no new information, same interval width.
    tripled = bootstrap_metrics(
        np.tile(y, 3), np.tile(p, 3), np.tile(np.arange(300), 3), n_bootstrap=800, seed=3
    )["auc"]
    width = once.ci95[1] - once.ci95[0]
    assert np.isclose(tripled.estimate, once.estimate)
    assert abs((tripled.ci95[1] - tripled.ci95[0]) - width) < 0.2 * width
