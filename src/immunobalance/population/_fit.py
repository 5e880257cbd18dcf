"""Fit population-level parameters to the calibration rows (``immunobalance calibrate``).

Model. Each trial ``t`` has a placebo/expectation level on the logit scale,
``logit(placebo_x) = logit(prior typical of placebo_x) + δ_t`` for x ∈ {subjective, objective},
with ``δ_t ~ N(δ̄_d, τ²)`` across the trials of disease ``d`` (a trial-level random effect: era,
rescue rules, expectation). Control arms identify ``δ_t`` (an active comparator only
together with its agent's modelled efficacy: :func:`_control_rows`); active arms are then
predicted from it plus mechanism (agent pharmacology is never fitted).

Procedure (deterministic: fixed seed, common random numbers — every evaluation sees the same
virtual patients, visit noise and withdrawals):

1. for each trial, ``δ̂_t`` minimises Σ (predicted − published)² over its control-arm
   proportion rows (bounded Brent search on [−4.5, 4.5]); a trial whose control rows do not move
   with δ (event endpoints: ARR, T1D diagnosis) does not inform it;
2. ``δ̄_d`` = mean of the ``δ̂_t`` of the disease's placebo-controlled trials (all its trials if
   it has none: :func:`_placebo_controlled`); ``τ`` = SD of those ``δ̂_t − δ̄_d`` pooled over
   diseases (most diseases have one or two calibration trials);
3. empirical Bayes: ``δ_t = δ̄_d + (δ̂_t − δ̄_d)·τ²/(τ² + s_t²)``, with ``s_t`` the logit-scale
   standard error of a control arm of 200 patients, s_t² ≈ 1/(200·p̄(1 − p̄)).

Stored: typical placebo values at ``δ̄_d`` (the population mean used for unseen trials), ``τ``,
and each calibration trial's ``δ_t − δ̄_d`` (used only by ``trial validate``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from scipy import optimize, special

import immunobalance
from immunobalance.model import get_disease_module
from immunobalance.model.run_in import shared_background
from immunobalance.population._calibration import (
    Calibration,
    DiseaseCalibration,
    calibration_path,
    latest_calibration_version,
)
from immunobalance.population._fit_structure import STAGE0_METHOD
from immunobalance.population._identified import identified_pathways
from immunobalance.population._rows import (
    CalibrationRow,
    calibration_rows,
    data_sha256,
    rows_by_trial,
)
from immunobalance.population._validate import predict_rows

__all__ = [
    "ASSUMED_CONTROL_N",
    "fit_calibration",
    "fit_placebo_and_multipliers",
    "merge_calibration",
    "structure_of",
    "without_placebo_fit",
    "write_calibration",
]

ASSUMED_CONTROL_N = 200
#: |δ̂| beyond this (search range ±SEARCH_LIMIT) means the control rows are not reproducible by δ.
SEARCH_LIMIT = 4.5
BOUND_LIMIT = 4.2
_PLACEBO = ("placebo_subjective", "placebo_objective")


class TrialEstimate(NamedTuple):
    """Stage 1's estimate for one trial."""

    delta: float
    #: Mean published value of the control rows (sets the empirical-Bayes shrinkage).
    mean_control: float
    #: Whether the control arm is a placebo arm (:func:`_placebo_controlled`).
    placebo_controlled: bool


def _placebo_controlled(rows: list[CalibrationRow]) -> bool:
    """Whether the trial's control arm gives placebo on top of background therapy only.

    A control arm is a placebo arm when every agent it lists is background therapy of the
    population (knowledge base) and is given in every arm of the trial (placebo + methotrexate
    in MTX-IR RA, placebo + mycophenolate in lupus nephritis). TEMPO's methotrexate arm (the
    etanercept arm has none) and the etanercept + anakinra trial's etanercept arm are active
    comparators.
    """
    from immunobalance.knowledge.loader import load_knowledge_base

    first = rows[0]
    population = load_knowledge_base().population(first.disease, first.population)
    arms: dict[str, set[str]] = {}
    for r in rows:
        arms.setdefault(r.arm, {str(item.get("agent")) for item in r.regimen})
    background = shared_background(population, list(arms.values()))
    return all(arms[r.arm] <= background for r in _control_rows(rows))


