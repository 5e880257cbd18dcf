"""Interval estimates for trial endpoints.

* proportions: Wilson score interval (Wilson 1927; recommended by Newcombe, Stat Med 1998;17:857);
* rates (events per exposure): exact Poisson (Garwood 1936) via the chi-square quantiles;
* means: Student-t interval.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["mean_ci", "poisson_rate_ci", "wilson_ci"]


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
    return (max(0.0, centre - half), min(1.0, centre + half))


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
