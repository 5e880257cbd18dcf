"""Virtual populations: priors → traits → plausibility → acceptance on the published baseline.

:func:`sample_virtual_population` is the population layer's one entry point; the trial runner
uses it through :class:`CalibratedCohortSource` (its ``VirtualCohortSource`` seam). Every draw
is a pure function of (seed, slot index): slot ``i`` of a cohort considers the candidates
``i·M … i·M + M − 1`` in order and keeps the first that is plausible and accepted, so chunked
sampling gives exactly the patients of whole-cohort sampling. A candidate's week-0 visit noise
is keyed on its *slot* — the same noise the trial simulation of that slot sees — so selecting
patients on noisy screening values produces the regression to the mean of real trials.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from immunobalance.knowledge.loader import load_knowledge_base
from immunobalance.model import ParameterSet
from immunobalance.model import random as rnd
from immunobalance.model.diseases.base import PATHWAY_CV, DiseaseModule
from immunobalance.population._biomarkers import biomarker_values, draw_traits, pathway_multipliers
from immunobalance.population._calibration import Calibration, DiseaseCalibration, load_calibration
from immunobalance.population._history import (
    HISTORY_FRACTION_KEYS,
    failed_classes,
    history_keep_probability,
)
from immunobalance.population._plausibility import stability_margin
from immunobalance.population._targets import Target, baseline_targets, density_ratio

__all__ = [
    "CANDIDATES_PER_SLOT",
    "CalibratedCohortSource",
    "VirtualPopulation",
    "sample_virtual_population",
    "trial_cohort_source",
]

#: Candidates considered per cohort slot before falling back to the best one (status 3).
CANDIDATES_PER_SLOT = 32
#: Size of the pilot sample whose baseline histograms are the proposal density.
PILOT_SIZE = 3000
_PILOT_OFFSET = 1 << 40  # pilot candidates live far from any trial's candidate indices


@dataclass
class VirtualPopulation:
    """Accepted virtual patients of one (disease, population).

    Attributes
    ----------
    params
        Model parameters, one row per patient.
    covariates
        ``age_years``, ``weight_kg``, ``height_cm``, ``sex``.
    biomarkers
        Observable biomarkers and trait statuses (``RF``, ``ACPA``, ``IFN_SIGNATURE``,
        ``TREG_PCT``, ``IL6``, ``RF_POSITIVE`` …), consistent with the parameters.
    baseline_readouts
        Week-0 read-outs and derived scores (``DAS28ESR``, ``MAYO`` …) of the patients.
    status
        0 accepted; see :data:`~immunobalance.population.PLAUSIBILITY_STATUS`.
    candidate_index
        The candidate each slot holds (``slot·M + m``).
    weights
        Analysis weights (all 1: selection, not weighting, is used so the trial runner can
        treat patients as exchangeable; kept for twin reweighting).
    """

    disease: str
    population: str
    patient_index: NDArray[np.int64]
    params: ParameterSet
    covariates: dict[str, NDArray[np.float64]]
    biomarkers: dict[str, NDArray[np.float64]]
    baseline_readouts: dict[str, NDArray[np.float64]]
    status: NDArray[np.int64]
    candidate_index: NDArray[np.int64]
    weights: NDArray[np.float64]
    targets: list[Target] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    calibration_version: str = "uncalibrated-priors"

    @property
    def n(self) -> int:
        return int(self.patient_index.shape[0])

    @property
    def accepted(self) -> NDArray[np.bool_]:
        return np.asarray(self.status == 0)


def _module(disease: str) -> DiseaseModule:
    from immunobalance.trials.cohort import disease_module

    return disease_module(disease)


def candidate_parameters(
    module: DiseaseModule,
    cand: NDArray[np.int64],
    seed: int,
    cal: DiseaseCalibration,
    *,
    placebo_logit_offset: float = 0.0,
) -> tuple[ParameterSet, dict[str, NDArray[np.bool_]]]:
    """Parameters of candidates ``cand``: priors, calibrated typical values, traits, pathway mix.

    Calibrated typical values keep each patient's own quantile (same uniform stream, inverse
    CDF of the re-centred prior); ``placebo_logit_offset`` shifts the typical placebo
    parameters on the logit scale (a trial-level random effect).
    """
    n = cand.shape[0]
    ps = module.sample_parameters(n, seed=seed, patient_index=cand)
    over = calibrated_typical_values(module, cand, seed, cal, placebo_logit_offset)
    traits = draw_traits(module.key, seed, cand)
    mult = pathway_multipliers(module.key, traits, module.pathways, n)
    cv = PATHWAY_CV if cal.pathway_cv is None else cal.pathway_cv
    sigma = math.sqrt(math.log1p(cv**2))
    raw = {
        pw: w
        * cal.pathway_multipliers.get(pw, 1.0)
        * mult[pw]
        * np.exp(sigma * rnd.normals(seed, f"pathway:{pw}", cand, [0])[:, 0])
        for pw, w in module.pathway_prior().items()
    }
    total = np.sum(list(raw.values()), axis=0)
    for pw, w in raw.items():
        over[f"w_{pw}"] = w / total
    return ps.with_values(**over), traits


PLACEBO_PARAMETERS = ("placebo_subjective", "placebo_objective")


def calibrated_typical_values(
    module: DiseaseModule,
    cand: NDArray[np.int64],
    seed: int,
    cal: DiseaseCalibration,
    placebo_logit_offset: float = 0.0,
    only: tuple[str, ...] | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Per-patient values of the parameters whose typical value the calibration sets.

    Each patient keeps its own quantile (same uniform stream, inverse CDF of the re-centred
    prior); ``placebo_logit_offset`` shifts the typical placebo parameters on the logit scale.
    ``only`` restricts the result to those parameter names.
    """
    by_name = {p.name: p for p in module.all_parameters}
    typical = dict(cal.typical)
    if placebo_logit_offset:
        for name in PLACEBO_PARAMETERS:
            base = typical.get(name, by_name[name].value)
            typical[name] = float(special.expit(special.logit(base) + placebo_logit_offset))
    over: dict[str, NDArray[np.float64]] = {}
    for name in sorted(set(typical) | set(cal.spread)):
        if only is not None and name not in only:
            continue
        p = by_name[name]
        value = typical.get(name, p.value)
        value = min(max(value, p.low + 1e-9), p.high - 1e-9) if p.high < math.inf else value
        prior = p.prior
        if name in cal.spread:
            s = cal.spread[name]
            prior = replace(prior, cv=s) if prior.kind == "lognormal" else replace(prior, sd=s)
        u = rnd.uniforms(seed, f"param:{name}", cand, [0])[:, 0]
        over[name] = replace(p, value=value, prior=prior).sample(u)
    return over