def _control_rows(rows: list[CalibrationRow]) -> list[CalibrationRow]:
    """Proportion rows of the trial's comparator arm(s), placebo or active.

    An active comparator (TEMPO's methotrexate started at randomisation, the etanercept arm of
    the etanercept + anakinra trial) identifies ``δ_t`` only together with that agent's
    modelled efficacy. Restricting ``δ_t`` to placebo arms was tried (calibration v12): the
    methotrexate arm of TEMPO then fell 27 points short — the engine then drove methotrexate by
    its plasma pulse, before methotrexate had its polyglutamate effect compartment — and
    stage 0 moved the RA switch threshold to make up for it, which over-predicted abatacept and
    rituximab. Retried with the effect compartment (probe at the v16 structure, TEMPO at the
    placebo-trial mean): TEMPO's methotrexate arm is still 30 points short at ACR20 and every
    etanercept-minus-methotrexate difference 8–12 points too large, so the comparator arm
    stays in for the trial's own ``δ_t``; it is kept out of the disease mean instead
    (:func:`aggregate_trial_effects`).
    """
    return [r for r in rows if r.comparator_arm is None and r.kind == "proportion"]


def _fit_trial(
    rows: list[CalibrationRow], base: Calibration, n: int, seed: int
) -> tuple[float | None, float, int]:
    ctrl = _control_rows(rows)
    if not ctrl:
        return None, float("nan"), 0
    arms = sorted({r.arm for r in ctrl})
    target = np.array([r.value for r in ctrl])
    evals = 0

    def pred(delta: float) -> np.ndarray:
        nonlocal evals
        evals += 1
        p = predict_rows(rows, base, n_per_arm=n, seed=seed, placebo_logit_offset=delta, arms=arms)
        return np.array([p[(r.arm, r.endpoint, r.week)] or 0.0 for r in ctrl])

    lo, hi = pred(-SEARCH_LIMIT), pred(SEARCH_LIMIT)
    if np.allclose(lo, hi):
        return None, float(np.mean(target)), evals
    res = optimize.minimize_scalar(
        lambda d: float(np.sum((pred(d) - target) ** 2)),
        bounds=(-SEARCH_LIMIT, SEARCH_LIMIT),
        method="bounded",
        options={"xatol": 0.15, "maxiter": 10},
    )
    if abs(float(res.x)) > BOUND_LIMIT:
        # at the edge of the search range: the placebo parameters cannot reproduce these
        # control rows (e.g. no placebo patient reaches PASI75) — not informative
        return None, float(np.mean(target)), evals
    return float(res.x), float(np.mean(target)), evals


