"""The digital twin: the virtual population reweighted by the likelihood of the patient's record.

``w_i ∝ p_i · Π_j L_j(y_j | x_i)^β`` over virtual patients ``i`` and observations ``j``, with
``β = 1`` unless the effective sample size would fall below the floor (then the largest β that
keeps it; see :func:`~immunobalance.twin.temper_to_ess`). Predictions are weighted outcomes of
the same virtual patients under each regimen, so the twin and the population agree by
construction: with no observations the twin *is* the population.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.twin._estimate import WeightedProbability, weighted_probability
from immunobalance.twin._evidence import Evidence
from immunobalance.twin._weights import kish_ess, normalise_log_weights, temper_to_ess

__all__ = ["DEFAULT_ESS_FLOOR", "Influence", "TwinEnsemble", "build_twin"]

#: Minimum effective sample size of a twin (capped at the population size): below it the
#: likelihood is tempered. 50 keeps the Jeffreys interval of a 50 % probability within ±14 pp.
DEFAULT_ESS_FLOOR = 50.0


@dataclass(frozen=True)
class Influence:
    """How much one observation group moved a predicted probability.

    ``delta`` is ``p(twin) − p(twin without this group)`` (leave-one-group-out, same β).
    """

    group: str
    texts: tuple[str, ...]
    delta: float


@dataclass(frozen=True)
class TwinEnsemble:
    """A patient's twin: weights over the virtual population and how they came about.

    Attributes
    ----------
    weights
        ``(n,)`` normalised weights (0 for virtual patients the solver failed on).
    ess
        Kish effective sample size of ``weights``.
    ess_full
        ESS the full likelihood (β = 1) would give.
    beta
        Likelihood exponent used (1 = full likelihood; < 1 = tempered fallback).
    evidence
        The observations used, each with its per-patient log likelihood.
    fallback
        Why the twin was tempered (None when it was not).
    notes
        Observations that could not be used, and why.
    """

    weights: NDArray[np.float64]
    ess: float
    ess_full: float
    beta: float
    evidence: tuple[Evidence, ...]
    log_prior: NDArray[np.float64]
    fallback: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n(self) -> int:
        return int(self.weights.shape[0])

    @property
    def prior_weights(self) -> NDArray[np.float64]:
        """The population's own weights (the twin before any observation)."""
        return normalise_log_weights(self.log_prior)

    def probability(self, outcome: ArrayLike) -> WeightedProbability:
        """Predicted probability of a 0/1 per-virtual-patient outcome, with its interval."""
        return weighted_probability(outcome, self.weights)

    def population_probability(self, outcome: ArrayLike) -> WeightedProbability:
        """The same outcome's probability in the unweighted (calibrated) population."""
        return weighted_probability(outcome, self.prior_weights)

    def weights_without(self, groups: Sequence[str]) -> NDArray[np.float64]:
        """Twin weights with the evidence of ``groups`` left out (same β)."""
        total = self.log_prior.copy()
        for e in self.evidence:
            if e.group not in groups:
                total = total + self.beta * e.log_likelihood
        return normalise_log_weights(total)

    @cached_property
    def _leave_one_group_out(self) -> dict[str, NDArray[np.float64]]:
        groups = dict.fromkeys(e.group for e in self.evidence)
        return {g: self.weights_without([g]) for g in groups}

    def influences(self, outcome: ArrayLike) -> list[Influence]:
        """Leave-one-group-out influence of each observation group on ``outcome``'s
        probability, largest absolute change first."""
        y = np.asarray(outcome, dtype=float)
        full = _weighted_mean(y, self.weights)
        out = []
        for g, w in self._leave_one_group_out.items():
            texts = tuple(e.text for e in self.evidence if e.group == g)
            out.append(Influence(g, texts, full - _weighted_mean(y, w)))
        return sorted(out, key=lambda i: -abs(i.delta))


def _weighted_mean(y: NDArray[np.float64], w: NDArray[np.float64]) -> float:
    keep = np.isfinite(y) & (w > 0)
    total = float(np.sum(w[keep]))
    return float(np.sum(w[keep] * y[keep]) / total) if total > 0 else float("nan")


def build_twin(
    evidence: Sequence[Evidence],
    n: int,
    *,
    ok: ArrayLike | None = None,
    log_prior: ArrayLike | None = None,
    ess_floor: float = DEFAULT_ESS_FLOOR,
    notes: Sequence[str] = (),
) -> TwinEnsemble:
    """Weight ``n`` virtual patients by the likelihood of the evidence (pure, vectorised).

    Parameters
    ----------
    evidence
        Per-observation log likelihoods (:func:`~immunobalance.twin.patient_evidence`).
    n
        Number of virtual patients.
    ok
        ``(n,)`` mask of virtual patients with valid simulations (others get weight 0).
    log_prior
        ``(n,)`` log weights of the calibrated population (default equal).
    ess_floor
        Minimum effective sample size before tempering (capped at the population's own ESS).
    notes
        Notes carried into the twin (observations not used).

    Returns
    -------
    TwinEnsemble
    """
    lp = np.zeros(n) if log_prior is None else np.asarray(log_prior, dtype=float).copy()
    if ok is not None:
        lp = np.where(np.asarray(ok, dtype=bool), lp, -np.inf)
    ll = np.zeros(n)
    for e in evidence:
        if e.log_likelihood.shape != (n,):
            raise ValueError(
                f"evidence {e.key!r} has shape {e.log_likelihood.shape}, expected ({n},)"
            )
        ll = ll + e.log_likelihood
    ess_full = kish_ess(normalise_log_weights(lp + ll))
    beta, weights = temper_to_ess(ll, ess_floor, log_prior=lp)
    ess = kish_ess(weights)
    fallback = None
    if beta < 1.0:
        fallback = (
            f"the patient is unlike most of the virtual population (effective sample size "
            f"{ess_full:.0f} of {int(np.isfinite(lp).sum())} with the full likelihood); the "
            f"likelihood was tempered to β = {beta:.2f} to keep an effective sample size of "
            f"{ess:.0f}, so predictions lean toward the population and intervals are wider"
        )
    return TwinEnsemble(weights, ess, ess_full, beta, tuple(evidence), lp, fallback, tuple(notes))
