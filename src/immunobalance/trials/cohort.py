"""Where a trial's virtual patients come from: the seam between the runner and the population layer.

The runner asks a :class:`VirtualCohortSource` for the patients with given *global* indices;
the source answers with their parameters, covariates and (optionally) baseline read-outs. Every
draw must be a pure function of (seed, patient index) so that chunked, distributed and
whole-cohort runs see the same patients.

Until the calibrated population layer is installed, :class:`PriorCohortSource` draws patients
from the disease module's priors (``module.sample_parameters``), with age and sex from the
population's published baseline in the knowledge base. The population layer plugs in without
touching the runner by defining ``immunobalance.population.trial_cohort_source()`` returning its
source (see :func:`default_cohort_source`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray
from scipy import special

from immunobalance.model import DiseaseModule, ParameterSet
from immunobalance.model import random as rnd

__all__ = [
    "PriorCohortSource",
    "VirtualCohort",
    "VirtualCohortSource",
    "default_cohort_source",
    "disease_module",
]


@dataclass
class VirtualCohort:
    """Virtual patients of one chunk.

    Attributes
    ----------
    patient_index
        Global index of each patient, shape ``(n,)`` (the key of every random draw).
    params
        Model parameters of the patients.
    covariates
        ``weight_kg``, ``height_cm``, ``age_years`` (float arrays) and ``sex`` (``"female"`` /
        ``"male"``), shape ``(n,)`` each.
    baseline
        Baseline read-outs the source already computed (e.g. for acceptance); informative only —
        the runner's baseline is the week-0 visit of the simulation.
    notes
        Assumptions the source made.
    """

    patient_index: NDArray[np.int64]
    params: ParameterSet
    covariates: dict[str, NDArray[Any]]
    baseline: dict[str, NDArray[np.float64]] | None = None
    notes: list[str] = field(default_factory=list)


@runtime_checkable
class VirtualCohortSource(Protocol):
    """Anything that can produce the virtual patients of a trial (must be picklable)."""

    @property
    def calibration_version(self) -> str:
        """Identifies the calibration the patients come from (manifest, result JSON)."""
        ...

    def draw(
        self, disease: str, population: str, patient_index: NDArray[np.int64], *, seed: int
    ) -> VirtualCohort:
        """The patients with these global indices, identical for the same (seed, index)."""
        ...


_MODULES: dict[str, DiseaseModule] = {}


def disease_module(disease: str) -> DiseaseModule:
    """The disease module (compiled once per process; workers keep theirs between chunks)."""
    from immunobalance.model import get_disease_module

    if disease not in _MODULES:
        _MODULES[disease] = get_disease_module(disease)
    return _MODULES[disease]


#: Adult anthropometry used when a population's baseline gives none: sex-specific mean height
#: and weight of adults in high-income countries (NCD Risk Factor Collaboration, eLife
#: 2016;5:e13410 for height; Lancet 2016;387:1377-96 for BMI), with between-person CVs.
ADULT_REFERENCE = {
    "female": {"height_cm": (164.0, 0.04), "weight_kg": (70.0, 0.20)},
    "male": {"height_cm": (177.0, 0.04), "weight_kg": (84.0, 0.18)},
}


def _truncated_normal(
    u: NDArray[np.float64], mean: float, sd: float, low: float, high: float
) -> NDArray[np.float64]:
    """Inverse-CDF draw from N(mean, sd²) truncated to [low, high] (u uniform in (0, 1))."""
    a, b = special.ndtr((low - mean) / sd), special.ndtr((high - mean) / sd)
    return np.asarray(mean + sd * special.ndtri(a + u * (b - a)))


@dataclass(frozen=True)
class PriorCohortSource:
    """Virtual patients from the model's priors (no acceptance against the population baseline).

    Age and sex follow the population's published baseline (``AGE`` mean/SD or median/range,
    ``FEMALE`` fraction), truncated to ±3 SD (age ≥ 2 years); body weight follows ``WEIGHT_KG``
    when published, else :data:`ADULT_REFERENCE`; height follows :data:`ADULT_REFERENCE`.
    """

    calibration_version: str = "uncalibrated-priors"

    def draw(
        self, disease: str, population: str, patient_index: NDArray[np.int64], *, seed: int
    ) -> VirtualCohort:
        from immunobalance.knowledge import load_knowledge_base

        idx = np.asarray(patient_index, dtype=np.int64)
        module = disease_module(disease)
        params = module.sample_parameters(idx.size, seed=seed, patient_index=idx)
        pop = load_knowledge_base().population(disease, population)
        covariates, notes = _covariates(pop.baseline, idx, seed)
        return VirtualCohort(idx, params, covariates, None, notes)


def _covariates(
    baseline: Mapping[str, object], idx: NDArray[np.int64], seed: int
) -> tuple[dict[str, NDArray[Any]], list[str]]:
    u = rnd.uniforms(seed, "cohort:covariates", idx, [0, 1, 2, 3])
    notes: list[str] = []
    female_frac = _attr(baseline.get("FEMALE"), "fraction")
    if female_frac is None:
        female_frac = 0.5
        notes.append("population baseline has no FEMALE fraction: 0.5 used")
    female = u[:, 0] < female_frac
    age = baseline.get("AGE")
    mean, sd = _attr(age, "mean"), _attr(age, "sd")
    if mean is None and _attr(age, "median") is not None:
        mean = _attr(age, "median")
        lo, hi = _attr(age, "low"), _attr(age, "high")
        sd = (hi - lo) / 4.0 if lo is not None and hi is not None else None
    if mean is None:
        mean, sd = 50.0, 12.0
        notes.append("population baseline has no AGE: 50 ± 12 years used")
    if sd is None:
        sd = 0.25 * mean
        notes.append(f"population AGE has no spread: SD {sd:g} years (CV 25 %) assumed")
    ages = _truncated_normal(u[:, 1], mean, sd, max(mean - 3 * sd, 2.0), mean + 3 * sd)
    sex_key = np.where(female, "female", "male")
    height = np.empty(idx.size)
    weight = np.empty(idx.size)
    w_mean, w_sd = _attr(baseline.get("WEIGHT_KG"), "mean"), _attr(baseline.get("WEIGHT_KG"), "sd")
    for sex in ("female", "male"):
        m = sex_key == sex
        h_mu, h_cv = ADULT_REFERENCE[sex]["height_cm"]
        height[m] = _truncated_normal(u[m, 2], h_mu, h_cv * h_mu, h_mu * 0.85, h_mu * 1.15)
        if w_mean is None:
            mu, cv = ADULT_REFERENCE[sex]["weight_kg"]
            sd_w = cv * mu
        else:
            mu, sd_w = w_mean, (w_sd if w_sd is not None else 0.2 * w_mean)
        weight[m] = _truncated_normal(u[m, 3], mu, sd_w, max(mu - 3 * sd_w, 30.0), mu + 3 * sd_w)
    if w_mean is None:
        notes.append("population baseline has no WEIGHT_KG: adult reference weights used")
    if math.isfinite(mean) and mean - 2 * sd < 18:
        notes.append("population includes children: adult anthropometry used (prior source)")
    return (
        {"age_years": ages, "weight_kg": weight, "height_cm": height, "sex": sex_key},
        notes,
    )


def _attr(record: object, name: str) -> float | None:
    value = getattr(record, name, None) if record is not None else None
    return None if value is None else float(value)


def default_cohort_source() -> VirtualCohortSource:
    """The calibrated population's source when the population layer provides one, else priors.

    The population layer registers itself by defining ``trial_cohort_source()`` in
    :mod:`immunobalance.population`.
    """
    try:
        from immunobalance import population
    except ImportError:  # pragma: no cover - the package ships with the population layer
        return PriorCohortSource()
    factory = getattr(population, "trial_cohort_source", None)
    return factory() if callable(factory) else PriorCohortSource()
