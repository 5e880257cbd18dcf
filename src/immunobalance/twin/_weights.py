"""Importance weights of a digital twin: normalisation in log space, Kish ESS, tempering.

The twin of a patient is the virtual population reweighted by the likelihood of what is observed
in the patient (Bayes' rule with the calibrated population as prior, every virtual patient a
particle): ``w_i ∝ p_i · L(y | x_i)``. Products of many per-observation likelihoods under- or
overflow, so weights are normalised in log space (log-sum-exp).

When the patient is unlike the population, a few virtual patients take all the weight and the
estimate rests on a handful of particles. The honest fallback is the *power posterior*
``w_i ∝ p_i · L(y | x_i)^β`` with the largest ``β ∈ [0, 1]`` that keeps the effective sample size
at or above a floor (the tempering of sequential Monte Carlo, Del Moral P, Doucet A, Jasra A.
J R Stat Soc B 2006;68:411-36; power posteriors, Friel N, Pettitt AN. J R Stat Soc B
2008;70:589-607): the prediction is pulled toward the population and its interval widens.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["MAX_FLOOR_FRACTION", "kish_ess", "normalise_log_weights", "temper_to_ess"]

#: The ESS floor is at most this fraction of the population's own ESS.
MAX_FLOOR_FRACTION = 0.25


def normalise_log_weights(log_weights: ArrayLike) -> NDArray[np.float64]:
    """Weights summing to 1 from unnormalised log weights, without under/overflow.

    ``w_i = exp(l_i − logsumexp(l))``. Entries of ``-inf`` get weight 0.

    Raises
    ------
    ValueError
        If no entry is finite (every virtual patient is impossible under the observations), or an
        entry is NaN or ``+inf``.

    Examples
    --------
    >>> normalise_log_weights([0.0, np.log(3.0)]).round(3).tolist()
    [0.25, 0.75]
    """
    lw = np.asarray(log_weights, dtype=float)
    if np.any(np.isnan(lw)) or np.any(lw == np.inf):
        raise ValueError("log weights must not be NaN or +inf")
    if not np.any(np.isfinite(lw)):
        raise ValueError("every log weight is -inf: no virtual patient is compatible")
    w = np.exp(lw - np.max(lw))
    return np.asarray(w / np.sum(w))


def kish_ess(weights: ArrayLike) -> float:
    """Kish's effective sample size ``(Σ w)² / Σ w²``.

    Equals ``n`` for equal weights and 1 when one particle holds all the weight (Kish L. Survey
    Sampling. Wiley 1965; Kong A, Liu JS, Wong WH. J Am Stat Assoc 1994;89:278-88).

    Examples
    --------
    >>> kish_ess([1, 1, 1, 1])
    4.0
    >>> kish_ess([1, 0, 0])
    1.0
    """
    w = np.asarray(weights, dtype=float)
    s2 = float(np.sum(w * w))
    if s2 <= 0:
        raise ValueError("weights are all zero")
    return float(np.sum(w) ** 2 / s2)


def temper_to_ess(
    log_likelihood: ArrayLike,
    ess_floor: float,
    *,
    log_prior: ArrayLike | None = None,
    tol: float = 1e-4,
) -> tuple[float, NDArray[np.float64]]:
    """Largest exponent β ∈ [0, 1] whose power-posterior weights keep ESS ≥ ``ess_floor``.

    Weights are ``w ∝ exp(log_prior + β · log_likelihood)``. If the full likelihood (β = 1) keeps
    the floor, β = 1. Otherwise β is found by bisection on ``[0, 1]``: ESS is 'n_prior' at β = 0
    and, for the likelihoods met here, falls as β grows (it is monotone when the log likelihood
    is a function of one statistic; in general bisection returns a β whose ESS meets the floor,
    not necessarily the largest one, which errs on the side of wider intervals).

    Parameters
    ----------
    log_likelihood
        ``(n,)`` log likelihood of the patient's observations per virtual patient.
    ess_floor
        Minimum effective sample size; capped at :data:`MAX_FLOOR_FRACTION` of the prior's own
        ESS (a floor near the population size would forbid learning anything from the record).
    log_prior
        ``(n,)`` log prior weights (default equal).
    tol
        Bisection tolerance on β.

    Returns
    -------
    (beta, weights)
        The exponent and the normalised weights at it.
    """
    ll = np.asarray(log_likelihood, dtype=float)
    lp = np.zeros_like(ll) if log_prior is None else np.asarray(log_prior, dtype=float)
    finite = np.isfinite(ll)
    # a virtual patient the observations rule out stays out at every β > 0
    ll_safe = np.where(finite, ll, 0.0)

    def weights(beta: float) -> NDArray[np.float64]:
        lw = lp + beta * ll_safe
        if beta > 0:
            lw = np.where(finite, lw, -np.inf)
        return normalise_log_weights(lw)

    if not np.any(finite):
        return 0.0, weights(0.0)
    # a floor near the population's own ESS would force β → 0 for any informative record
    floor = min(float(ess_floor), MAX_FLOOR_FRACTION * kish_ess(weights(0.0)))
    w1 = weights(1.0)
    if kish_ess(w1) >= floor:
        return 1.0, w1
    lo, hi = 0.0, 1.0
    w_lo = weights(0.0)
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        w_mid = weights(mid)
        if kish_ess(w_mid) >= floor:
            lo, w_lo = mid, w_mid
        else:
            hi = mid
    return lo, w_lo