def fit_calibration(
    *,
    diseases: list[str] | None = None,
    n_per_arm: int = 150,
    seed: int = 20261121,
    progress: Callable[[str], None] | None = None,
    base: Calibration | None = None,
) -> Calibration:
    """Fit the placebo random-effect model of the module docstring; returns a new Calibration.

    ``base`` carries structural population parameters fitted elsewhere (pathway spread,
    typical switch parameters, :mod:`._fit_structure`; pathway multipliers when the placebo
    model is refitted after stage 2); the placebo model is fitted on top of them and they are
    kept in the result. A placebo fit already in ``base`` is set aside first
    (:func:`without_placebo_fit`): ``δ̂_t`` is measured from the declared placebo prior, which is
    what the typical values are rebuilt from.
    """
    base = without_placebo_fit(base) if base is not None else Calibration.uncalibrated()
    by_trial = rows_by_trial(calibration_rows())
    estimates: dict[str, dict[str, TrialEstimate]] = {}
    constrains: dict[str, list[str]] = {}
    for name, rows in by_trial.items():
        d = rows[0].disease
        if diseases and d not in diseases:
            continue
        delta, pbar, evals = _fit_trial(rows, base, n_per_arm, seed)
        if progress is not None:
            progress(f"{name}: δ̂ = {delta if delta is None else round(delta, 3)} ({evals} runs)")
        if delta is not None:
            estimates.setdefault(d, {})[name] = TrialEstimate(
                delta, pbar, _placebo_controlled(rows)
            )
            constrains.setdefault(d, []).extend(
                f"{r.trial} / {r.arm} / {r.endpoint}@{r.week:g}" for r in _control_rows(rows)
            )
    cal = aggregate_trial_effects(estimates, constrains, n_per_arm=n_per_arm, seed=seed)
    meta = dict(cal.meta)
    meta["parameters"] = _without_parameters(
        base.meta.get("parameters", []), set(cal.diseases), _PLACEBO_PARAMETER_NAMES
    ) + list(meta.get("parameters", []))
    if base.meta.get("method"):
        meta["method"] = _joined_method(base.meta["method"], meta.get("method", ""))
    # a refit on top of stage 2 keeps what the earlier stages recorded
    meta["fit"] = {**base.meta.get("fit", {}), **meta.get("fit", {})}
    if "not_fitted" in base.meta:
        meta["not_fitted"] = base.meta["not_fitted"]
    merged = {}
    for d in set(cal.diseases) | set(base.diseases):
        if diseases and d not in diseases:
            continue
        b, c = base.for_disease(d), cal.for_disease(d)
        merged[d] = replace(
            b,
            typical={**b.typical, **c.typical},
            placebo_between_trial_sd=c.placebo_between_trial_sd,
            trial_effects=dict(c.trial_effects),
        )
    return Calibration(cal.version, merged, meta)


#: Parameter lines of the calibration's ``meta`` that stage 1 and stage 2 write (a later
#: round replaces them).
_PLACEBO_PARAMETER_NAMES = (
    *(f"typical.{p}" for p in _PLACEBO),
    "placebo_between_trial_sd (logit)",
)
_STAGE2_PARAMETER_NAMES = ("pathway_multipliers.", "stage-2 fit diagnostics")


def _without_parameters(
    params: list[dict[str, Any]], diseases: set[str], names: tuple[str, ...]
) -> list[dict[str, Any]]:
    """``params`` without the lines of ``diseases`` whose name starts with one of ``names``."""
    return [
        p
        for p in params
        if not (p.get("disease") in diseases and str(p.get("parameter", "")).startswith(names))
    ]


def _joined_method(first: str, then: str) -> str:
    """The calibration's method description, each stage named once however many rounds."""
    if not then or then in first:
        return first
    return f"{first}; {then}" if first else then


def without_placebo_fit(cal: Calibration) -> Calibration:
    """``cal`` without its placebo model: typical placebo values and trial effects removed.

    Why: stage 1 measures each trial's ``δ̂_t`` as a logit shift of the typical placebo values
    the cohort is drawn with, then rebuilds those typical values from the *declared* prior plus
    the disease mean. Refitting on top of a calibration that already holds fitted typical values
    would count the earlier fit twice.
    """
    diseases = {
        d: replace(
            dc,
            typical={k: v for k, v in dc.typical.items() if k not in _PLACEBO},
            trial_effects={},
            placebo_between_trial_sd=0.0,
        )
        for d, dc in cal.diseases.items()
    }
    return Calibration(cal.version, diseases, cal.meta)


