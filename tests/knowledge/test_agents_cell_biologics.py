"""Pharmacology checks for the cell-targeting biologic, checkpoint and cell-therapy agent records.

Covers only the agents curated in this batch (B-cell/T-cell depleting antibodies, integrin and
cytokine blockers used in MS/SLE/IBD/T1D, Treg and CAR-T cell therapies, checkpoint inhibitors,
interferon beta and glatiramer). Each record is validated on its own, so an unfinished record of
another agent cannot mask or cause a failure here; cross-knowledge-base checks live elsewhere.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from immunobalance.knowledge.loader import data_dir
from immunobalance.knowledge.schema import PK, Agent, Sourced
from immunobalance.regimen import dosing_events, parse_regimen
from immunobalance.units import ureg

AGENTS = (
    "rituximab", "ocrelizumab", "ofatumumab", "belimumab", "anifrolumab", "natalizumab",
    "vedolizumab", "alemtuzumab", "teplizumab", "aldesleukin", "polyclonal_treg_cells",
    "peresolimab", "nivolumab", "pembrolizumab", "ipilimumab", "anti_cd19_car_t",
    "interferon_beta_1a", "glatiramer_acetate",
)  # fmt: skip

# Cell-depleting agents and the cell pools their targets mark (CD20 -> B cells, CD52 -> T and
# B cells, CD3 -> T cells, CD19 CAR -> B cells).
DEPLETED_POOLS = {
    "rituximab": {"b_cells"},
    "ocrelizumab": {"b_cells"},
    "ofatumumab": {"b_cells"},
    "alemtuzumab": {"t_cells", "b_cells"},
    "teplizumab": {"t_cells"},
    "anti_cd19_car_t": {"b_cells"},
}
CHECKPOINT_TARGET = {"nivolumab": "pd1", "pembrolizumab": "pd1", "ipilimumab": "ctla4"}

# Anti-CD3 teplizumab is the one IgG whose labelled half-life (4.5 days) is set by the CD3 sink
# rather than FcRn recycling (Tzield USPI §12.3), so the FcRn-range check does not apply to it.
TARGET_DOMINATED_HALF_LIFE = {"teplizumab"}


def _raw(key: str) -> dict[str, Any]:
    path = Path(data_dir()) / "agents" / f"{key}.yaml"
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@pytest.fixture(scope="module")
def agents() -> dict[str, Agent]:
    return {key: Agent.model_validate(_raw(key)) for key in AGENTS}


def _days(q: Sourced) -> float:
    return float(ureg.Quantity(q.value, q.unit).to("day").magnitude)


@pytest.mark.parametrize("key", AGENTS)
def test_record_loads_under_its_file_name(key: str) -> None:
    agent = Agent.model_validate(_raw(key))
    assert agent.key == key
    assert agent.sources


@pytest.mark.parametrize("key", AGENTS)
def test_every_dosing_regimen_parses(key: str, agents: dict[str, Agent]) -> None:
    for i, dosing in enumerate(agents[key].dosing):
        items = [{"agent": key, **item} for item in dosing.regimen]
        parsed = parse_regimen(items, path=f"{key}.dosing[{i}].regimen")
        assert {item.route for item in parsed} <= set(agents[key].routes)


@pytest.mark.parametrize("key", sorted(DEPLETED_POOLS))
def test_depleting_agents_deplete_their_target_pool(key: str, agents: dict[str, Agent]) -> None:
    agent = agents[key]
    depleted = {a.process for a in agent.actions if a.effect == "deplete"}
    assert DEPLETED_POOLS[key] <= depleted
    # A maximal depletion rate, where given, is a first-order rate (1/day), not a fraction.
    for action in agent.actions:
        if action.effect == "deplete" and action.emax is not None:
            rate = ureg.Quantity(action.emax.value, action.emax.unit)
            assert rate.check("1/[time]")


@pytest.mark.parametrize("key", sorted(CHECKPOINT_TARGET))
def test_checkpoint_inhibitors_are_never_offered(key: str, agents: dict[str, Agent]) -> None:
    agent = agents[key]
    assert agent.offered_as_treatment is False
    assert not agent.is_biologic  # never counted as a treatment biologic either
    assert agent.dosing == []
    assert any(a.process == CHECKPOINT_TARGET[key] and a.effect == "inhibit" for a in agent.actions)
    # They can only appear as harmful for an index disease, never as an option.
    assert all(ap.status == "not_effective" for ap in agent.approvals)


def test_pd1_agonist_is_the_mirror_of_pd1_blockade(agents: dict[str, Agent]) -> None:
    agonist = agents["peresolimab"]
    assert agonist.offered_as_treatment
    assert [(a.process, a.effect) for a in agonist.actions] == [("pd1", "activate")]


@pytest.mark.parametrize(
    "key",
    [k for k in AGENTS if k not in TARGET_DOMINATED_HALF_LIFE],
)
def test_igg_half_life_is_in_the_fcrn_range(key: str, agents: dict[str, Agent]) -> None:
    agent = agents[key]
    if agent.modality != "monoclonal_antibody":
        pytest.skip("not an IgG monoclonal antibody")
    assert 5.0 <= _days(agent.pk.half_life) <= 30.0


def _terminal_half_life_days(pk: PK) -> float | None:
    """Terminal half-life implied by CL and volumes (one- or two-compartment, linear).

    One compartment: t1/2 = ln2 V / CL. Two compartments: the slow disposition rate is
    beta = (s - sqrt(s^2 - 4 k10 k21)) / 2 with s = k10 + k12 + k21, k10 = CL/V1, k12 = Q/V1,
    k21 = Q/V2 (Gibaldi M, Perrier D. Pharmacokinetics, 2nd ed., ch. 2).
    """
    if pk.clearance is None or pk.volume_central is None:
        return None
    cl = ureg.Quantity(pk.clearance.value, pk.clearance.unit).to("L/day").magnitude
    v1 = ureg.Quantity(pk.volume_central.value, pk.volume_central.unit).to("L").magnitude
    if pk.model == "one_compartment":
        return math.log(2) * v1 / cl
    if pk.model == "two_compartment":
        assert pk.volume_peripheral is not None and pk.intercompartmental_clearance is not None
        v2 = ureg.Quantity(pk.volume_peripheral.value, pk.volume_peripheral.unit).to("L").magnitude
        q = (
            ureg.Quantity(
                pk.intercompartmental_clearance.value, pk.intercompartmental_clearance.unit
            )
            .to("L/day")
            .magnitude
        )
        k10, k12, k21 = cl / v1, q / v1, q / v2
        s = k10 + k12 + k21
        beta = (s - math.sqrt(s * s - 4 * k10 * k21)) / 2
        return math.log(2) / beta
    return None  # TMDD / cell kinetics: no linear closed form


@pytest.mark.parametrize("key", AGENTS)
def test_clearance_and_volumes_reproduce_the_labelled_half_life(
    key: str, agents: dict[str, Agent]
) -> None:
    pk = agents[key].pk
    implied = _terminal_half_life_days(pk)
    if implied is None:
        pytest.skip(f"{pk.model} PK has no linear closed-form half-life")
    labelled = _days(pk.half_life)
    assert labelled / 1.5 <= implied <= labelled * 1.5, (implied, labelled)


def test_teplizumab_label_course_is_14_daily_bsa_doses(agents: dict[str, Agent]) -> None:
    regimen = parse_regimen(
        [{"agent": "teplizumab", **i} for i in agents["teplizumab"].dosing[0].regimen]
    )
    events = dosing_events(regimen, 52, np.array([70.0]), np.array([175.0]))
    days = np.sort(np.concatenate([e.times_day for e in events]))
    np.testing.assert_allclose(days, np.arange(14.0), atol=1e-3)  # days 1-14 of the label
    bsa = math.sqrt(175.0 * 70.0 / 3600.0)  # Mosteller
    total_mg = sum(float(e.amount[0]) * e.times_day.size for e in events)
    label_total_ug_per_m2 = 65 + 125 + 250 + 500 + 10 * 1030
    assert total_mg == pytest.approx(label_total_ug_per_m2 * bsa / 1000.0, rel=1e-6)


def test_alemtuzumab_courses_give_60_then_36_mg(agents: dict[str, Agent]) -> None:
    regimen = parse_regimen(
        [{"agent": "alemtuzumab", **i} for i in agents["alemtuzumab"].dosing[0].regimen]
    )
    events = dosing_events(regimen, 104, np.array([70.0]))
    year1 = sum(float(e.amount[0]) * np.sum(e.times_day < 300) for e in events)
    year2 = sum(float(e.amount[0]) * np.sum(e.times_day >= 300) for e in events)
    assert (year1, year2) == (60.0, 36.0)


def test_interferon_beta_potency_is_one_international_unit_per_ml(
    agents: dict[str, Agent],
) -> None:
    """An interferon unit per mL is by definition the concentration that halves the viral
    cytopathic effect; the Rebif SmPC gives 22 µg = 6 MIU. The half-maximal concentration
    the record carries must be that unit at the record's molecular weight."""
    agent = agents["interferon_beta_1a"]
    action = next(a for a in agent.actions if a.process == "ifn_beta")
    assert agent.pk is not None and agent.pk.molecular_weight is not None
    grams_per_unit = 22e-6 / 6e6
    mw = agent.pk.molecular_weight.value
    expected_pm = grams_per_unit * 1e3 / mw * 1e12  # 1 IU/mL in g/L, then mol/L, then pM
    potency_pm = ureg.Quantity(action.potency.value, action.potency.unit).to("pM").magnitude
    assert potency_pm == pytest.approx(expected_pm, rel=0.01)
