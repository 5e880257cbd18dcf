"""Fit the population-level placebo parameters to the calibration rows (``immunobalance calibrate``).

Model. Each trial ``t`` has a placebo/expectation level on the logit scale,
``logit(placebo_x) = logit(prior typical of placebo_x) + δ_t`` for x ∈ {subjective, objective},
with ``δ_t ~ N(δ̄_d, τ²)`` across the trials of disease ``d`` (a trial-level random effect: era,
rescue rules, expectation). Control arms identify ``δ_t``; active arms are then predicted from
it plus mechanism (agent pharmacology is never fitted).

Procedure (deterministic: fixed seed, common random numbers — every evaluation sees the same
virtual patients, visit noise and withdrawals):

1. for each trial, ``δ̂_t`` minimises Σ (predicted − published)² over its control-arm
   proportion rows (bounded Brent search on [−3, 3]); a trial whose control rows do not move
   with δ (event endpoints: ARR, T1D diagnosis) does not inform it;
2. ``δ̄_d`` = mean of the disease's ``δ̂_t``; ``τ`` = SD of ``δ̂_t − δ̄_d`` pooled over diseases
   (most diseases have one or two calibration trials);
3. empirical Bayes: ``δ_t = δ̄_d + (δ̂_t − δ̄_d)·τ²/(τ² + s_t²)``, with ``s_t`` the logit-scale
   standard error of a control arm of 200 patients, s_t² ≈ 1/(200·p̄(1 − p̄)).

Stored: typical placebo values at ``δ̄_d`` (the population mean used for unseen trials), ``τ``,
and each calibration trial's ``δ_t − δ̄_d`` (used only by ``trial validate``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize, special

import immunobalance
from immunobalance.model import get_disease_module
from immunobalance.population._calibration import (
    Calibration,
    DiseaseCalibration,
    calibration_path,
    latest_calibration_version,
)
from immunobalance.population._rows import CalibrationRow, calibration_rows, data_sha256, rows_by_trial
from immunobalance.population._validate import predict_rows

__all__ = ["ASSUMED_CONTROL_N", "fit_calibration", "write_calibration"]

ASSUMED_CONTROL_N = 200
_PLACEBO = ("placebo_subjective", "placebo_objective")


def _control_rows(rows: list[CalibrationRow]) -> list[CalibrationRow]:
    return [r for r in rows if r.comparator_arm is None and r.kind == "proportion"]


def _fit_trial(rows: list[CalibrationRow], base: Calibration, n: int, seed: int
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

    lo, hi = pred(-3.0), pred(3.0)
    if np.allclose(lo, hi):
        return None, float(np.mean(target)), evals
    res = optimize.minimize_scalar(lambda d: float(np.sum((pred(d) - target) ** 2)),
                                   bounds=(-3.0, 3.0), method="bounded",
                                   options={"xatol": 0.15, "maxiter": 10})
    return float(res.x), float(np.mean(target)), evals


def fit_calibration(
    *, diseases: list[str] | None = None, n_per_arm: int = 150, seed: int = 20261121,
    progress: Callable[[str], None] | None = None,
) -> Calibration:
    """Fit the placebo random-effect model of the module docstring; returns a new Calibration."""
    base = Calibration.uncalibrated()
    by_trial = rows_by_trial(calibration_rows())
    estimates: dict[str, dict[str, tuple[float, float]]] = {}
    constrains: dict[str, list[str]] = {}
    for name, rows in by_trial.items():
        d = rows[0].disease
        if diseases and d not in diseases:
            continue
        delta, pbar, evals = _fit_trial(rows, base, n_per_arm, seed)
        if progress is not None:
            progress(f"{name}: δ̂ = {delta if delta is None else round(delta, 3)} ({evals} runs)")
        if delta is not None:
            estimates.setdefault(d, {})[name] = (delta, pbar)
            constrains.setdefault(d, []).extend(
                f"{r.trial} / {r.arm} / {r.endpoint}@{r.week:g}" for r in _control_rows(rows))
    devs = [dl - np.mean([x[0] for x in est.values()])
            for est in estimates.values() for dl, _ in est.values()]
    tau = float(np.std(devs, ddof=1)) if len(devs) > 2 else 0.5
    out: dict[str, DiseaseCalibration] = {}
    meta_params: list[dict[str, Any]] = []
    for d, est in estimates.items():
        mean = float(np.mean([x[0] for x in est.values()]))
        module = get_disease_module(d)
        typical = {}
        for name in _PLACEBO:
            p0 = module.declaration.parameter(name).value if name in module.declaration.parameter_names \
                else next(p.value for p in module.all_parameters if p.name == name)
            typical[name] = float(special.expit(special.logit(p0) + mean))
        effects = {}
        for t, (dl, pbar) in est.items():
            pb = min(max(pbar, 0.02), 0.98)
            s2 = 1.0 / (ASSUMED_CONTROL_N * pb * (1 - pb))
            shrink = tau**2 / (tau**2 + s2) if tau > 0 else 0.0
            effects[t] = round((dl - mean) * shrink, 4)
        out[d] = DiseaseCalibration(typical={k: round(v, 5) for k, v in typical.items()},
                                    placebo_between_trial_sd=round(tau, 4), trial_effects=effects)
        for name in _PLACEBO:
            meta_params.append({"disease": d, "parameter": f"typical.{name}",
                                "value": out[d].typical[name], "rows": constrains[d]})
        meta_params.append({"disease": d, "parameter": "placebo_between_trial_sd (logit)",
                            "value": round(tau, 4), "rows": ["control arms of all calibration trials"]})
    version = (latest_calibration_version() or 0) + 1
    meta = {
        "date": dt.date.today().isoformat(),
        "software_version": immunobalance.__version__,
        "data": "population/data/calibration-trials.csv",
        "data_sha256": data_sha256(),
        "method": "trial-level placebo random effect on the logit scale, fitted to control arms "
                  "(bounded Brent per trial, common random numbers), empirical-Bayes shrinkage; "
                  "see immunobalance.population._fit",
        "fit": {"n_per_arm": n_per_arm, "seed": seed, "assumed_control_n": ASSUMED_CONTROL_N,
                "trial_estimates": {d: {t: round(v[0], 4) for t, v in e.items()}
                                    for d, e in estimates.items()}},
        "parameters": meta_params,
        "not_fitted": "pathway-weight multipliers and measurement noise stay at their declared "
                      "priors in this version; agent PK/potency are never fitted",
    }
    return Calibration(f"v{version}", out, meta)


def write_calibration(cal: Calibration, path: Path | None = None) -> Path:
    """Write ``cal`` as ``population/data/calibration-v<N>.json`` (or ``path``)."""
    target = path or calibration_path(cal.version)
    target.write_text(json.dumps(cal.to_json(), indent=2, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    return target