def baseline_series(
    module: DiseaseModule,
    params: ParameterSet,
    *,
    seed: int,
    slots: NDArray[np.int64],
    covariates: Mapping[str, NDArray[np.float64]],
) -> dict[str, NDArray[np.float64]]:
    """Week-0 read-outs and derived scores (visit noise keyed on the slot index)."""
    from immunobalance.errors import InvalidInputError
    from immunobalance.trials.endpoints import _SCORES, ArmTrajectories

    base = module.baseline_readouts(params, seed=seed, patient_index=slots, covariates=covariates)
    n = params.n
    valid = physically_valid(base)
    rows = np.flatnonzero(valid)
    traj = ArmTrajectories(
        module.key,
        np.array([0.0]),
        {k: v[rows, None] for k, v in base.items()},
        {},
        np.full(rows.size, np.inf),
        np.full(rows.size, -1, dtype=np.int8),
    )
    out = dict(base)
    for key in _SCORES:
        try:
            score = np.asarray(traj.series(key))[:, 0]
        except (InvalidInputError, KeyError, ValueError):
            continue
        full = np.full(n, np.nan)
        full[rows] = score
        out[key] = full
    out["_VALID"] = valid.astype(float)
    return out


def physically_valid(readouts: Mapping[str, NDArray[np.float64]]) -> NDArray[np.bool_]:
    """Rows whose read-outs are finite and within the biomarker table's physical range.

    A candidate with, e.g., ESR > 200 mm/h is not a plausible patient (and its indices are
    undefined), so it is rejected rather than clipped.
    """
    from immunobalance.knowledge import load_knowledge_base

    kb = load_knowledge_base()
    n = next(iter(readouts.values())).shape[0]
    ok = np.ones(n, dtype=bool)
    for key, v in readouts.items():
        ok &= np.isfinite(v)
        rec = kb.biomarkers.get(key)
        if rec is not None and rec.range is not None:
            lo, hi = rec.range
            ok &= (v >= lo) & (v <= hi)
    return ok


