"""PK alone against analytic solutions (superposition of one-compartment Bateman functions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from immunobalance.model import SolverOptions, simulate
from immunobalance.model.pharmacology import linear_pk_propagators
from immunobalance.regimen import parse_regimen


def _bateman(
    t: np.ndarray, dose: float, f: float, ka: float, cl: float, v: float, times: np.ndarray
) -> np.ndarray:
    k = cl / v
    c = np.zeros_like(t)
    for td in times:
        tau = np.clip(t - td, 0.0, None)
        on = t > td
        c += on * f * dose * ka / (v * (ka - k)) * (np.exp(-k * tau) - np.exp(-ka * tau))
    return c


def test_sc_multiple_dosing_matches_bateman_superposition(ra) -> None:  # type: ignore[no-untyped-def]
    reg = parse_regimen(
        [{"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"}]
    )
    params = ra.typical_parameters(1)
    weeks = np.linspace(0, 12, 97)
    res = simulate(
        ra, params, reg, 12, sample_weeks=weeks, seed=3, covariates={"weight_kg": np.array([70.0])}
    )
    from immunobalance.model.solver import kernel_inputs

    ki = kernel_inputs(
        ra,
        params,
        reg,
        12,
        seed=3,
        patient_index=np.array([0]),
        covariates={"weight_kg": np.array([70.0])},
    )
    ka, cl, v1 = ki.pk[0, 0, 0], ki.pk[0, 0, 1], ki.pk[0, 0, 2]
    ph = ra.pharmacology("adalimumab")
    assert ka == pytest.approx(ph.ka)
    times = np.arange(0, 12 * 7 + 1e-9, 14.0)
    expected = _bateman(weeks * 7, 40.0, ph.bioavailability["sc"], ka, cl, v1, times)
    got = res.concentrations["adalimumab"][0]
    # samples at dose times are pre-dose (troughs), as the Bateman sum with t > td
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    # sanity: steady-state trough of the label (≈ 5 µg/mL for 40 mg q2w without MTX) order
    assert 1.0 < got[-1] < 15.0


def test_ada_multiplies_clearance_by_the_label_factor(ra) -> None:  # type: ignore[no-untyped-def]
    """One SC dose (one compartment): the terminal log-slope is −CL/V before ADA onset and
    −factor·CL/V after it (absorption is over after three weeks: e^{-0.28·21} < 0.3 %)."""
    reg = parse_regimen([{"agent": "adalimumab", "dose": "40 mg", "route": "sc", "at_weeks": [0]}])
    n = 600
    params = ra.typical_parameters(n)
    weeks = np.arange(0, 30.01, 0.5)
    res = simulate(ra, params, reg, 30, sample_weeks=weeks, seed=5)
    onset = res.ada_onset_week["adalimumab"]
    frac = res.ada["adalimumab"].mean()
    assert 0.02 < frac < 0.09  # label: 5 % without methotrexate (onset may fall after week 30)
    ok = np.nonzero((onset > 6) & (onset < 20))[0]
    assert ok.size > 0
    factor = ra.pharmacology("adalimumab").ada_factor
    for i in ok[:5]:
        logc = np.log(np.maximum(res.concentrations["adalimumab"][i], 1e-300))
        before = (weeks >= 3.5) & (weeks <= onset[i] - 0.5)
        after = weeks >= onset[i] + 0.5
        k_before = -np.polyfit(weeks[before], logc[before], 1)[0]
        k_after = -np.polyfit(weeks[after], logc[after], 1)[0]
        assert k_after / k_before == pytest.approx(factor, rel=0.02)


def test_methotrexate_lowers_ada_incidence(ra, ada_mtx) -> None:  # type: ignore[no-untyped-def]
    alone = parse_regimen(
        [{"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"}]
    )
    params = ra.typical_parameters(3000)
    a = simulate(ra, params, alone, 52, sample_weeks=[0, 52], seed=8)
    b = simulate(ra, params, ada_mtx, 52, sample_weeks=[0, 52], seed=8)
    ph = ra.pharmacology("adalimumab")
    assert b.ada["adalimumab"].mean() < a.ada["adalimumab"].mean()
    assert a.ada["adalimumab"].mean() == pytest.approx(ph.ada_rate, abs=0.02)


def test_propagator_equals_matrix_exponential() -> None:
    """Two-compartment without effect site, one compartment with one (ke0 = 0.2/day), and one
    whose ke0 equals CL/V1 exactly (a defective matrix the propagator must step around)."""
    from scipy.linalg import expm

    pk = np.array(
        [
            [
                [0.3, 0.25, 3.0, 0.5, 2.5, 0.0, 1.0, 4.0, 0.0],
                [24.0, 150.0, 42.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.2],
                [24.0, 150.0, 42.0, 0.0, 1.0, 0.0, 1.0, 1.0, 150.0 / 42.0],
            ]
        ]
    )
    lam, vm, vi = linear_pk_propagators(pk)
    for j in range(3):
        for a in range(2):
            ka, cl, v1, q, v2, adaf, ke0 = (
                pk[0, j, 0],
                pk[0, j, 1],
                pk[0, j, 2],
                pk[0, j, 3],
                pk[0, j, 4],
                pk[0, j, 7],
                pk[0, j, 8],
            )
            cl = cl * (adaf if a else 1.0)
            m = np.array(
                [
                    [-ka, 0, 0, 0],
                    [ka, -(cl + q) / v1, q / v2, 0],
                    [0, q / v1, -q / v2, 0],
                    [0, ke0 / v1, 0, -ke0],
                ]
            )
            tau = 1.7
            e = vm[0, j, a] @ np.diag(np.exp(lam[0, j, a] * tau)) @ vi[0, j, a]
            np.testing.assert_allclose(e, expm(m * tau), rtol=1e-6, atol=1e-9)
    assert math.isfinite(float(lam.sum()))


def test_solver_options_are_respected(ra) -> None:  # type: ignore[no-untyped-def]
    reg = parse_regimen(
        [{"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"}]
    )
    params = ra.sample_parameters(4, seed=2)
    loose = simulate(ra, params, reg, 8, seed=1, solver=SolverOptions(rtol=1e-3, atol=1e-6))
    tight = simulate(ra, params, reg, 8, seed=1, solver=SolverOptions(rtol=1e-8, atol=1e-11))
    assert loose.n_steps is not None and tight.n_steps is not None
    assert np.all(loose.n_steps < tight.n_steps)
    np.testing.assert_allclose(loose.states["I"], tight.states["I"], rtol=1e-2)


def test_in_vitro_potency_is_compared_with_unbound_drug() -> None:
    """EC50 (total plasma) = IC50 (unbound, in vitro) / fu; removing fu restores the raw value."""
    from immunobalance.knowledge.loader import load_knowledge_base
    from immunobalance.model.pharmacology import agent_pharmacology

    agent = load_knowledge_base().agent("leflunomide")
    assert agent.actions[0].potency_kind == "biochemical_ic50"
    assert agent.pk.fraction_unbound is not None
    fu = agent.pk.fraction_unbound.value
    bound = agent_pharmacology(agent, 0.157).actions[0].ec50
    unbound_pk = agent.pk.model_copy(update={"fraction_unbound": None})
    raw = agent_pharmacology(agent.model_copy(update={"pk": unbound_pk}), 0.157)
    assert bound == pytest.approx(raw.actions[0].ec50 / fu, rel=1e-12)
    # 1 µM teriflunomide (Davis 1996) in leflunomide-equivalent mg/L: 1e-6 mol/L × 270.21 g/mol
    assert raw.actions[0].ec50 == pytest.approx(1e-3 * 270.21, rel=1e-3)
    assert any("fraction_unbound" in n for n in raw.notes)


def test_an_in_vivo_potency_is_not_corrected_for_binding() -> None:
    """MPA's potency is an exposure–biomarker EC50 of *total* plasma MPA (IMPDH activity in
    patients' PBMCs), so the unbound fraction must not touch it: 3.23 mg/L MPA = 10.08 µM,
    in MMF-equivalent mass 10.08 µM × 433.49 g/mol."""
    from immunobalance.knowledge.loader import load_knowledge_base
    from immunobalance.model.pharmacology import agent_pharmacology

    agent = load_knowledge_base().agent("mycophenolate_mofetil")
    assert agent.actions[0].potency_kind == "in_vivo_ec50"
    assert agent.pk.fraction_unbound is not None and agent.pk.fraction_unbound.value < 0.1
    ec50 = agent_pharmacology(agent, 0.157).actions[0].ec50
    assert ec50 == pytest.approx(3.23 / 320.34 * 433.49, rel=2e-3)


def test_teriflunomide_steady_state_sits_near_its_unbound_potency(ra) -> None:  # type: ignore[no-untyped-def]
    """Leflunomide 20 mg/day: total plasma teriflunomide at steady state is of the order of its
    unbound-corrected DHODH IC50 (a partial block), not ~150× above it as total-vs-IC50 gave."""
    reg = parse_regimen(
        [{"agent": "leflunomide", "dose": "20 mg", "route": "oral", "every": "1 day"}]
    )
    params = ra.typical_parameters(1)
    res = simulate(
        ra,
        params,
        reg,
        24,
        sample_weeks=np.array([24.0]),
        seed=1,
        covariates={"weight_kg": np.array([70.0])},
    )
    ec50 = ra.pharmacology("leflunomide").actions[0].ec50
    ratio = float(res.concentrations["leflunomide"][0, -1]) / ec50
    assert 0.1 < ratio < 10.0, ratio


def _effect_site(
    t: np.ndarray, amount: np.ndarray, ka: float, k: float, ke0: float, v: float, times: np.ndarray
) -> np.ndarray:
    """Effect-site concentration of a one-compartment oral drug (superposed single doses):
    the convolution of the Bateman function with ke0·exp(−ke0 t), written out."""
    ce = np.zeros_like(t)
    for td, a in zip(times, amount, strict=True):
        tau = np.clip(t - td, 0.0, None)
        on = t > td
        scale = a * ka * ke0 / (v * (ka - k))
        ce += (
            on
            * scale
            * (
                (np.exp(-k * tau) - np.exp(-ke0 * tau)) / (ke0 - k)
                - (np.exp(-ka * tau) - np.exp(-ke0 * tau)) / (ke0 - ka)
            )
        )
    return ce


def test_methotrexate_acts_through_an_effect_site_that_matches_the_analytic_solution(
    ra,  # type: ignore[no-untyped-def]
) -> None:
    """Methotrexate's actions follow its polyglutamate effect site, dCe/dt = ke0 (C − Ce): the
    kernel's Ce equals the closed-form convolution, rises over weeks (half-way near the
    recorded 5-week half-life) and settles on the weekly average plasma concentration."""
    reg = parse_regimen(
        [{"agent": "methotrexate", "dose": "15 mg", "route": "oral", "every": "1 week"}]
    )
    params = ra.typical_parameters(2)
    weeks = np.linspace(0, 40, 281)
    res = simulate(ra, params, reg, 40, sample_weeks=weeks, seed=4)
    from immunobalance.model.solver import kernel_inputs

    ki = kernel_inputs(ra, params, reg, 40, seed=4, patient_index=np.arange(2))
    ph = ra.pharmacology("methotrexate")
    assert ph.ke0 == pytest.approx(math.log(2) / 35.0)
    assert set(res.effect_site) == {"methotrexate"}
    for i in range(2):
        ka, cl, v1, ke0 = ki.pk[i, 0, 0], ki.pk[i, 0, 1], ki.pk[i, 0, 2], ki.pk[i, 0, 8]
        expected = _effect_site(
            weeks * 7, ki.doses.amount[i], ka, cl / v1, ke0, v1, ki.doses.times_day
        )
        np.testing.assert_allclose(res.effect_site["methotrexate"][i], expected, rtol=1e-6)
        weekly_average = float(ki.doses.amount[i, 0]) / (cl * 7.0)
        last_week = res.effect_site["methotrexate"][i, -7:].mean()  # 7 samples a day apart
        assert last_week == pytest.approx(weekly_average, rel=0.01)
        at_5_weeks = res.effect_site["methotrexate"][i, np.searchsorted(weeks, 5.0)]
        assert 0.4 < at_5_weeks / weekly_average < 0.6
    # the plasma concentration, by contrast, is back near zero before each dose
    assert res.concentrations["methotrexate"][0, -1] < 1e-3 * weekly_average


def _tocilizumab_iv(ra, mg_per_kg: float, weeks: float):  # type: ignore[no-untyped-def]
    """Engine concentrations (weekly samples, pre-dose at dose times) and the pk row used."""
    from immunobalance.model.solver import kernel_inputs

    reg = parse_regimen(
        [{"agent": "tocilizumab", "dose": f"{mg_per_kg} mg/kg", "route": "iv", "every": "4 weeks"}]
    )
    params = ra.typical_parameters(1)
    cov = {"weight_kg": np.array([70.0])}
    sample = np.arange(0.0, weeks + 1e-9, 1.0)
    res = simulate(
        ra,
        params,
        reg,
        weeks,
        sample_weeks=sample,
        seed=3,
        covariates=cov,
        solver=SolverOptions(rtol=1e-9, atol=1e-12),
    )
    ki = kernel_inputs(ra, params, reg, weeks, seed=3, patient_index=np.array([0]), covariates=cov)
    return sample, res.concentrations["tocilizumab"][0], ki.pk[0, 0]


def test_receptor_mediated_elimination_matches_a_reference_solver(ra) -> None:  # type: ignore[no-untyped-def]
    """Tocilizumab's pop-PK (Frey 2010): two compartments with linear clearance and a parallel
    Michaelis–Menten (IL-6R) pathway. The engine's concentrations must equal scipy's
    ``solve_ivp`` on the same equations, restarted at each 8 mg/kg bolus."""
    from scipy.integrate import solve_ivp

    from immunobalance.model.pharmacology import PK_COLUMN

    weeks, conc, row = _tocilizumab_iv(ra, 8, 12)
    cl, v1, q, v2 = (row[PK_COLUMN[k]] for k in ("CL", "V1", "Q", "V2"))
    vmax, km = row[PK_COLUMN["vmax"]], row[PK_COLUMN["km"]]
    assert (vmax, km) == (7.5, 2.7)

    def rhs(_t: float, y: np.ndarray) -> list[float]:
        c1 = y[0] / v1
        mm = vmax * c1 / (km + c1)
        flow = q * (c1 - y[1] / v2)
        return [-cl * c1 - mm - flow, flow]

    expected = np.zeros_like(weeks)
    y = np.zeros(2)
    days = weeks * 7.0
    for start in (0.0, 28.0, 56.0):
        y = y + np.array([8.0 * 70.0, 0.0])
        stop = start + 28.0
        inside = (days > start) & (days <= stop)
        sol = solve_ivp(rhs, (start, stop), y, rtol=1e-11, atol=1e-12, dense_output=True)
        expected[inside] = sol.sol(days[inside])[0] / v1
        y = sol.y[:, -1]
    np.testing.assert_allclose(conc[1:], expected[1:], rtol=1e-5, atol=1e-6)


def test_tocilizumab_exposure_rises_more_than_dose_proportionally(ra) -> None:  # type: ignore[no-untyped-def]
    """Actemra USPI §12.3 (Frey 2010 pop-PK): from 4 to 8 mg/kg every 4 weeks the peak rises
    dose-proportionally while the steady-state trough rises 6.5-fold (population means). A
    linear model gives 2-fold; saturable receptor-mediated elimination, which the low dose
    leaves unsaturated, gives more."""
    _, low, _ = _tocilizumab_iv(ra, 4, 24)
    _, high, _ = _tocilizumab_iv(ra, 8, 24)
    assert high[-1] / low[-1] > 4.0


def test_a_michaelis_menten_capacity_in_the_wrong_unit_is_named() -> None:
    """A Vmax that is not mass/time cannot be a capacity: the error names the field and both
    units instead of silently falling back to linear PK."""
    from immunobalance.errors import UnsupportedRegimenError
    from immunobalance.knowledge import load_knowledge_base
    from immunobalance.model.pharmacology import agent_pharmacology

    agent = load_knowledge_base().agent("tocilizumab")
    assert agent.pk.target_mediated_vmax is not None
    bad = agent.model_copy(
        update={
            "pk": agent.pk.model_copy(
                update={
                    "target_mediated_vmax": agent.pk.target_mediated_vmax.model_copy(
                        update={"unit": "L/day"}
                    )
                }
            )
        }
    )
    with pytest.raises(UnsupportedRegimenError, match=r"target_mediated_vmax.*'L/day'.*'mg/L'"):
        agent_pharmacology(bad, 0.2)


def test_a_michaelis_menten_capacity_without_its_km_is_named() -> None:
    from immunobalance.errors import UnsupportedRegimenError
    from immunobalance.knowledge import load_knowledge_base
    from immunobalance.model.pharmacology import agent_pharmacology

    agent = load_knowledge_base().agent("tocilizumab")
    bad = agent.model_copy(update={"pk": agent.pk.model_copy(update={"target_mediated": None})})
    with pytest.raises(UnsupportedRegimenError, match=r"target_mediated_vmax.*needs its Km"):
        agent_pharmacology(bad, 0.2)
