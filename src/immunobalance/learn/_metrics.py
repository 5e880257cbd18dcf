"""Discrimination and calibration of predicted probabilities, with patient-level bootstrap CIs.

Pure functions of out-of-fold predictions ``p`` (probability of response), outcomes ``y``
(0/1) and patient labels ``groups``.

* AUC — the probability that a random responder is ranked above a random non-responder
  (Hanley & McNeil 1982, Radiology 143:29-36, doi:10.1148/radiology.143.1.7063747).
* Brier score ``B = mean((p - y)^2)`` (Brier 1950, Mon Weather Rev 78:1-3); the reference is the
  base-rate forecast ``p = ȳ`` with ``B_ref = ȳ(1 - ȳ)``, and the Brier skill score is
  ``1 - B / B_ref``. ``ȳ`` is the whole cohort's prevalence, which flatters the reference
  slightly (it is in-sample), so the comparison is conservative.
* Calibration intercept and slope — logistic recalibration ``logit P(y=1) = a + b·logit(p)``
  (Cox 1958, Biometrika 45:562-5, doi:10.1093/biomet/45.3-4.562): ``b = 1`` and calibration-in-
  the-large ``a | b=1`` = 0 when calibrated; ``b < 1`` means predictions too extreme (Van Calster
  et al. 2019, BMC Med 17:230, doi:10.1186/s12916-019-1466-7).
* Reliability diagram — observed response rate (Wilson 95 % interval) against mean predicted
  probability in quantile bins.
* Confidence intervals — percentile bootstrap resampling *patients* with replacement (all rows of
  a drawn patient come together), because rows of one patient are not independent (Field &
  Welsh 2007, J R Stat Soc B 69:369-90, doi:10.1111/j.1467-9868.2007.00593.x). They reflect the
  sampling variability of the evaluated patients, not the variability of refitting the model
  (Bates, Hastie & Tibshirani 2024, JASA 119:1434-45, doi:10.1080/01621459.2023.2197686).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from immunobalance.trials.stats import wilson_ci

__all__ = [
    "BootstrapEstimate",
    "CalibrationSummary",
    "ReliabilityBin",
    "base_rate_brier",
    "bootstrap_draws",
    "bootstrap_metrics",
    "brier_score",
    "calibration_summary",
    "percentile_interval",
    "reliability_bins",
    "roc_points",
]

_EPS = 1e-6


@dataclass(frozen=True)
class BootstrapEstimate:
    """A point estimate with its percentile bootstrap 95 % interval."""

    estimate: float
    ci95: tuple[float, float]
    n_bootstrap: int

    def covers(self, value: float) -> bool:
        return self.ci95[0] <= value <= self.ci95[1]


@dataclass(frozen=True)
class ReliabilityBin:
    mean_predicted: float
    observed: float
    observed_ci95: tuple[float, float]
    n: int


@dataclass(frozen=True)
class CalibrationSummary:
    intercept: float  # calibration-in-the-large: a with b fixed at 1
    slope: float
    bins: list[ReliabilityBin]


def brier_score(y: np.ndarray, p: np.ndarray, weights: np.ndarray | None = None) -> float:
    """``mean((p - y)^2)``, optionally weighted."""
    return float(np.average((p - y) ** 2, weights=weights))


def base_rate_brier(y: np.ndarray) -> float:
    """Brier score of always predicting the prevalence: ``ȳ(1 - ȳ)``."""
    prevalence = float(np.mean(y))
    return prevalence * (1.0 - prevalence)


def _patient_weights(groups: np.ndarray, n_bootstrap: int, seed: int) -> np.ndarray:
    """Row weights of ``n_bootstrap`` patient-level resamples: how often each row's patient
    was drawn. Shape ``(n_bootstrap, n_rows)``."""
    _, inverse = np.unique(groups, return_inverse=True)
    n_patients = int(inverse.max()) + 1
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n_patients, np.full(n_patients, 1.0 / n_patients), size=n_bootstrap)
    return draws[:, inverse].astype(float)


def bootstrap_draws(
    y: np.ndarray, p: np.ndarray, groups: np.ndarray, *, n_bootstrap: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """AUC and Brier score of each patient-level bootstrap resample.

    Resamples with a single outcome class (no AUC) are skipped, so the arrays may be shorter
    than ``n_bootstrap``.
    """
    weights = _patient_weights(groups, n_bootstrap, seed)
    aucs, briers = [], []
    for w in weights:
        used = w > 0
        if np.unique(y[used]).size < 2:
            continue
        aucs.append(roc_auc_score(y[used], p[used], sample_weight=w[used]))
        briers.append(brier_score(y[used], p[used], w[used]))
    return np.asarray(aucs), np.asarray(briers)


def percentile_interval(point: float, draws: np.ndarray) -> BootstrapEstimate:
    """Percentile 95 % interval of bootstrap draws around a point estimate."""
    low, high = np.percentile(draws, [2.5, 97.5])
    return BootstrapEstimate(point, (float(low), float(high)), len(draws))


def bootstrap_metrics(
    y: np.ndarray,
    p: np.ndarray,
    groups: np.ndarray,
    *,
    n_bootstrap: int = 1000,
    seed: int = 0,
) -> dict[str, BootstrapEstimate]:
    """AUC and Brier score with patient-level percentile bootstrap 95 % intervals.

    Returns
    -------
    dict
        ``{"auc": …, "brier": …}``; ``n_bootstrap`` in each counts the resamples used.

    Examples
    --------
    >>> y = np.array([0, 0, 1, 1] * 25); p = np.where(y == 1, 0.8, 0.2)
    >>> bootstrap_metrics(y, p, np.arange(100), n_bootstrap=50)["auc"].estimate
    1.0
    """
    aucs, briers = bootstrap_draws(y, p, groups, n_bootstrap=n_bootstrap, seed=seed)
    return {
        "auc": percentile_interval(float(roc_auc_score(y, p)), aucs),
        "brier": percentile_interval(brier_score(y, p), briers),
    }


def reliability_bins(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> list[ReliabilityBin]:
    """Quantile bins of predicted probability: mean prediction vs observed rate (Wilson CI)."""
    n_bins = max(1, min(n_bins, len(p) // 20))
    edges = np.quantile(p, np.linspace(0.0, 1.0, n_bins + 1))
    index = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, n_bins - 1)
    bins = []
    for b in range(n_bins):
        members = index == b
        n = int(members.sum())
        if n == 0:
            continue
        events = float(y[members].sum())
        bins.append(
            ReliabilityBin(
                mean_predicted=float(p[members].mean()),
                observed=events / n,
                observed_ci95=wilson_ci(events, n),
                n=n,
            )
        )
    return bins


def _logistic_fit(x: np.ndarray, y: np.ndarray, offset: np.ndarray, with_slope: bool) -> np.ndarray:
    """Maximum-likelihood logistic regression by Newton-Raphson (IRLS)."""
    design = np.column_stack([np.ones_like(x), x]) if with_slope else np.ones((len(x), 1))
    beta = np.zeros(design.shape[1])
    for _ in range(100):
        eta = design @ beta + offset
        mu = 1.0 / (1.0 + np.exp(-eta))
        w = np.clip(mu * (1.0 - mu), 1e-12, None)
        gradient = design.T @ (y - mu)
        hessian = design.T @ (design * w[:, None])
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def calibration_summary(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> CalibrationSummary:
    """Calibration intercept (slope fixed at 1), calibration slope and reliability bins."""
    pc = np.clip(p, _EPS, 1.0 - _EPS)
    logit = np.log(pc / (1.0 - pc))
    y = y.astype(float)
    intercept = float(_logistic_fit(logit, y, offset=logit, with_slope=False)[0])
    slope = float(_logistic_fit(logit, y, offset=np.zeros_like(logit), with_slope=True)[1])
    return CalibrationSummary(intercept, slope, reliability_bins(y, p, n_bins))


def roc_points(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates of the ROC curve."""
    fpr, tpr, _ = roc_curve(y, p)
    return fpr, tpr