def structure_of(cal: Calibration, diseases: list[str] | None = None) -> Calibration:
    """Stage 0 of ``cal`` alone (``calibrate --structure-from``): its structural parameters.

    Why: the stage-0 grid is most of a calibration's cost (about an hour on 2 cores) and
    depends neither on the placebo model nor on the multipliers; a change to stages 1–2 can be
    refitted on a published structure. Kept: typical values other than placebo, pathway_cv,
    spreads, and the stage-0 lines of ``meta``; dropped: placebo model and multipliers.
    """
    stripped = without_placebo_fit(cal)
    chosen = {
        d: replace(dc, pathway_multipliers={})
        for d, dc in stripped.diseases.items()
        if not diseases or d in diseases
    }
    params = _without_parameters(
        cal.meta.get("parameters", []),
        set(chosen),
        (*_PLACEBO_PARAMETER_NAMES, *_STAGE2_PARAMETER_NAMES),
    )
    meta = {
        "parameters": [p for p in params if p.get("disease") in chosen],
        "method": f"{STAGE0_METHOD}, taken from calibration {cal.version}",
    }
    return Calibration(cal.version, chosen, meta)


def _informing(est: dict[str, TrialEstimate]) -> dict[str, TrialEstimate]:
    """The estimates that inform a disease's typical placebo level (placebo-controlled trials;
    all of them when the disease has none)."""
    placebo = {t: e for t, e in est.items() if e.placebo_controlled}
    return placebo or est


def aggregate_trial_effects(
    estimates: dict[str, dict[str, TrialEstimate]],
    constrains: dict[str, list[str]],
    *,
    n_per_arm: int,
    seed: int,
) -> Calibration:
    """Steps 2–3 of the module docstring: disease means, pooled τ, empirical-Bayes effects.

    The mean ``δ̄_d`` and ``τ`` come from the placebo-controlled trials only
    (:func:`_placebo_controlled`): an active comparator's ``δ̂_t`` also absorbs that agent's
    modelled efficacy error, which is not a placebo level an unseen trial would share. Such a
    trial still gets its own effect ``δ_t − δ̄_d`` (used by ``trial validate``).
    """
    means = {
        d: float(np.mean([e.delta for e in _informing(est).values()]))
        for d, est in estimates.items()
    }
    devs = [e.delta - means[d] for d, est in estimates.items() for e in _informing(est).values()]
    tau = float(np.std(devs, ddof=1)) if len(devs) > 2 else 0.5
    out: dict[str, DiseaseCalibration] = {}
    meta_params: list[dict[str, Any]] = []
    for d, est in estimates.items():
        mean = means[d]
        informing = _informing(est)
        module = get_disease_module(d)
        typical = {}
        for name in _PLACEBO:
            p0 = (
                module.declaration.parameter(name).value
                if name in module.declaration.parameter_names
                else next(p.value for p in module.all_parameters if p.name == name)
            )
            typical[name] = float(special.expit(special.logit(p0) + mean))
        effects = {}
        for t, (dl, pbar, _) in est.items():
            pb = min(max(pbar, 0.02), 0.98)
            s2 = 1.0 / (ASSUMED_CONTROL_N * pb * (1 - pb))
            shrink = tau**2 / (tau**2 + s2) if tau > 0 else 0.0
            effects[t] = round((dl - mean) * shrink, 4)
        out[d] = DiseaseCalibration(
            typical={k: round(v, 5) for k, v in typical.items()},
            placebo_between_trial_sd=round(tau, 4),
            trial_effects=effects,
        )
        for name in _PLACEBO:
            meta_params.append(
                {
                    "disease": d,
                    "parameter": f"typical.{name}",
                    "value": out[d].typical[name],
                    "rows": [row for row in constrains[d] if row.split(" / ")[0] in informing],
                }
            )
        meta_params.append(
            {
                "disease": d,
                "parameter": "placebo_between_trial_sd (logit)",
                "value": round(tau, 4),
                "rows": ["control arms of all calibration trials"],
            }
        )
    version = (latest_calibration_version() or 0) + 1
    meta = {
        "date": dt.date.today().isoformat(),
        "software_version": immunobalance.__version__,
        "data": "population/data/calibration-trials.csv",
        "data_sha256": data_sha256(),
        "method": "trial-level placebo random effect on the logit scale, fitted to control arms "
        "(bounded Brent per trial, common random numbers), empirical-Bayes shrinkage; "
        "see immunobalance.population._fit",
        "fit": {
            "n_per_arm": n_per_arm,
            "seed": seed,
            "assumed_control_n": ASSUMED_CONTROL_N,
            "trial_estimates": {
                d: {
                    t: [round(v.delta, 4), round(v.mean_control, 4), v.placebo_controlled]
                    for t, v in e.items()
                }
                for d, e in estimates.items()
            },
            "constrains": constrains,
        },
        "parameters": meta_params,
        "not_fitted": "pathway-weight multipliers stay at their declared priors and the "
        "visit-noise scale at stage 0's value (1 without stage 0); agent PK/potency are never "
        "fitted",
    }
    return Calibration(f"v{version}", out, meta)


