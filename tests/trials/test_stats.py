"""Interval estimates against published worked examples and reference computations."""

import math

import numpy as np
import pytest
from scipy import stats

from immunobalance.trials.stats import mean_ci, poisson_rate_ci, wilson_ci


@pytest.mark.parametrize(
    ("r", "n", "lo", "hi"),
    [
        # Newcombe RG. Stat Med 1998;17:857-872, Table I, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table(r: int, n: int, lo: float, hi: float) -> None:
    got = wilson_ci(r, n)
    assert got == pytest.approx((lo, hi), abs=6e-5)


def test_garwood_matches_chi_square_definition_and_rule_of_three() -> None:
    lo, hi = poisson_rate_ci(0, 100.0)
    assert lo == 0.0
    assert hi == pytest.approx(3.689 / 100, abs=1e-5)  # -ln(0.025) = 3.689
    lo, hi = poisson_rate_ci(10, 50.0)
    # Exact interval for 10 events: 4.795 to 18.39 (Ulm 1990, Am J Epidemiol 131:373 table)
    assert lo * 50 == pytest.approx(4.795, abs=1e-3)
    assert hi * 50 == pytest.approx(18.39, abs=1e-2)


def test_mean_ci_is_student_t_and_ignores_nan() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, np.nan])
    lo, hi = mean_ci(x)
    half = stats.t.ppf(0.975, 3) * np.std([1, 2, 3, 4], ddof=1) / 2
    assert (lo, hi) == pytest.approx((2.5 - half, 2.5 + half))
    assert all(math.isnan(v) for v in mean_ci([1.0]))


# --- differences and over-dispersed rates -------------------------------------------------

from immunobalance.trials.stats import (  # noqa: E402
    newcombe_difference_ci,
    overdispersed_rate_ci,
    welch_difference_ci,
)


@pytest.mark.parametrize(
    ("a", "m", "b", "n", "lo", "hi"),
    [
        # Newcombe RG. Stat Med 1998;17:873-890, Table II, method 10 (hybrid score).
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
    ],
)
def test_newcombe_hybrid_score_matches_published_table(
    a: int, m: int, b: int, n: int, lo: float, hi: float
) -> None:
    assert newcombe_difference_ci(a, m, b, n) == pytest.approx((lo, hi), abs=6e-5)


def test_welch_interval_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(1.0, 1.0, 40), rng.normal(0.3, 2.5, 25)
    ref = stats.ttest_ind(x, y, equal_var=False).confidence_interval(0.95)
    assert welch_difference_ci(x, y) == pytest.approx((ref.low, ref.high))


def test_overdispersed_rate_interval_keeps_coverage_for_negative_binomial_counts() -> None:
    """Relapse-like counts: gamma-Poisson (NB) with shape 0.5. The quasi-Poisson interval keeps
    ~95 % coverage where the plain Poisson interval does not."""
    rng = np.random.default_rng(1)
    true_rate, years, n = 0.8, 2.0, 300
    covered_q = covered_p = 0
    reps = 300
    for _ in range(reps):
        lam = rng.gamma(0.5, true_rate / 0.5, n)
        k = rng.poisson(lam * years)
        t = np.full(n, years)
        lo, hi, phi = overdispersed_rate_ci(k, t)
        covered_q += lo <= true_rate <= hi
        plo, phi_ = poisson_rate_ci(k.sum(), t.sum())
        covered_p += plo <= true_rate <= phi_
        assert phi > 1.5
    assert 0.92 <= covered_q / reps <= 0.98
    assert covered_p / reps < 0.85


def test_overdispersed_rate_falls_back_to_exact_poisson_without_overdispersion() -> None:
    k = np.array([1, 1, 1, 1])
    t = np.ones(4)
    lo, hi, phi = overdispersed_rate_ci(k, t)
    assert phi == 0.0
    assert (lo, hi) == pytest.approx(poisson_rate_ci(4, 4.0))
