"""Target baseline distributions and the acceptance rule that matches virtual patients to them.

Virtual-population selection follows the acceptance/rejection idea of Allen RJ, Rieger TR,
Musante CJ. CPT Pharmacometrics Syst Pharmacol 2016;5:140-6 (doi:10.1002/psp4.12063): plausible
patients are drawn from broad priors and then *selected* with a probability proportional to the
ratio of the target density of their observable baseline to the density of the plausible
(proposal) population, so that the accepted patients follow the target distribution. The target
here is the knowledge-base population's published baseline (``Population.baseline``); the
multivariate ratio is approximated by the product of marginal ratios (the published baselines
are marginal summaries, so only marginals can be matched). The proposal marginals are
histograms of a fixed pilot sample of candidates.

Published characteristic → target marginal:

* ``fraction`` (RF_POSITIVE, ANTI_DSDNA_POSITIVE, LOW_COMPLEMENT …) → Bernoulli;
* ``mean``/``sd`` of a skewed non-negative quantity (sd > 0.5·mean: CRP, ESR, UPCR) →
  lognormal with that mean and SD; otherwise normal with that mean and SD, truncated at 0;
* ``median``/``low``/``high`` → normal with SD (high − low)/4 (range) — a documented
  approximation.

Characteristics the model does not simulate (disease duration, prior-therapy fractions,
concomitant steroid use) cannot be matched; the match report lists them as such.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = ["SERIES_ALIASES", "Target", "baseline_targets", "density_ratio"]

#: Knowledge-base baseline key → simulated series (read-out, derived score or biomarker).
SERIES_ALIASES = {
    "PASI": "PASI_TOTAL",
    "LOW_COMPLEMENT": "SLEDAI_LOWCOMPLEMENT",
    "UPCR_G_PER_G": "UPCR",
    "PHGA_0_3": "SLE_PGA",
}

#: Covariates drawn directly from the published baseline (not by acceptance).
DIRECT_COVARIATES = ("AGE", "FEMALE", "WEIGHT_KG")


@dataclass(frozen=True)
class Target:
    """One published baseline characteristic as a target marginal."""

    key: str
    series: str
    kind: str  # "bernoulli" | "normal" | "lognormal"
    mean: float
    sd: float
    source: str

    def pdf(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        if self.kind == "bernoulli":
            return np.where(x > 0, self.mean, 1.0 - self.mean)
        if self.kind == "lognormal":
            s2 = math.log1p((self.sd / self.mean) ** 2)
            mu = math.log(self.mean) - 0.5 * s2
            return np.asarray(
                stats.lognorm.pdf(np.maximum(x, 1e-9), math.sqrt(s2), scale=math.exp(mu))
            )
        a = (0.0 - self.mean) / self.sd
        return np.asarray(stats.truncnorm.pdf(x, a, np.inf, loc=self.mean, scale=self.sd))

    @property
    def median(self) -> float:
        """Median of the target marginal (lognormal: mean / √(1 + CV²))."""
        if self.kind == "lognormal":
            return self.mean / math.sqrt(1.0 + (self.sd / self.mean) ** 2)
        return self.mean

    def describe(self) -> str:
        if self.kind == "bernoulli":
            return f"{self.mean:.0%}"
        return f"{self.mean:.3g} ± {self.sd:.3g}"


def baseline_targets(
    baseline: Mapping[str, object], available: set[str]
) -> tuple[list[Target], list[str]]:
    """Targets for the published characteristics the model simulates, and the others' keys."""
    targets: list[Target] = []
    unmatched: list[str] = []
    for key, rec in baseline.items():
        if key in DIRECT_COVARIATES:
            continue
        series = SERIES_ALIASES.get(key, key)
        if series not in available:
            unmatched.append(key)
            continue
        frac = getattr(rec, "fraction", None)
        mean, sd = getattr(rec, "mean", None), getattr(rec, "sd", None)
        med, lo, hi = (
            getattr(rec, "median", None),
            getattr(rec, "low", None),
            getattr(rec, "high", None),
        )
        src = str(getattr(rec, "source", ""))
        if frac is not None:
            targets.append(Target(key, series, "bernoulli", float(frac), 0.0, src))
        elif mean is not None and sd is not None and sd > 0:
            kind = "lognormal" if sd > 0.5 * mean and mean > 0 else "normal"
            targets.append(Target(key, series, kind, float(mean), float(sd), src))
        elif med is not None and lo is not None and hi is not None and hi > lo:
            targets.append(Target(key, series, "normal", float(med), (hi - lo) / 4.0, src))
        else:
            unmatched.append(key)
    return targets, unmatched


@dataclass
class _Marginal:
    edges: NDArray[np.float64]
    density: NDArray[np.float64]
    frac: float | None


def _proposal(x: NDArray[np.float64], target: Target) -> _Marginal:
    x = x[np.isfinite(x)]
    if target.kind == "bernoulli":
        return _Marginal(np.array([]), np.array([]), float(np.clip(np.mean(x > 0), 1e-3, 1 - 1e-3)))
    lo, hi = np.quantile(x, [0.002, 0.998])
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, 31)
    counts, _ = np.histogram(np.clip(x, lo, hi), bins=edges)
    dens = (counts + 0.5) / (x.size * np.diff(edges))
    return _Marginal(edges, dens, None)


def density_ratio(
    pilot: Mapping[str, NDArray[np.float64]],
    targets: list[Target],
    *,
    quantile: float = 0.9,
):
    """Acceptance-probability function fitted on the pilot sample.

    Returns ``accept(values) -> probability`` with probability = min(1, Π_k r_k / c), where
    r_k = target_k / proposal_k and c is the ``quantile`` of the product over the pilot
    (capping at a high quantile rather than the maximum keeps the acceptance rate workable at
    the price of slightly under-representing the densest target region).
    """
    marg = {t.key: _proposal(np.asarray(pilot[t.series], dtype=float), t) for t in targets}

    def log_ratio(values: Mapping[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        n = next(iter(values.values())).shape[0]
        total = np.zeros(n)
        for t in targets:
            x = np.asarray(values[t.series], dtype=float)
            m = marg[t.key]
            if t.kind == "bernoulli":
                assert m.frac is not None
                prop = np.where(x > 0, m.frac, 1.0 - m.frac)
            else:
                k = np.clip(np.searchsorted(m.edges, x, side="right") - 1, 0, m.density.size - 1)
                prop = m.density[k]
            with np.errstate(divide="ignore"):
                total += np.log(np.maximum(t.pdf(x), 1e-300)) - np.log(prop)
        return np.where(np.isfinite(total), total, -np.inf)

    ref = log_ratio(pilot) if targets else np.zeros(1)
    finite = ref[np.isfinite(ref)]
    c = float(np.quantile(finite, quantile)) if finite.size else 0.0

    def accept(values: Mapping[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        if not targets:
            return np.ones(next(iter(values.values())).shape[0])
        return np.asarray(np.exp(np.minimum(log_ratio(values) - c, 0.0)))

    return accept
