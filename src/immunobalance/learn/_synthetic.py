"""A cohort from a *known* logistic data-generating process, to check that learning recovers it.

This is a test bed, not a model of any disease: the baseline distributions are only plausible
for rheumatoid arthritis (CRP log-normal around 12 mg/L, ~70 % RF-positive, ACPA correlated
with RF, ~6 % Tregs), and the effect sizes are chosen, not estimated. Because the truth is known,
a learner run on it must rank the true biomarkers first, reach an AUC near the oracle's (the AUC
of the true linear predictor), and stay at chance when the outcome is shuffled.

Data-generating process, per patient ``i`` with arm ``a_i`` randomised 1:1:1::

    logit P(response_i) = β0 + τ[a_i] + Σ_j β_j · z_ij + γ · z_IL6,i · [a_i = tocilizumab]

with ``z`` the standardised transforms listed in :data:`DEFAULT_EFFECTS` (log CRP, log IL-6,
Treg %, ACPA positivity) and no effect at all of RF, TNF, IL-17A, age or sex.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["DEFAULT_EFFECTS", "SyntheticCohort", "synthetic_cohort", "write_cohort_csv"]

PLACEBO, ADALIMUMAB, TOCILIZUMAB = "placebo + MTX", "adalimumab + MTX", "tocilizumab + MTX"
ARMS = (PLACEBO, ADALIMUMAB, TOCILIZUMAB)

#: log-odds per standardised unit (per 1 for ACPA_POSITIVE); features not listed have none.
DEFAULT_EFFECTS: dict[str, float] = {"CRP": 0.9, "ACPA_POSITIVE": 0.8, "TREG_PCT": -0.7}
DEFAULT_ARM_EFFECTS: dict[str, float] = {PLACEBO: 0.0, ADALIMUMAB: 1.2, TOCILIZUMAB: 1.0}
#: Extra log-odds per SD of log IL-6 on tocilizumab (IL-6-driven disease responds to IL-6R block).
DEFAULT_IL6_TOCILIZUMAB = 0.9


@dataclass(frozen=True)
class SyntheticCohort:
    """Columns as written to the cohort file, and the truth behind them."""

    columns: dict[str, list[object]]
    linear_predictor: np.ndarray
    probability: np.ndarray
    il6_z: np.ndarray
    effects: dict[str, float]
    arm_effects: dict[str, float]
    il6_tocilizumab: float
    intercept: float
    noise_features: list[str] = field(default_factory=list)

    def true_benefit(self, arm: str, reference: str = PLACEBO) -> np.ndarray:
        """Each patient's true response probability on ``arm`` minus on ``reference``."""
        columns = self.columns
        current = np.array([self.arm_effects.get(str(a), 0.0) for a in columns["arm"]])
        il6_term = self.il6_z * self.il6_tocilizumab
        on_toci = np.array([a == TOCILIZUMAB for a in columns["arm"]])
        base = self.linear_predictor - current - il6_term * on_toci

        def prob(a: str) -> np.ndarray:
            eta = base + self.arm_effects[a] + (il6_term if a == TOCILIZUMAB else 0.0)
            return 1.0 / (1.0 + np.exp(-eta))

        return prob(arm) - prob(reference)


