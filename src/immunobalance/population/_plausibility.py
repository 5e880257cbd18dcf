"""Plausibility: keep virtual patients whose untreated state is a *stable* sick equilibrium.

The core network is normalised so that the untreated baseline (every immune state = 1) is an
exact equilibrium for every parameter draw (``docs/model.md``). It is only a plausible patient
if that equilibrium is locally asymptotically stable: a patient whose baseline is unstable
would drift, untreated, to another state (remission or runaway) — not the chronic disease the
trial enrols. Stability is decided from the eigenvalues of the Jacobian of the immune
subsystem at the baseline (Lyapunov's indirect method; Strogatz SH, *Nonlinear Dynamics and
Chaos*, 2nd ed., §6.3), computed by central finite differences of the generated model
right-hand side. Pure integrators (damage, cumulative hazards: states that feed back on
nothing) are excluded, their zero eigenvalue being structural.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from immunobalance.model.diseases.base import DiseaseModule
from immunobalance.model.pharmacology import PROCESSES
from immunobalance.model.result import ParameterSet

__all__ = ["PLAUSIBILITY_STATUS", "stability_margin"]

#: Per-patient status of the population layer (0 = accepted), with what to do about it.
PLAUSIBILITY_STATUS = {
    0: "ok",
    1: "unstable baseline: the untreated equilibrium is not stable (patient rejected; a "
    "different draw is used)",
    2: "non-finite right-hand side at baseline: parameter draw outside the model's domain",
    3: "no candidate accepted on baseline characteristics within the candidate budget: the "
    "closest candidate was used (widen the priors or the population's baseline spread)",
}


def _parameter_matrix(
    module: DiseaseModule, params: ParameterSet, covariates: Mapping[str, NDArray[np.float64]]
) -> NDArray[np.float64]:
    decl = module.compiled.declaration
    cols = []
    for name in decl.parameter_names:
        if name in ("age_years", "weight_kg"):
            cols.append(
                np.asarray(
                    covariates.get(name, np.full(params.n, 50.0 if name == "age_years" else 70.0)),
                    dtype=float,
                )
            )
        else:
            cols.append(params[name])
    return np.ascontiguousarray(np.stack(cols, axis=1))


def stability_margin(
    module: DiseaseModule,
    params: ParameterSet,
    covariates: Mapping[str, NDArray[np.float64]],
    *,
    rel_step: float = 1e-6,
) -> NDArray[np.float64]:
    """Largest real part of the Jacobian eigenvalues at the untreated baseline, per patient (1/day).

    Negative = stable sick equilibrium; NaN = non-finite right-hand side.
    """
    from immunobalance.model.solver import _eval_numpy

    cm = module.compiled
    decl = cm.declaration
    n = params.n
    p = _parameter_matrix(module, params, covariates)
    values = {name: p[:, k] for k, name in enumerate(decl.parameter_names)}
    ns = len(decl.states)
    y0 = np.stack([_eval_numpy(s.initial, values, n) for s in decl.states], axis=1)
    nproc = len(PROCESSES)
    inh, dep = np.zeros(nproc), np.zeros(nproc)
    act, inf = np.zeros(nproc), np.zeros(nproc)
    alg = np.zeros(max(len(decl.assignments), 1))
    dy_p, dy_m = np.zeros(ns), np.zeros(ns)
    evaluate = cm.module.model_eval
    out = np.empty(n)
    cst = np.zeros(max(int(cm.module.N_CONST), 1))
    for i in range(n):
        jac = np.empty((ns, ns))
        cm.module.model_constants(p[i], cst)
        for k in range(ns):
            h = rel_step * max(abs(y0[i, k]), 1.0)
            yp = y0[i].copy()
            ym = y0[i].copy()
            yp[k] += h
            ym[k] -= h
            evaluate(yp, p[i], cst, inh, dep, act, inf, alg, dy_p)
            evaluate(ym, p[i], cst, inh, dep, act, inf, alg, dy_m)
            jac[:, k] = (dy_p - dy_m) / (2 * h)
        if not np.all(np.isfinite(jac)):
            out[i] = np.nan
            continue
        # integrators: states that influence no derivative (damage, cumulative hazards)
        keep = np.flatnonzero(np.any(np.abs(jac) > 1e-14, axis=0))
        sub = jac[np.ix_(keep, keep)]
        out[i] = float(np.max(np.linalg.eigvals(sub).real)) if keep.size else -np.inf
    return out