def _covariates(
    disease: str, population: str, slots: NDArray[np.int64], seed: int
) -> tuple[dict[str, NDArray[np.float64]], list[str]]:
    from immunobalance.knowledge import load_knowledge_base
    from immunobalance.trials.cohort import _covariates as cohort_covariates

    pop = load_knowledge_base().population(disease, population)
    return cohort_covariates(pop.baseline, slots, seed)


_PILOT_CACHE: dict[tuple[str, str, str, int], tuple[list[Target], list[str], object, Any]] = {}

#: A baseline scale shift is applied only beyond this relative change (keeps a well-centred
#: proposal exactly as the priors give it).
_CENTRE_TOLERANCE = 0.05
#: Largest factor by which a population may move a read-out scale's typical value.
_CENTRE_LIMIT = 10.0


def centred_proposal(
    module: DiseaseModule,
    dcal: DiseaseCalibration,
    pilot: Mapping[str, NDArray[np.float64]],
    targets: list[Target],
) -> DiseaseCalibration:
    """``dcal`` with read-out scales moved so the pilot medians meet the published medians.

    Why: acceptance sampling (Allen et al. 2016) can only *select* from the candidates the
    priors propose. When a population sits in the tail of the disease-wide prior (lupus
    nephritis: UPCR 3.5 g/g against a typical SLE patient's 0.4), the candidate budget runs out
    before the target is reached and the cohort stays too mild. Moving the typical value of the
    read-out scale that a baseline characteristic is proportional to
    (``DiseaseModule.baseline_scales``) re-centres the proposal on the published median; the
    acceptance step then matches the shape. Only baseline characteristics are used — never an
    outcome.
    """
    by_name = {p.name: p for p in module.all_parameters}
    typical = dict(dcal.typical)
    moved = False
    for t in targets:
        param = module.baseline_scales.get(t.series)
        if param is None or t.kind == "bernoulli":
            continue
        x = np.asarray(pilot[t.series], dtype=float)
        x = x[np.isfinite(x) & np.asarray(pilot.get("_VALID", np.ones(x.size)), dtype=bool)]
        here = float(np.median(x)) if x.size else 0.0
        if here <= 0.0:
            continue
        factor = float(np.clip(t.median / here, 1.0 / _CENTRE_LIMIT, _CENTRE_LIMIT))
        if abs(factor - 1.0) <= _CENTRE_TOLERANCE:
            continue
        p = by_name[param]
        typical[param] = min(typical.get(param, p.value) * factor, p.high)
        moved = True
    return replace(dcal, typical=typical) if moved else dcal


