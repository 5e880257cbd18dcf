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
