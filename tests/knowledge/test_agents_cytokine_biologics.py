"""Pharmacology checks on the cytokine / co-stimulation biologic agent records.

Scope: the 17 TNF, IL-6R, IL-1, IL-17, IL-12/23, IL-23 and CTLA4-Ig records curated together.
Each test checks a fact that follows from pharmacology and that a curation slip would break:

* the model process an agent acts on matches its class (an anti-TNF must act on ``tnf``);
* every labelled regimen is a valid trial-spec regimen; maintenance starts after loading doses;
* the recorded half-life is plausible for the modality and agrees with the half-life implied by the
  recorded clearance and volumes (one- or two-compartment, t1/2 = ln2 / beta);
* potency converts to a molar concentration through the molecular weight (pint), and lands in the
  range where protein therapeutics act;
* label class effects: TNF blockade is harmful in MS, IL-17 blockade in Crohn's disease.

The cross-knowledge-base schema tests live elsewhere; here each record is read straight from its
file so these checks do not depend on other curators' records.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from immunobalance.knowledge.loader import data_dir
from immunobalance.knowledge.schema import Agent
from immunobalance.regimen import dosing_events, parse_regimen
from immunobalance.units import parse_quantity, ureg

AGENT_KEYS = (
    "adalimumab",
    "etanercept",
    "infliximab",
    "certolizumab_pegol",
    "golimumab",
    "lenercept",
    "tocilizumab",
    "sarilumab",
    "anakinra",
    "secukinumab",
    "ixekizumab",
    "brodalumab",
    "ustekinumab",
    "guselkumab",
    "risankizumab",
    "tildrakizumab",
    "abatacept",
)

# Class -> model processes it must inhibit (team AGENTS_GUIDE.md mapping).
CLASS_PROCESSES: dict[str, set[str]] = {
    "tnf_inhibitor": {"tnf"},
    "il6r_inhibitor": {"il6"},
    "il1_inhibitor": {"il1"},
    "il17_inhibitor": {"il17"},
    "il12_23_inhibitor": {"il12", "il23"},
    "il23_inhibitor": {"il23"},
    "costimulation_blocker": {"costimulation"},
}

# Plausible terminal half-life (days) by modality: FcRn-recycled IgG 5-30 d; Fc-fusion proteins from
# ~4 d (etanercept) to ~2 weeks (abatacept); PEGylated Fab' ~2 weeks; non-Fc IL-1Ra (17 kDa, renal
# filtration) a few hours.
HALF_LIFE_DAYS: dict[str, tuple[float, float]] = {
    "monoclonal_antibody": (5.0, 30.0),
    "fusion_protein": (2.0, 30.0),
    "antibody_fragment": (7.0, 30.0),
    "receptor_antagonist_protein": (1.0 / 24.0, 1.0),
}


def _load(key: str) -> Agent:
    path = Path(data_dir()) / "agents" / f"{key}.yaml"
    with path.open(encoding="utf-8") as fh:
        return Agent.model_validate(yaml.safe_load(fh))


@pytest.fixture(scope="module")
def agents() -> dict[str, Agent]:
    return {key: _load(key) for key in AGENT_KEYS}


def _days(quantity_text: str) -> float:
    return float(parse_quantity(quantity_text).to(ureg.day).magnitude)


def _per_day(value: float, unit: str) -> float:
    return float(parse_quantity(f"{value} {unit}").to(ureg.day**-1).magnitude)


def _litres_per_day(value: float, unit: str) -> float:
    return float(parse_quantity(f"{value} {unit}").to(ureg.liter / ureg.day).magnitude)


def _litres(value: float, unit: str) -> float:
    return float(parse_quantity(f"{value} {unit}").to(ureg.liter).magnitude)


def _terminal_half_life_days(agent: Agent) -> float:
    """t1/2 implied by CL and volumes: ln2/k10 (one compartment) or ln2/beta (two compartments).

    beta = [(k10 + k12 + k21) - sqrt((k10 + k12 + k21)^2 - 4 k10 k21)] / 2 (Gibaldi & Perrier,
    Pharmacokinetics, 2nd ed., ch. 2).
    """
    pk = agent.pk
    assert pk.clearance is not None and pk.volume_central is not None
    cl = _litres_per_day(pk.clearance.value, pk.clearance.unit)
    v1 = _litres(pk.volume_central.value, pk.volume_central.unit)
    k10 = cl / v1
    if pk.model == "one_compartment":
        return math.log(2) / k10
    assert pk.volume_peripheral is not None and pk.intercompartmental_clearance is not None
    q = _litres_per_day(pk.intercompartmental_clearance.value, pk.intercompartmental_clearance.unit)
    v2 = _litres(pk.volume_peripheral.value, pk.volume_peripheral.unit)
    k12, k21 = q / v1, q / v2
    s = k10 + k12 + k21
    beta = 0.5 * (s - math.sqrt(s * s - 4.0 * k10 * k21))
    return math.log(2) / beta


@pytest.mark.parametrize("key", AGENT_KEYS)
def test_record_loads_under_its_file_name(key: str) -> None:
    agent = _load(key)
    assert agent.key == key
    assert agent.sources


@pytest.mark.parametrize("key", AGENT_KEYS)
def test_actions_match_class(agents: dict[str, Agent], key: str) -> None:
    agent = agents[key]
    expected = CLASS_PROCESSES[agent.drug_class]
    inhibited = {a.process for a in agent.actions if a.effect == "inhibit"}
    assert expected <= inhibited, f"{key} must inhibit {expected}, has {inhibited}"


@pytest.mark.parametrize("key", AGENT_KEYS)
def test_dosing_regimens_parse_and_resolve(agents: dict[str, Agent], key: str) -> None:
    agent = agents[key]
    weight_kg = np.array([55.0, 70.0, 110.0])
    for i, dosing in enumerate(agent.dosing):
        items = [{"agent": key, **item} for item in dosing.regimen]
        regimen = parse_regimen(items, path=f"{key}.dosing[{i}].regimen")
        assert all(item.route in agent.routes for item in regimen), "route not in agent routes"
        # Maintenance must start after the last loading dose (no double dosing at the switch).
        last_loading = max((max(r.at_weeks) for r in regimen if r.at_weeks), default=-1.0)
        for r in regimen:
            if r.every is not None and last_loading >= 0:
                assert r.start_week > last_loading, f"{r.label()} starts before loading ends"
        events = dosing_events(regimen, horizon_weeks=52, weight_kg=weight_kg)
        assert len(events) == len(regimen), "every item must dose within a year"
        for item, ev in zip(regimen, events, strict=True):
            if item.dose_basis == "per_kg":  # weight-based IV dosing scales with the patient
                np.testing.assert_allclose(ev.amount, item.dose_value * weight_kg)
            else:
                np.testing.assert_allclose(ev.amount, item.dose_value)


@pytest.mark.parametrize("key", AGENT_KEYS)
def test_every_approved_indication_has_a_label_regimen(agents: dict[str, Agent], key: str) -> None:
    agent = agents[key]
    approved = {a.disease for a in agent.approvals if a.status == "approved"}
    dosed = {d.disease for d in agent.dosing}
    assert approved <= dosed, f"{key}: approved for {approved - dosed} without a regimen"
    for disease in approved:
        standard = [d for d in agent.dosing if d.disease == disease and d.standard]
        assert len(standard) == 1, f"{key}/{disease}: exactly one standard regimen expected"


@pytest.mark.parametrize("key", AGENT_KEYS)
def test_half_life_plausible_for_modality(agents: dict[str, Agent], key: str) -> None:
    agent = agents[key]
    half_life = _days(f"{agent.pk.half_life.value} {agent.pk.half_life.unit}")
    low, high = HALF_LIFE_DAYS[agent.modality]
    assert low <= half_life <= high, f"{key}: t1/2 {half_life:.2f} d outside {low}-{high} d"


@pytest.mark.parametrize(
    "key",
    [
        k
        for k in AGENT_KEYS
        if k not in {"tocilizumab", "sarilumab", "brodalumab", "anakinra", "lenercept"}
    ],
)
def test_half_life_agrees_with_clearance_and_volumes(agents: dict[str, Agent], key: str) -> None:
    """Linear agents: reported t1/2 and the t1/2 implied by CL and V agree within 1.5-fold.

    Excluded: target-mediated (IL-6R, IL-17RA) agents whose t1/2 depends on concentration, anakinra
    (absorption-limited, checked below) and lenercept (no CL/V recorded).
    """
    agent = agents[key]
    assert agent.pk.target_mediated is None
    reported = _days(f"{agent.pk.half_life.value} {agent.pk.half_life.unit}")
    implied = _terminal_half_life_days(agent)
    ratio = implied / reported
    assert 1 / 1.5 <= ratio <= 1.5, f"{key}: implied {implied:.1f} d vs {reported:.1f} d"


def test_target_mediated_agents_clear_faster_than_their_linear_pathway(
    agents: dict[str, Agent],
) -> None:
    """For IL-6R/IL-17RA antibodies the label t1/2 includes receptor-mediated loss, so it must be
    shorter than the half-life of the linear pathway alone."""
    for key in ("tocilizumab", "sarilumab", "brodalumab"):
        agent = agents[key]
        assert agent.pk.target_mediated is not None
        reported = _days(f"{agent.pk.half_life.value} {agent.pk.half_life.unit}")
        assert reported < _terminal_half_life_days(agent), key


def test_anakinra_terminal_phase_is_absorption_limited(agents: dict[str, Agent]) -> None:
    """Anakinra's IV elimination (CL ~137 mL/min, V ~10 L) is much faster than its 4-6 h SC terminal
    half-life, so the SC terminal phase must reflect absorption: ln2/ka ~ reported t1/2."""
    pk = agents["anakinra"].pk
    assert pk.ka is not None
    reported = _days(f"{pk.half_life.value} {pk.half_life.unit}")
    elimination = _terminal_half_life_days(agents["anakinra"])
    absorption = math.log(2) / _per_day(pk.ka.value, pk.ka.unit)
    assert elimination < reported / 3
    assert 1 / 1.5 <= absorption / reported <= 1.5


@pytest.mark.parametrize("key", AGENT_KEYS)
def test_potency_converts_to_molar(agents: dict[str, Agent], key: str) -> None:
    agent = agents[key]
    molar_dim = ureg.nanomolar.dimensionality
    for action in agent.actions:
        q = parse_quantity(f"{action.potency.value} {action.potency.unit}")
        if q.dimensionality == molar_dim:
            molar = q.to(ureg.nanomolar)
        else:
            assert agent.pk.molecular_weight is not None, f"{key}: mass potency needs a MW"
            mw = parse_quantity(
                f"{agent.pk.molecular_weight.value} {agent.pk.molecular_weight.unit}"
            )
            molar = (q / mw).to(ureg.nanomolar)
            # Round trip back to the recorded mass concentration.
            back = (molar * mw).to(q.units)
            assert math.isclose(back.magnitude, q.magnitude, rel_tol=1e-9)
        nm = float(molar.magnitude)
        # Protein therapeutics act between ~1 pM (tight binders) and ~1 uM.
        assert 1e-3 <= nm <= 1e3, f"{key}/{action.process}: {nm:g} nM implausible"
        if action.potency_kind == "kd":
            assert nm <= 10, f"{key}: a therapeutic antibody Kd above 10 nM is implausible"


@pytest.mark.parametrize(
    "key", [k for k in AGENT_KEYS if _load(k).modality == "monoclonal_antibody"]
)
def test_igg_molecular_weight(agents: dict[str, Agent], key: str) -> None:
    mw = agents[key].pk.molecular_weight
    assert mw is not None
    kda = float(parse_quantity(f"{mw.value} {mw.unit}").to("g/mol").magnitude) / 1000
    assert 140 <= kda <= 155, f"{key}: IgG of {kda:.1f} kDa"


@pytest.mark.parametrize("key", AGENT_KEYS)
def test_methotrexate_lowers_immunogenicity(agents: dict[str, Agent], key: str) -> None:
    pk = agents[key].pk
    for ada in (pk.immunogenicity, pk.immunogenicity_with_mtx):
        if ada is not None:
            assert 0.0 <= ada.value <= 1.0
    if pk.immunogenicity is not None and pk.immunogenicity_with_mtx is not None:
        assert pk.immunogenicity_with_mtx.value < pk.immunogenicity.value
    if pk.ada_clearance_factor is not None:
        assert pk.ada_clearance_factor.value >= 1.0  # antibodies never slow clearance


def test_class_effects_recorded(agents: dict[str, Agent]) -> None:
    """TNF blockade worsens MS (lenercept trial); IL-17 blockade worsens Crohn's disease
    (Hueber 2012, Targan 2016). Neither may be offered for those diseases."""
    for agent in agents.values():
        if agent.drug_class == "tnf_inhibitor":
            ms = agent.approval_for("multiple_sclerosis")
            assert ms is not None and ms.status == "not_effective", agent.key
        if agent.drug_class == "il17_inhibitor":
            cd = agent.approval_for("crohns_disease")
            assert cd is not None and cd.status == "not_effective", agent.key
    assert any("suicid" in w.text.lower() for w in agents["brodalumab"].boxed_warnings)