def synthetic_cohort(
    n_patients: int,
    seed: int,
    *,
    effects: dict[str, float] | None = None,
    arm_effects: dict[str, float] | None = None,
    il6_tocilizumab: float = DEFAULT_IL6_TOCILIZUMAB,
    intercept: float = -1.0,
    missing_fraction: float = 0.1,
    target: str = "ACR20@24",
) -> SyntheticCohort:
    """Simulate a randomised three-arm RA cohort with a known response model.

    Parameters
    ----------
    n_patients
        Number of patients (one row each).
    seed
        Random seed; the same seed gives the same cohort.
    effects
        Log-odds per SD of log CRP (``CRP``), of Treg % (``TREG_PCT``) and for ACPA positivity
        (``ACPA_POSITIVE``); default :data:`DEFAULT_EFFECTS`.
    arm_effects
        Log-odds of each arm vs placebo; ``{}`` with a single arm gives no treatment column
        effect. Default :data:`DEFAULT_ARM_EFFECTS`.
    il6_tocilizumab
        Log-odds per SD of log IL-6, on tocilizumab only.
    intercept
        β0 (placebo, all z = 0, ACPA negative).
    missing_fraction
        Share of IL6 and TREG_PCT values removed completely at random.
    target
        Name of the outcome column; ``ACR50@24`` is also written (half the responders), an
        outcome-derived column that the leakage guards must exclude.
    """
    effects = DEFAULT_EFFECTS if effects is None else effects
    arm_effects = DEFAULT_ARM_EFFECTS if arm_effects is None else arm_effects
    rng = np.random.default_rng(seed)
    n = n_patients
    arms = np.array(list(arm_effects) or [PLACEBO], dtype=object)
    arm = arms[rng.permutation(np.arange(n) % len(arms))]
    age = np.clip(rng.normal(55.0, 12.0, n), 18.0, 90.0).round(0)
    female = rng.random(n) < 0.75
    rf = rng.random(n) < 0.70
    acpa = rng.random(n) < np.where(rf, 0.85, 0.35)
    z_crp = rng.normal(size=n)
    crp = np.exp(np.log(12.0) + 0.9 * z_crp).round(1)
    z_il6 = 0.6 * z_crp + 0.8 * rng.normal(size=n)
    il6 = np.exp(np.log(15.0) + 0.8 * z_il6).round(1)
    treg = np.clip(rng.normal(6.0, 1.5, n), 1.0, 15.0).round(2)
    z_treg = (treg - 6.0) / 1.5
    tnf = np.exp(rng.normal(np.log(8.0), 0.5, n)).round(1)
    il17 = np.exp(rng.normal(np.log(4.0), 0.6, n)).round(1)

    z_crp_obs = (np.log(crp) - np.log(12.0)) / 0.9
    eta = (
        intercept
        + np.array([arm_effects.get(a, 0.0) for a in arm])
        + effects.get("CRP", 0.0) * z_crp_obs
        + effects.get("ACPA_POSITIVE", 0.0) * acpa
        + effects.get("TREG_PCT", 0.0) * z_treg
        + il6_tocilizumab * z_il6 * (arm == TOCILIZUMAB)
    )
    probability = 1.0 / (1.0 + np.exp(-eta))
    response = rng.random(n) < probability
    acr50 = response & (rng.random(n) < 0.5)
    il6_shown: list[object] = [float(v) for v in il6]
    treg_shown: list[object] = [float(v) for v in treg]
    for values in (il6_shown, treg_shown):
        for i in np.flatnonzero(rng.random(n) < missing_fraction):
            values[i] = None
    columns: dict[str, list[object]] = {
        "patient_id": [f"VP{i:05d}" for i in range(n)],
        "arm": list(arm),
        "AGE_YEARS": [float(v) for v in age],
        "SEX": ["female" if f else "male" for f in female],
        "RF_POSITIVE": [bool(v) for v in rf],
        "ACPA_POSITIVE": [bool(v) for v in acpa],
        "CRP": [float(v) for v in crp],
        "IL6": il6_shown,
        "TNF": [float(v) for v in tnf],
        "IL17A": [float(v) for v in il17],
        "TREG_PCT": treg_shown,
        target: [bool(v) for v in response],
        "ACR50@24": [bool(v) for v in acr50],
    }
    return SyntheticCohort(
        columns=columns,
        linear_predictor=eta,
        probability=probability,
        il6_z=z_il6,
        effects=dict(effects),
        arm_effects=dict(arm_effects),
        il6_tocilizumab=il6_tocilizumab,
        intercept=intercept,
        noise_features=["AGE_YEARS", "SEX", "RF_POSITIVE", "TNF", "IL17A"],
    )


def write_cohort_csv(columns: dict[str, list[object]], path: str | Path) -> Path:
    """Write columns as a CSV (missing → empty cell, booleans as true/false)."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    names = list(columns)
    n = len(next(iter(columns.values())))

    def shown(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return f"{v:g}"
        return str(v)

    with file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for i in range(n):
            writer.writerow([shown(columns[c][i]) for c in names])
    return file