def _acceptance(disease: str, population: str, cal: Calibration, seed: int):
    """Targets, unmatched keys, acceptance function and the (re-centred) disease calibration."""
    key = (disease, population, cal.fingerprint(disease), seed)
    if key not in _PILOT_CACHE:
        from immunobalance.knowledge import load_knowledge_base

        module = _module(disease)
        pop = load_knowledge_base().population(disease, population)
        idx = _PILOT_OFFSET + np.arange(PILOT_SIZE, dtype=np.int64)
        cov, _ = _covariates(disease, population, idx, seed)

        def pilot(dcal: DiseaseCalibration) -> dict[str, NDArray[np.float64]]:
            params, traits = candidate_parameters(module, idx, seed, dcal)
            series = baseline_series(module, params, seed=seed, slots=idx, covariates=cov)
            prior = module.pathway_prior()
            series.update(biomarker_values(disease, traits, params, prior, seed, idx))
            return series

        dcal = cal.for_disease(disease)
        series = pilot(dcal)
        targets, unmatched = baseline_targets(pop.baseline, set(series))
        for _ in range(3):  # floors and caps make the scale–median link only nearly linear
            centred = centred_proposal(module, dcal, series, targets)
            if centred is dcal:
                break
            dcal, series = centred, pilot(centred)
        _PILOT_CACHE[key] = (targets, unmatched, density_ratio(series, targets), dcal)
    return _PILOT_CACHE[key]


def sample_virtual_population(
    disease: str,
    population: str,
    n: int,
    *,
    seed: int,
    patient_index: NDArray[np.int64] | None = None,
    calibration: Calibration | None = None,
    placebo_logit_offset: float = 0.0,
    candidates_per_slot: int = CANDIDATES_PER_SLOT,
) -> VirtualPopulation:
    """Draw ``n`` virtual patients of ``population`` matched to its published baseline.

    Parameters
    ----------
    disease, population
        Knowledge-base keys (``rheumatoid_arthritis``, ``mtx_ir``).
    n
        Number of patients (slots).
    seed
        Seed of every draw; with ``patient_index`` it fixes each patient.
    patient_index
        Global slot indices (default ``0 … n−1``); chunks of a cohort equal the whole cohort.
    calibration
        Population-level calibration (default: the latest packaged one).
    placebo_logit_offset
        Trial-level random effect on the placebo parameters (0 = population mean).

    Returns
    -------
    VirtualPopulation
        With a per-patient ``status`` (0 ok, 3 = no candidate accepted, best used).
    """
    cal = calibration if calibration is not None else load_calibration()
    module = _module(disease)
    slots = (
        np.arange(n, dtype=np.int64)
        if patient_index is None
        else np.asarray(patient_index, dtype=np.int64)
    )
    targets, unmatched, accept, dcal = _acceptance(disease, population, cal, seed)
    kb = load_knowledge_base()
    history = failed_classes(disease, population, kb)
    # a history fraction is matched by the history selection itself, not by the baseline step
    history_keys = {HISTORY_FRACTION_KEYS.get(c.drug_class) for c in history}
    unmatched = [k for k in unmatched if k not in history_keys]
    cov, _ = _covariates(disease, population, slots, seed)
    chosen = np.full(n, -1, dtype=np.int64)
    best = np.full(n, -1, dtype=np.int64)
    best_p = np.full(n, -1.0)
    pending = np.arange(n)
    m_used = candidates_per_slot
    for m in range(candidates_per_slot):
        if pending.size == 0:
            m_used = m
            break
        cand = slots[pending] * candidates_per_slot + m
        params, traits = candidate_parameters(
            module, cand, seed, dcal, placebo_logit_offset=placebo_logit_offset
        )
        sub_cov = {k: v[pending] for k, v in cov.items()}
        series = baseline_series(
            module, params, seed=seed, slots=slots[pending], covariates=sub_cov
        )
        series.update(biomarker_values(disease, traits, params, module.pathway_prior(), seed, cand))
        prob = np.asarray(accept(series)) * series["_VALID"]
        u = rnd.uniforms(seed, "population:accept", cand, [0])[:, 0]
        hit = np.flatnonzero(u < prob)
        if hit.size:
            margin = stability_margin(module, params.subset(hit), sub_cov_subset(sub_cov, hit))
            hit = hit[margin < 0]
        if hit.size and history:
            keep = history_keep_probability(
                module,
                params.subset(hit),
                sub_cov_subset(sub_cov, hit),
                cand[hit],
                seed=seed,
                population=population,
                classes=history,
                kb=kb,
            )
            u_keep = rnd.uniforms(seed, "population:history", cand[hit], [0])[:, 0]
            hit = hit[u_keep < keep]
        better = prob > best_p[pending]
        best[pending[better]] = cand[better]
        best_p[pending[better]] = prob[better]
        chosen[pending[hit]] = cand[hit]
        pending = pending[chosen[pending] < 0]
    del m_used
    status = np.zeros(n, dtype=np.int64)
    status[chosen < 0] = 3
    chosen = np.where(chosen < 0, best, chosen)
    params, traits = candidate_parameters(
        module, chosen, seed, dcal, placebo_logit_offset=placebo_logit_offset
    )
    series = baseline_series(module, params, seed=seed, slots=slots, covariates=cov)
    markers = biomarker_values(disease, traits, params, module.pathway_prior(), seed, chosen)
    return VirtualPopulation(
        disease=disease,
        population=population,
        patient_index=slots,
        params=params,
        covariates=cov,
        biomarkers=markers,
        baseline_readouts=series,
        status=status,
        candidate_index=chosen,
        weights=np.ones(n),
        targets=targets,
        unmatched=unmatched,
        calibration_version=cal.version,
    )


