"""Dense output, determinism and the rewritten right-hand side of the generated kernel.

The integrator no longer stops at visits: a visit inside a step is read from the step's
continuous extension (states) and the exact PK propagator (drug amounts). These tests check it
against an independent reference (scipy Radau at rtol 1e-10, integrated between
discontinuities) at visits placed anywhere — mid-step, just before a dose, at a dose — and check
the properties that dense output must have: adding visits changes no other number, and the
numbers do not depend on threads or chunking.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from immunobalance.knowledge import load_knowledge_base
from immunobalance.model import DISEASE_MODULES, get_disease_module, simulate
from immunobalance.model._formula import Formula
from immunobalance.model.pharmacology import EFFECT_PREFIX, PK_STATES, PROCESSES
from immunobalance.model.reference import rhs_arguments, solve_reference
from immunobalance.model.solver import kernel_inputs
from immunobalance.regimen import RegimenItem, parse_regimen

ADALIMUMAB = [{"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"}]


def test_visits_anywhere_match_radau(ra, ada_mtx) -> None:  # type: ignore[no-untyped-def]
    """Visits mid-step, a minute before a dose, at a dose (pre-dose) and at the end."""
    n, weeks = 3, 6.0
    params = ra.sample_parameters(n, seed=7)
    cov = {"weight_kg": np.array([50.0, 75.0, 120.0])}
    minute = 1.0 / (7 * 24 * 60)
    samples = np.array([0.1, 0.77, 1.0, 2.0 - minute, 2.0, 2.0 + minute, 3.141, 4.5, 5.9, 6.0])
    res = simulate(ra, params, ada_mtx, weeks, sample_weeks=samples, seed=3, covariates=cov)
    ref = solve_reference(ra, params, ada_mtx, weeks, sample_weeks=samples, seed=3, covariates=cov)
    for i in range(n):
        for s in ra.compiled.declaration.state_names:
            np.testing.assert_allclose(
                res.states[s][i], ref.states[s][i], rtol=5e-5, atol=1e-8, err_msg=f"{i} {s}"
            )
        for a, c_ref in ref.concentrations.items():
            # drug amounts come from the exact propagator, not the interpolant
            np.testing.assert_allclose(res.concentrations[a][i], c_ref[i], rtol=1e-8, atol=1e-12)


def test_a_visit_at_a_dose_is_the_pre_dose_trough(ra) -> None:  # type: ignore[no-untyped-def]
    reg = parse_regimen(ADALIMUMAB)
    params = ra.sample_parameters(2, seed=1)
    res = simulate(ra, params, reg, 4.0, sample_weeks=[0.0, 2.0, 2.0 + 1e-6], seed=1)
    c = res.concentrations["adalimumab"]
    assert np.all(c[:, 0] == 0.0)  # the week-0 visit precedes the first dose
    assert np.all(c[:, 2] > c[:, 1])  # the week-2 dose comes after the week-2 visit


def test_extra_visits_change_no_other_number(ra, ada_mtx) -> None:  # type: ignore[no-untyped-def]
    """The step sequence does not depend on the visits, so neither do the values."""
    params = ra.sample_parameters(4, seed=11)
    weekly = simulate(ra, params, ada_mtx, 8.0, seed=5)
    extra = np.sort(np.concatenate([weekly.times_week, [0.3, 2.5, 4.01, 7.99]]))
    dense = simulate(ra, params, ada_mtx, 8.0, sample_weeks=extra, seed=5)
    at = np.searchsorted(extra, weekly.times_week)
    assert weekly.n_steps is not None and dense.n_steps is not None
    np.testing.assert_array_equal(weekly.n_steps, dense.n_steps)
    for s, v in weekly.states.items():
        np.testing.assert_array_equal(v, dense.states[s][:, at], err_msg=s)
    for s, v in weekly.cytokines.items():
        np.testing.assert_array_equal(v, dense.cytokines[s][:, at], err_msg=s)


def test_numbers_do_not_depend_on_threads_or_chunks(ra) -> None:  # type: ignore[no-untyped-def]
    reg = parse_regimen(ADALIMUMAB)
    n = 24
    params = ra.sample_parameters(n, seed=4)
    cov = {"weight_kg": np.linspace(45.0, 130.0, n)}
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate(ra, params, reg, 10.0, seed=8, covariates=cov)
    finally:
        numba.set_num_threads(threads)
    many = simulate(ra, params, reg, 10.0, seed=8, covariates=cov)
    part = slice(5, 17)
    chunk = simulate(
        ra,
        params.subset(part),
        reg,
        10.0,
        seed=8,
        patient_index=np.arange(n)[part],
        covariates={"weight_kg": cov["weight_kg"][part]},
    )
    for s in one.states:
        np.testing.assert_array_equal(one.states[s], many.states[s], err_msg=s)
        np.testing.assert_array_equal(one.states[s][part], chunk.states[s], err_msg=s)
    np.testing.assert_array_equal(
        one.concentrations["adalimumab"], many.concentrations["adalimumab"]
    )


def _plain_rhs(decl, ki, i, y, ada_on):  # type: ignore[no-untyped-def]
    """The model equations evaluated straight from the formula strings with :mod:`math`."""
    n_imm = len(decl.states)
    env: dict[str, object] = {
        "math": math,
        "min": min,
        "max": max,
        "_pow": pow,
        "_hill": lambda x, k, m: x**m / (k**m + x**m) if x > 0 else 0.0,
    }
    env.update({s: float(y[k]) for k, s in enumerate(decl.state_names)})
    env.update({p: float(ki.p[i, k]) for k, p in enumerate(decl.parameter_names)})
    effect: dict[str, list[float]] = {arr: [0.0] * len(PROCESSES) for arr in EFFECT_PREFIX.values()}
    survive = [1.0] * len(PROCESSES)
    for a in range(ki.act_agent.size):
        j, q = int(ki.act_agent[a]), int(ki.act_proc[a])
        b = n_imm + PK_STATES * j
        # an agent with an effect compartment (ke0 > 0) acts through it
        c = max(y[b + 3] if ki.pk[i, j, 8] > 0 else y[b + 1] / ki.pk[i, j, 2], 0.0)
        if ki.act_effect[a] == 3:
            effect["inf"][q] += ki.act_emax[a] * c / ki.act_ec50[a]
            continue
        x = (c / ki.act_ec50[a]) ** ki.act_hill[a]
        e = ki.act_emax[a] * x / (1.0 + x)
        if ki.act_effect[a] == 0:
            survive[q] *= 1.0 - e
        else:
            effect["dep" if ki.act_effect[a] == 1 else "act"][q] += e
    effect["inh"] = [1.0 - s for s in survive]
    for q, proc in enumerate(PROCESSES):
        for prefix, arr in EFFECT_PREFIX.items():
            env[f"{prefix}_{proc}"] = effect[arr][q]
    alg = []
    for a in decl.assignments:
        env[a.name] = float(eval(Formula(a.formula).render("python"), {"__builtins__": {}}, env))
        alg.append(env[a.name])
    dy = np.zeros(n_imm)
    for r in decl.rates:
        dy[decl.state_names.index(r.state)] = eval(
            Formula(r.formula).render("python"), {"__builtins__": {}}, env
        )
    return dy, np.array(alg)


def _disease_regimen(disease: str) -> list[RegimenItem]:
    """Label regimens of up to four agents the knowledge base offers for ``disease``."""
    kb = load_knowledge_base()
    items: list[dict[str, object]] = []
    offered = sorted(
        a.key
        for a in kb.agents.values()
        if a.offered_as_treatment and any(ap.disease == disease for ap in a.approvals)
    )
    for key in offered[:4]:
        dosings = [d for d in kb.agent(key).dosing if d.disease == disease]
        if dosings:
            dosing = next((d for d in dosings if d.standard), dosings[0])
            items += [{"agent": key, **item} for item in dosing.regimen]
    return parse_regimen(items or ADALIMUMAB)


@pytest.mark.parametrize("key", list(DISEASE_MODULES))
def test_kernel_rhs_equals_the_plain_formulas(key: str) -> None:
    """The code generator's rewrites (power products, Hill) leave every value unchanged."""
    module = get_disease_module(key)
    decl = module.compiled.declaration
    reg = _disease_regimen(key)
    n = 3
    params = module.sample_parameters(n, seed=2)
    ki = kernel_inputs(module, params, reg, 4.0, seed=2, patient_index=np.arange(n))
    K = ki.pk.shape[1]
    rng = np.random.default_rng(0)
    m = module.compiled.module
    for i in range(n):
        for trial in range(4):
            immune = ki.y0[i] * rng.uniform(0.3, 1.7, ki.y0.shape[1])
            y = np.concatenate([immune, rng.uniform(0, 40, PK_STATES * K)])
            if trial == 0:
                y[: ki.y0.shape[1]] = ki.y0[i]
            ada_on = np.zeros(K, dtype=np.bool_)
            dy, alg = m.evaluate_rhs(y, *rhs_arguments(ki, i, ada_on))
            dy_ref, alg_ref = _plain_rhs(decl, ki, i, y, ada_on)
            n_imm = len(decl.states)
            np.testing.assert_allclose(alg[: alg_ref.size], alg_ref, rtol=1e-11, atol=1e-14)
            np.testing.assert_allclose(dy[:n_imm], dy_ref, rtol=1e-11, atol=1e-14)
