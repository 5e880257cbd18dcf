"""Interval estimates for trial endpoints.

* proportions: Wilson score interval (Wilson 1927; recommended by Newcombe, Stat Med 1998;17:857);
* rates (events per exposure): exact Poisson (Garwood 1936) via the chi-square quantiles;
* means: Student-t interval;
* differences vs a comparator: Newcombe's hybrid score interval (proportions), Welch's t
  (means), Wald (rates); over-dispersed rates (relapses): quasi-Poisson scaled interval.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = [
    "mean_ci",
    "newcombe_difference_ci",
    "overdispersed_rate_ci",
    "poisson_rate_ci",
    "rate_difference_ci",
    "welch_difference_ci",
    "wilson_ci",
]


def wilson_ci(successes: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes, n
        Number of responders and of patients (weighted counts allowed).

    Example
    -------
    Newcombe (1998), Table I, example (a): 81/263 → 0.2553 to 0.3662.

    >>> [round(x, 4) for x in wilson_ci(81, 263)]
    [0.2553, 0.3662]
    """
    if n <= 0:
        return (math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # at p = 0 (p = 1) the lower (upper) limit is exactly 0 (1); avoid rounding residue
    lower = 0.0 if successes == 0 else max(0.0, centre - half)
    upper = 1.0 if successes == n else min(1.0, centre + half)
    return (lower, upper)


def poisson_rate_ci(events: float, exposure: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson rate ``events / exposure``.

    Lower = χ²(α/2; 2k)/2 / T, upper = χ²(1−α/2; 2k+2)/2 / T.

    >>> round(poisson_rate_ci(0, 1)[1], 3)  # the "rule of three" upper bound for 0 events
    3.689
    """
    if exposure <= 0:
        return (math.nan, math.nan)
    alpha = 1 - level
    lower = 0.0 if events == 0 else float(stats.chi2.ppf(alpha / 2, 2 * events)) / 2
    upper = float(stats.chi2.ppf(1 - alpha / 2, 2 * events + 2)) / 2
    return (lower / exposure, upper / exposure)


def mean_ci(values: ArrayLike, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval for a mean (NaN values are excluded)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return (math.nan, math.nan)
    m, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))
    t = float(stats.t.ppf(0.5 + level / 2, x.size - 1))
    return (m - t * se, m + t * se)


def newcombe_difference_ci(
    successes_a: float, n_a: float, successes_b: float, n_b: float, level: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for a difference of independent proportions p_a − p_b.

    Method 10 of Newcombe (Stat Med 1998;17:873-890): with Wilson limits (l₁, u₁) of p_a and
    (l₂, u₂) of p_b, δ = √((p_a−l₁)² + (u₂−p_b)²), ε = √((u₁−p_a)² + (p_b−l₂)²), and the interval
    is (p_a − p_b − δ, p_a − p_b + ε). Good coverage down to small n, never outside [−1, 1].

    Example
    -------
    Newcombe (1998), Table II, example (a): 56/70 − 48/80 → 0.0524 to 0.3339.

    >>> [round(x, 4) for x in newcombe_difference_ci(56, 70, 48, 80)]
    [0.0524, 0.3339]
    """
    if n_a <= 0 or n_b <= 0:
        return (math.nan, math.nan)
    pa, pb = successes_a / n_a, successes_b / n_b
    la, ua = wilson_ci(successes_a, n_a, level)
    lb, ub = wilson_ci(successes_b, n_b, level)
    delta = math.sqrt((pa - la) ** 2 + (ub - pb) ** 2)
    eps = math.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)
    return (pa - pb - delta, pa - pb + eps)


def welch_difference_ci(a: ArrayLike, b: ArrayLike, level: float = 0.95) -> tuple[float, float]:
    """Welch (unequal-variance) t interval for a difference of means mean(a) − mean(b).

    Degrees of freedom by the Welch–Satterthwaite equation (Welch, Biometrika 1947;34:28-35).
    NaN values are excluded.
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if x.size < 2 or y.size < 2:
        return (math.nan, math.nan)
    vx, vy = float(x.var(ddof=1)) / x.size, float(y.var(ddof=1)) / y.size
    diff = float(x.mean() - y.mean())
    se2 = vx + vy
    if se2 == 0:
        return (diff, diff)
    df = se2**2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * math.sqrt(se2)
    return (diff - half, diff + half)


def rate_difference_ci(
    events_a: float, exposure_a: float, events_b: float, exposure_b: float, level: float = 0.95
) -> tuple[float, float]:
    """Wald interval for a difference of Poisson rates, r_a − r_b, var = k_a/T_a² + k_b/T_b².

    Adequate for the forest plot of large virtual trials; when both arms have no events the
    interval degenerates to (0, 0).
    """
    if exposure_a <= 0 or exposure_b <= 0:
        return (math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + level / 2))
    diff = events_a / exposure_a - events_b / exposure_b
    half = z * math.sqrt(events_a / exposure_a**2 + events_b / exposure_b**2)
    return (diff - half, diff + half)


def overdispersed_rate_ci(
    events: ArrayLike, exposure: ArrayLike, level: float = 0.95
) -> tuple[float, float, float]:
    """Pooled event rate ΣK/ΣT with an interval that allows for between-patient heterogeneity.

    Relapse counts vary between patients more than a Poisson process allows (over-dispersion;
    the negative-binomial models of MS trials). The dispersion is estimated by the Pearson
    statistic φ = Σ (kᵢ − r̂Tᵢ)² / (r̂Tᵢ) / (n − 1) (quasi-Poisson, McCullagh & Nelder 1989,
    §4.5). When φ > 1 the interval is the scaled Wald interval on the log rate,
    exp(ln r̂ ± z·√(φ/ΣK)); otherwise (φ ≤ 1, or no events) the exact Garwood interval
    (:func:`poisson_rate_ci`) is used.

    Returns
    -------
    tuple
        ``(lower, upper, phi)``: the interval of the rate and the estimated dispersion.
    """
    k = np.asarray(events, dtype=float)
    t = np.asarray(exposure, dtype=float)
    keep = np.isfinite(k) & np.isfinite(t) & (t > 0)
    k, t = k[keep], t[keep]
    total_k, total_t = float(k.sum()), float(t.sum())
    if total_t <= 0:
        return (math.nan, math.nan, math.nan)
    if total_k == 0 or k.size < 2:
        lo, hi = poisson_rate_ci(total_k, total_t, level)
        return (lo, hi, 1.0)
    rate = total_k / total_t
    expected = rate * t
    phi = float(np.sum((k - expected) ** 2 / expected) / (k.size - 1))
    if phi <= 1.0:
        lo, hi = poisson_rate_ci(total_k, total_t, level)
        return (lo, hi, phi)
    z = float(stats.norm.ppf(0.5 + level / 2))
    half = z * math.sqrt(phi / total_k)
    return (rate * math.exp(-half), rate * math.exp(half), phi)