def sub_cov_subset(
    cov: Mapping[str, NDArray[np.float64]], rows: NDArray[np.int64]
) -> dict[str, NDArray[np.float64]]:
    return {k: v[rows] for k, v in cov.items()}


@dataclass(frozen=True)
class CalibratedCohortSource:
    """The trial runner's cohort source backed by :func:`sample_virtual_population`.

    ``calibration``: a :class:`Calibration`, a packaged version (``1`` / ``"v1"``), or None for
    the latest packaged one. ``placebo_logit_offset``: a trial-level placebo random effect
    (``trial validate`` uses each calibration trial's empirical-Bayes estimate; 0 = the
    population mean, the right choice for an unseen trial).
    """

    calibration: Calibration | str | int | None = None
    placebo_logit_offset: float = 0.0

    @property
    def calibration_version(self) -> str:
        return self._calibration().version

    def _calibration(self) -> Calibration:
        if isinstance(self.calibration, Calibration):
            return self.calibration
        if self.calibration == "uncalibrated-priors":
            return Calibration.uncalibrated()
        return load_calibration(self.calibration)

    def draw(self, disease: str, population: str, patient_index: NDArray[np.int64], *, seed: int):
        """The virtual patients of these slots (cached per process: arms share patients)."""
        from immunobalance.trials.cohort import VirtualCohort

        idx = np.asarray(patient_index, dtype=np.int64)
        cal = self._calibration()
        # The placebo offset does not change who is accepted (the expectation factor is 1 at
        # the baseline visit), so trials that differ only by it share one population draw.
        key = (disease, population, seed, cal.fingerprint(disease), idx.tobytes())
        hit = _DRAW_CACHE.get(key)
        if hit is None:
            vp = sample_virtual_population(
                disease,
                population,
                idx.size,
                seed=seed,
                patient_index=idx,
                calibration=cal,
            )
            notes = []
            if (vp.status == 3).any():
                notes.append(
                    f"{int((vp.status == 3).sum())} slot(s) without an accepted "
                    "candidate used their closest candidate (population status 3)"
                )
            hit = (
                VirtualCohort(idx, vp.params, vp.covariates, vp.baseline_readouts, notes),
                vp.candidate_index,
            )
            if len(_DRAW_CACHE) > 16:
                _DRAW_CACHE.clear()
            _DRAW_CACHE[key] = hit
        cohort, cand = hit
        if not self.placebo_logit_offset:
            return cohort
        placebo = calibrated_typical_values(
            _module(disease),
            cand,
            seed,
            cal.for_disease(disease),
            self.placebo_logit_offset,
            only=PLACEBO_PARAMETERS,
        )
        return replace(cohort, params=cohort.params.with_values(**placebo))


_DRAW_CACHE: dict[tuple[object, ...], Any] = {}


def trial_cohort_source() -> CalibratedCohortSource:
    """The runner's default cohort source (latest packaged calibration)."""
    return CalibratedCohortSource()