#: What a full calibration leaves alone (written into the file's ``meta``).
NOT_FITTED = (
    "the ratios between read-out items' noise SDs stay as declared (stage 0 scales them all "
    "together, per disease); agent PK/potency are never fitted"
)


def merge_calibration(previous: Calibration, refit: Calibration) -> Calibration:
    """``previous`` with the diseases of ``refit`` replaced: what a ``--disease`` run writes.

    Why: a calibration file is the whole population layer; a run limited to some diseases must
    not leave the others uncalibrated in the new latest version. The other diseases keep their
    parameters and their lines of ``parameters`` and ``fit`` (rows each parameter constrains);
    ``meta['refitted']`` names the diseases this version changed and the version they came from.
    """
    changed = set(refit.diseases)
    meta = dict(refit.meta)
    meta["parameters"] = [
        p for p in previous.meta.get("parameters", []) if p.get("disease") not in changed
    ] + list(refit.meta.get("parameters", []))
    fit = dict(refit.meta.get("fit", {}))
    for key in ("trial_estimates", "constrains"):
        kept = {
            d: v for d, v in previous.meta.get("fit", {}).get(key, {}).items() if d not in changed
        }
        fit[key] = {**kept, **fit.get(key, {})}
    meta["fit"] = fit
    meta["refitted"] = {"diseases": sorted(changed), "others_from": previous.version}
    return Calibration(refit.version, {**previous.diseases, **refit.diseases}, meta)


