"""Our integrator against scipy's Radau (rtol 1e-10) on random parameter draws, with doses."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from immunobalance.model import simulate
from immunobalance.model.solver import kernel_inputs
from immunobalance.regimen import parse_regimen


def _reference(module, ki, i, t_end_day, samples_day):  # type: ignore[no-untyped-def]
    """Integrate patient ``i`` with solve_ivp between discontinuities (doses, ADA onset).

    Tolerance of the comparison: ours runs at rtol 1e-6 (local); the global error after weeks
    of forcing is a few 1e-5.
    """
    m = module.compiled.module
    n_imm = ki.y0.shape[1]
    K = ki.pk.shape[1]
    y = np.concatenate([ki.y0[i], np.zeros(3 * K)])
    ada_on = np.zeros(K, dtype=np.bool_)
    stops = sorted(
        set(ki.doses.times_day) | {t for t in ki.ada_onset_day[i] if t < t_end_day} | {t_end_day}
    )
    out = np.full((samples_day.size, y.size), np.nan)
    t = 0.0
    d = 0

    def f(_t, yy):  # type: ignore[no-untyped-def]
        dy, _ = m.evaluate_rhs(
            yy,
            ki.p[i],
            ki.pk[i],
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
        return dy

    for stop in stops:
        while d < ki.doses.times_day.size and ki.doses.times_day[d] <= t + 1e-12:
            y[n_imm + 3 * ki.doses.agent_index[d] + ki.doses.compartment[d]] += ki.doses.amount[
                i, d
            ]
            d += 1
        for j in range(K):
            if ki.ada_onset_day[i, j] <= t + 1e-12:
                ada_on[j] = True
        if stop <= t:
            continue
        inside = (samples_day > t) & (samples_day <= stop)
        sol = solve_ivp(
            f,
            (t, stop),
            y,
            method="Radau",
            rtol=1e-10,
            atol=1e-13,
            t_eval=samples_day[inside] if inside.any() else None,
        )
        assert sol.success, sol.message
        if inside.any():
            out[inside] = sol.y.T
        if inside.any() and samples_day[inside][-1] < stop:
            sol = solve_ivp(
                f,
                (samples_day[inside][-1], stop),
                sol.y[:, -1],
                method="Radau",
                rtol=1e-10,
                atol=1e-13,
            )
        y = sol.y[:, -1].copy()
        t = stop
    return out


@pytest.mark.parametrize(
    "agents",
    [
        [
            {"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"},
            {"agent": "methotrexate", "dose": "15 mg", "route": "oral", "every": "1 week"},
        ],
        [
            {"agent": "ocrelizumab", "dose": "300 mg", "route": "iv", "at_weeks": [0, 2]},
            {"agent": "tofacitinib", "dose": "5 mg", "route": "oral", "every": "12 hours"},
        ],
    ],
)
def test_matches_radau_on_random_draws(ra, agents) -> None:  # type: ignore[no-untyped-def]
    reg = parse_regimen(agents)
    n, weeks = 3, 4.0
    params = ra.sample_parameters(n, seed=42)
    cov = {"weight_kg": np.array([55.0, 80.0, 110.0])}
    samples = np.array([0.5, 1.3, 2.2, 2.9, 3.4, 4.0])
    res = simulate(ra, params, reg, weeks, sample_weeks=samples, seed=9, covariates=cov)
    ki = kernel_inputs(ra, params, reg, weeks, seed=9, patient_index=np.arange(n), covariates=cov)
    names = ra.compiled.declaration.state_names
    for i in range(n):
        ref = _reference(ra, ki, i, weeks * 7, samples * 7)
        for k, s in enumerate(names):
            np.testing.assert_allclose(
                res.states[s][i], ref[:, k], rtol=5e-5, atol=1e-8, err_msg=f"patient {i} state {s}"
            )
        for j, a in enumerate(ki.doses.agents):
            c_ref = ref[:, len(names) + 3 * j + 1] / ki.pk[i, j, 2]
            np.testing.assert_allclose(res.concentrations[a][i], c_ref, rtol=5e-5, atol=1e-9)
