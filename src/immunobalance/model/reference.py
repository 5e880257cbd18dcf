"""A reference solver: ``scipy.integrate.solve_ivp``, one patient at a time, on the kernel's RHS.

The vectorised kernel (:func:`immunobalance.model.simulate`) integrates every patient at once
with its own adaptive stepper. To check it — and to time the approach it replaces — the same
right-hand side (``module.compiled.module.evaluate_rhs``) is integrated here by a general-purpose
solver, patient by patient, restarting at every discontinuity the kernel handles: each dose
(a bolus added to its PK compartment) and each anti-drug-antibody onset (the agent's clearance
switches). Between discontinuities the system is smooth, so ``solve_ivp`` with tight tolerances
(Radau, rtol 1e-10) is an independent reference for the kernel's output.

Example::

    from immunobalance.model import get_disease_module
    from immunobalance.model.reference import solve_reference
    ref = solve_reference(module, params, regimen, 24, sample_weeks=[4, 12, 24], seed=1)
    ref.states["I"]            # (patients, samples)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp

from immunobalance.errors import ImmunobalanceError
from immunobalance.model.diseases.base import DiseaseModule
from immunobalance.model.pharmacology import EFFECT_SITE_STATE, PK_COLUMN, PK_STATES
from immunobalance.model.result import ParameterSet
from immunobalance.model.solver import KernelInputs, kernel_inputs
from immunobalance.regimen import RegimenItem

__all__ = [
    "ReferenceSolution",
    "rhs_arguments",
    "solve_patient",
    "solve_reference",
]


@dataclass(frozen=True)
class ReferenceSolution:
    """Reference trajectories at the sample times.

    Attributes
    ----------
    sample_weeks
        The sample times (weeks).
    states
        Immune state → array (patients, samples).
    concentrations
        Agent → central-compartment concentration (central amount / central volume),
        array (patients, samples), the same definition as ``SimulationResult.concentrations``.
    effect_site
        Agent → effect-site concentration (agents with an effect compartment only), as
        ``SimulationResult.effect_site``.
    """

    sample_weeks: NDArray[np.float64]
    states: dict[str, NDArray[np.float64]]
    concentrations: dict[str, NDArray[np.float64]]
    effect_site: dict[str, NDArray[np.float64]]


def rhs_arguments(ki: Any, patient: int, ada_on: NDArray[np.bool_]) -> tuple[Any, ...]:
    """The compiled right-hand side's arguments after the state vector, for one patient.

    One place for the kernel's long parameter list, so the reference solver and the tests that
    evaluate the generated right-hand side cannot drift from each other.
    """
    return (
        ki.p[patient],
        ki.pk[patient],
        ada_on,
        ki.target_proc,
        ki.load_idx,
        ki.act_agent,
        ki.act_proc,
        ki.act_effect,
        ki.act_ec50,
        ki.act_emax,
        ki.act_hill,
    )


def solve_patient(
    module: DiseaseModule,
    ki: KernelInputs,
    patient: int,
    t_end_day: float,
    samples_day: ArrayLike,
    *,
    method: str = "Radau",
    rtol: float = 1e-10,
    atol: float = 1e-13,
) -> NDArray[np.float64]:
    """Integrate one patient of ``ki`` with ``solve_ivp`` between discontinuities.

    The full state vector is the immune states followed by the drug states of each agent
    (depot, central, peripheral amounts and effect-site concentration: ``n_imm + 4·K``).
    Doses at time t are added before integrating from t; ADA onset at t switches the agent's
    ADA flag from t on (as in the kernel).

    Returns
    -------
    ndarray
        (samples, n_imm + 4·K): the state at each sample time in ``(0, t_end_day]``; samples
        outside that interval are NaN.

    Raises
    ------
    ImmunobalanceError
        If ``solve_ivp`` fails on a segment (its message, the patient and the segment).
    """
    rhs = module.compiled.module.evaluate_rhs
    samples = np.asarray(samples_day, dtype=float)
    n_imm = ki.y0.shape[1]
    k = ki.pk.shape[1]
    y = np.concatenate([ki.y0[patient], np.zeros(PK_STATES * k)])
    ada_on = np.zeros(k, dtype=np.bool_)
    onsets = {float(t) for t in ki.ada_onset_day[patient] if t < t_end_day}
    doses = {float(t) for t in ki.doses.times_day if t < t_end_day}
    stops = sorted(doses | onsets | {t_end_day})
    out = np.full((samples.size, y.size), np.nan)
    t = 0.0
    d = 0

    def f(_t: float, yy: NDArray[np.float64]) -> NDArray[np.float64]:
        dy, _ = rhs(yy, *rhs_arguments(ki, patient, ada_on))
        return np.asarray(dy)

    def segment(
        a: float, b: float, y_a: NDArray[np.float64], t_eval: NDArray[np.float64] | None
    ) -> Any:
        sol = solve_ivp(f, (a, b), y_a, method=method, rtol=rtol, atol=atol, t_eval=t_eval)
        if not sol.success:
            raise ImmunobalanceError(
                f"reference solver failed for patient {patient} on day {a:g}–{b:g}: {sol.message}"
            )
        return sol

    for stop in stops:
        while d < ki.doses.times_day.size and ki.doses.times_day[d] <= t + 1e-12:
            cell = n_imm + PK_STATES * ki.doses.agent_index[d] + ki.doses.compartment[d]
            y[cell] += ki.doses.amount[patient, d]
            d += 1
        ada_on |= ki.ada_onset_day[patient] <= t + 1e-12
        if stop <= t:
            continue
        inside = (samples > t) & (samples <= stop)
        sol = segment(t, stop, y, samples[inside] if inside.any() else None)
        if inside.any():
            out[inside] = sol.y.T
            if samples[inside][-1] < stop:
                sol = segment(float(samples[inside][-1]), stop, sol.y[:, -1], None)
        y = sol.y[:, -1].copy()
        t = stop
    return out


def solve_reference(
    module: DiseaseModule,
    params: ParameterSet,
    regimen: Sequence[RegimenItem],
    weeks: float,
    *,
    sample_weeks: ArrayLike,
    seed: int,
    patient_index: NDArray[np.int64] | None = None,
    covariates: Mapping[str, NDArray[np.float64]] | None = None,
    method: str = "Radau",
    rtol: float = 1e-10,
    atol: float = 1e-13,
) -> ReferenceSolution:
    """Simulate every patient with :func:`solve_patient` on the kernel's own inputs.

    Takes the arguments of :func:`~immunobalance.model.simulate` (the same ``seed`` and
    ``patient_index`` give the same PK variability, doses and ADA onsets) plus the
    ``solve_ivp`` method and tolerances. One patient at a time: meant for checks and for timing
    the per-patient approach, not for cohorts.
    """
    n = params.n
    idx = np.arange(n, dtype=np.int64) if patient_index is None else patient_index
    ki = kernel_inputs(
        module, params, regimen, weeks, seed=seed, patient_index=idx, covariates=covariates
    )
    samples_w = np.asarray(sample_weeks, dtype=float)
    full = np.stack(
        [
            solve_patient(
                module, ki, i, weeks * 7.0, samples_w * 7.0, method=method, rtol=rtol, atol=atol
            )
            for i in range(n)
        ]
    )
    names = module.compiled.declaration.state_names
    n_imm = len(names)
    states = {s: full[:, :, j] for j, s in enumerate(names)}
    conc = {
        a: full[:, :, n_imm + PK_STATES * j + 1] / ki.pk[:, j, PK_COLUMN["V1"]][:, None]
        for j, a in enumerate(ki.doses.agents)
    }
    effect_site = {
        a: full[:, :, n_imm + PK_STATES * j + EFFECT_SITE_STATE]
        for a, j in ki.effect_site_agents().items()
    }
    return ReferenceSolution(samples_w, states, conc, effect_site)