def write_calibration(cal: Calibration, path: Path | None = None) -> Path:
    """Write ``cal`` as ``population/data/calibration-v<N>.json`` (or ``path``)."""
    target = path or calibration_path(cal.version)
    target.write_text(
        json.dumps(cal.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return target


# --- stage 2: pathway-weight multipliers by importance weighting --------------------------

#: Prior SD of the log pathway multipliers (a multiplier stays within about ×0.5–×2 unless
#: the rows insist) and the error scale of a row (trial-to-trial variation + model error).
LOG_MULTIPLIER_PRIOR_SD = 0.7
#: Bounds of a total log multiplier (×e^-1.5 … ×e^1.5, about 0.22–4.5).
LOG_MULTIPLIER_BOUND = 1.5
ROW_ERROR_SD = {"proportion": 0.05, "rate": 0.15, "mean": 0.15}
MIN_ESS_FRACTION = 0.25


def _trial_outcomes(rows: list[CalibrationRow], cal: Calibration, n: int, seed: int):
    """Per-patient outcomes of one calibration trial and its patients' pathway normals."""
    from immunobalance.model import random as rnd
    from immunobalance.population._rows import trial_spec
    from immunobalance.population._validate import predict_rows as _unused  # noqa: F401
    from immunobalance.population._virtual import CalibratedCohortSource, sample_virtual_population
    from immunobalance.trials import run_trial

    d, pop = rows[0].disease, rows[0].population
    offset = cal.for_disease(d).trial_effects.get(rows[0].trial, 0.0)
    spec = trial_spec(rows, n_per_arm=n, seed=seed)
    result = run_trial(spec, cohort_source=CalibratedCohortSource(cal, offset))
    vp = sample_virtual_population(
        d, pop, n, seed=seed, calibration=cal, placebo_logit_offset=offset
    )
    module = get_disease_module(d)
    z = np.stack(
        [
            rnd.normals(seed, f"pathway:{pw}", vp.candidate_index, [0])[:, 0]
            for pw in module.pathways
        ],
        axis=1,
    )
    names = [a.name for a in spec.arms]
    per_row = {}
    for r in rows:
        out = result.outcomes[names.index(r.arm)]
        per_row[(r.arm, r.endpoint, r.week)] = out.endpoints[f"{r.endpoint}@{r.week:g}"]
    return z, per_row


def log_multipliers(multipliers: dict[str, float], pathways: Sequence[str]) -> np.ndarray:
    """Log multipliers in ``pathways`` order (a pathway without one has multiplier 1)."""
    return np.array([math.log(multipliers.get(pw, 1.0)) for pw in pathways])


def total_multipliers(
    previous: dict[str, float], pathways: Sequence[str], b: np.ndarray
) -> dict[str, float]:
    """The multipliers a stage-2 increment ``b`` gives on top of ``previous``: e^(log m + b).

    Multipliers within 0.1 % of 1 are left out (the file lists only those that move).
    """
    total = log_multipliers(previous, pathways) + np.asarray(b)
    return {
        pw: round(float(math.exp(bk)), 4)
        for pw, bk in zip(pathways, total, strict=True)
        if abs(bk) > 1e-3
    }


def fit_pathway_multipliers(
    cal: Calibration,
    *,
    n_per_arm: int = 400,
    seed: int = 20261121,
    progress: Callable[[str], None] | None = None,
    diseases: list[str] | None = None,
) -> Calibration:
    """Stage 2: log pathway multipliers b_k per disease, by importance weighting.

    The trials are simulated once (at the stage-1 calibration). A multiplier m_k = e^{b_k} on
    pathway k shifts the log raw weight of every patient by b_k, so the calibrated population
    is the simulated one reweighted by w_i = exp(Σ_k a_k z_ik − a_k²/2), a_k = b_k/σ (σ the
    pathway lognormal SD, z_ik the patient's pathway normal) — baseline read-outs do not depend
    on the pathway mix (every state is 1 at baseline), so acceptance is unchanged. Objective:
    Σ_rows (pred − published)²/(2 s²) over arm values and active-minus-control differences
    (s from :data:`ROW_ERROR_SD`, relative for rates) + Σ_k b_k²/(2·0.7²), minimised by
    L-BFGS-B; the fit is rejected for a disease if the effective sample size falls below 25 %.

    Multipliers already in ``cal`` (a later round of :func:`fit_placebo_and_multipliers`) are
    simulated, and ``b`` is fitted on top of them: the prior and the bounds apply to the total
    log multiplier, which is what is stored.

    Only the multipliers of pathways that some arm's agent acts on directly are free
    (:func:`._identified.identified_pathways`); the rest stay where they are (1 after stage 0).
    Renormalisation would otherwise let an untargeted pathway soak up weight the targeted
    ones lose — a choice the rows cannot make, which would steer every unseen agent on it.
    """
    from immunobalance.knowledge.loader import load_knowledge_base
    from immunobalance.model.diseases.base import PATHWAY_CV

    kb = load_knowledge_base()
    new = dict(cal.diseases)
    report: list[dict[str, Any]] = list(cal.meta.get("parameters", []))
    by_disease = _by_disease(diseases)
    report = _without_parameters(report, set(by_disease), _STAGE2_PARAMETER_NAMES)
    for d, trials in by_disease.items():
        cv = cal.for_disease(d).pathway_cv
        sigma = math.sqrt(math.log1p((PATHWAY_CV if cv is None else cv) ** 2))
        module = get_disease_module(d)
        k = len(module.pathways)
        # multipliers already in ``cal`` (a later round): the cohort is simulated with them,
        # b is fitted on top, and the prior applies to the total log multiplier
        prior = cal.for_disease(d).pathway_multipliers
        b_prev = log_multipliers(prior, module.pathways)
        # only pathways an arm acts on are free; the others keep their multiplier
        identified = identified_pathways(
            [r for rows in trials.values() for r in rows], kb, module.pathways
        )
        free = np.array([pw in identified for pw in module.pathways])
        if not free.any():
            if progress is not None:
                progress(f"stage 2 {d}: no arm acts on a pathway directly; multipliers kept")
            continue
        data = []
        for name, rows in trials.items():
            if progress is not None:
                progress(f"stage 2: simulating {name}")
            z, per_row = _trial_outcomes(rows, cal, n_per_arm, seed)
            data.append((rows, z, per_row))

        def predictions(
            b: np.ndarray, data: list[Any] = data, sigma: float = sigma
        ) -> list[tuple[CalibrationRow, float, float | None]]:
            out = []
            for rows, z, per_row in data:
                a = b / sigma
                w = np.exp(z @ a - 0.5 * float(a @ a))
                est = {}
                for key, (y, exp) in per_row.items():
                    ok = np.isfinite(y) & (
                        (exp is None) | np.isfinite(exp if exp is not None else y)
                    )
                    if exp is None:
                        est[key] = float(np.sum(w[ok] * y[ok]) / np.sum(w[ok]))
                    else:
                        est[key] = float(
                            np.sum(w[ok] * y[ok]) / max(np.sum(w[ok] * exp[ok]), 1e-12)
                        )
                for r in rows:
                    p = est[(r.arm, r.endpoint, r.week)]
                    pc = (
                        est.get((r.comparator_arm, r.endpoint, r.week))
                        if r.comparator_arm
                        else None
                    )
                    out.append((r, p, pc))
            return out

        published = {
            (r.trial, r.arm, r.endpoint, r.week): r.value for rows, _, _ in data for r in rows
        }

        def min_ess(b: np.ndarray, data: list[Any] = data, sigma: float = sigma) -> float:
            a = b / sigma
            out = 1.0
            for _, z, _ in data:
                w = np.exp(z @ a - 0.5 * float(a @ a))
                out = min(out, float(np.sum(w) ** 2 / np.sum(w**2) / w.size))
            return out

        def objective(
            b: np.ndarray, published: dict[Any, float] = published, b_prev: np.ndarray = b_prev
        ) -> float:
            total = float(np.sum((b_prev + b) ** 2)) / (2 * LOG_MULTIPLIER_PRIOR_SD**2)
            # keep the reweighted cohort informative: penalise ESS below the floor
            total += 1e4 * max(0.0, MIN_ESS_FRACTION + 0.05 - min_ess(b)) ** 2
            for r, p, pc in predictions(b):
                s = ROW_ERROR_SD[r.kind] * (1.0 if r.kind == "proportion" else max(r.value, 1e-3))
                total += (p - r.value) ** 2 / (2 * s * s)
                if pc is not None:
                    pub_c = published[(r.trial, r.comparator_arm, r.endpoint, r.week)]
                    total += ((p - pc) - (r.value - pub_c)) ** 2 / (2 * s * s)
            return total

        def on_free(x: np.ndarray, free: np.ndarray = free, k: int = k) -> np.ndarray:
            b = np.zeros(k)
            b[free] = x
            return b

        res = optimize.minimize(
            lambda x: objective(on_free(x)),
            np.zeros(int(free.sum())),
            method="L-BFGS-B",
            bounds=[(-LOG_MULTIPLIER_BOUND - bp, LOG_MULTIPLIER_BOUND - bp) for bp in b_prev[free]],
            options={"maxiter": 200},
        )
        b = on_free(np.asarray(res.x))
        ess = [min_ess(b)]
        accepted = min(ess) >= MIN_ESS_FRACTION
        if progress is not None:
            progress(
                f"stage 2 {d}: objective {objective(np.zeros(k)):.1f} → {res.fun:.1f}, "
                f"min ESS {min(ess):.0%}{'' if accepted else ' (rejected)'}"
            )
        if not accepted:
            continue
        mult = total_multipliers(prior, module.pathways, b)
        old = cal.for_disease(d)
        new[d] = replace(old, pathway_multipliers=mult)
        rows_used = [
            f"{r.trial} / {r.arm} / {r.endpoint}@{r.week:g}" for rows, _, _ in data for r in rows
        ]
        for pw, m in mult.items():
            report.append(
                {
                    "disease": d,
                    "parameter": f"pathway_multipliers.{pw}",
                    "value": m,
                    "rows": rows_used,
                }
            )
        report.append(
            {
                "disease": d,
                "parameter": "stage-2 fit diagnostics",
                "value": {
                    "objective_before": round(objective(np.zeros(k)), 3),
                    "objective_after": round(float(res.fun), 3),
                    "min_ess_fraction": round(min(ess), 3),
                    "free_pathways": [pw for pw, f in zip(module.pathways, free, strict=True) if f],
                },
                "rows": [],
            }
        )
    meta = dict(cal.meta)
    meta["parameters"] = report
    meta["method"] = _joined_method(
        str(meta.get("method", "")),
        "stage 2: pathway multipliers by importance weighting (fit_pathway_multipliers)",
    )
    meta["not_fitted"] = NOT_FITTED
    meta.setdefault("fit", {})["stage2_n_per_arm"] = n_per_arm
    return Calibration(cal.version, new, meta)


def fit_placebo_and_multipliers(
    base: Calibration | None,
    *,
    rounds: int = 3,
    n_per_arm: int = 150,
    n_stage2: int = 400,
    seed: int = 20261121,
    progress: Callable[[str], None] | None = None,
    diseases: list[str] | None = None,
) -> Calibration:
    """Stages 1 and 2 fitted alternately: placebo model, multipliers, …, placebo model last.

    Why alternate: a control arm on background therapy (placebo + methotrexate, placebo +
    mycophenolate) moves with the pathway multipliers, because its background agent acts through
    the pathways they weight. Fitted once in sequence, stage 2 leaves such arms where its
    compromise with the active arms put them, while each trial's placebo level ``δ_t`` stays
    where stage 1 found it before the multipliers existed. Each round fits the multipliers at
    the current ``δ_t`` (on top of the previous ones, :func:`fit_pathway_multipliers`), then
    refits ``δ_t`` at them. Each block keeps its own objective (stage 1 the control rows,
    stage 2 every row and difference), so this alternates two fits rather than descending one
    objective, and a fixed number of rounds need not have converged. The last step is a
    placebo refit, so that the stored trial effects and typical placebo values belong to the
    stored multipliers. ``rounds=1`` is the single pass (stage 1 then stage 2) of earlier
    calibrations, without the final refit.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1 (got {rounds})")
    cal = fit_calibration(
        diseases=diseases, n_per_arm=n_per_arm, seed=seed, progress=progress, base=base
    )
    for r in range(rounds):
        if progress is not None:
            progress(f"round {r + 1}/{rounds}: stage 2")
        cal = fit_pathway_multipliers(
            cal, n_per_arm=n_stage2, seed=seed, progress=progress, diseases=diseases
        )
        if rounds > 1:
            if progress is not None:
                progress(f"round {r + 1}/{rounds}: stage 1 at the new multipliers")
            cal = fit_calibration(
                diseases=diseases, n_per_arm=n_per_arm, seed=seed, progress=progress, base=cal
            )
    cal.meta.setdefault("fit", {})["rounds"] = rounds
    return cal


def _by_disease(diseases: list[str] | None) -> dict[str, dict[str, list[CalibrationRow]]]:
    out: dict[str, dict[str, list[CalibrationRow]]] = {}
    for name, rows in rows_by_trial(calibration_rows()).items():
        d = rows[0].disease
        if diseases and d not in diseases:
            continue
        out.setdefault(d, {})[name] = rows
    return out
