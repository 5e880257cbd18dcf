"""Curation checks for the small-molecule and conventional agents of the knowledge base.

Covers JAK/TYK2/PDE4/SYK/calcineurin inhibitors and the conventional immunosuppressants
(csDMARDs, antimetabolites, glucocorticoid, aminosalicylates, alkylating agent) and the
combination rules in ``interactions.yaml``. Each test checks a fact that the curated records
could get wrong: the pharmacology ordering reported in the cited comparative studies, that label
regimens are valid trial-spec regimens, that the PK numbers are mutually consistent, and that every
combination rule names agents or classes that exist.
"""

from __future__ import annotations

import math

import pytest

from immunobalance.knowledge.loader import load_knowledge_base
from immunobalance.knowledge.schema import Agent
from immunobalance.regimen import parse_regimen
from immunobalance.units import parse_quantity, ureg

JAK_INHIBITORS = ("tofacitinib", "baricitinib", "upadacitinib", "filgotinib")
SMALL_MOLECULES = (
    *JAK_INHIBITORS,
    "deucravacitinib",
    "apremilast",
    "fostamatinib",
    "voclosporin",
    "methotrexate",
    "hydroxychloroquine",
    "sulfasalazine",
    "leflunomide",
    "prednisone",
    "mycophenolate_mofetil",
    "azathioprine",
    "cyclophosphamide",
    "mesalamine",
)
ANY_TARGETS = {"any_biologic", "any_targeted_synthetic"}


@pytest.fixture(scope="module")
def kb():
    load_knowledge_base.cache_clear()
    return load_knowledge_base()


def _potency_nm(agent: Agent, process: str) -> float:
    """Potency of ``agent`` on ``process`` in nM (mass concentrations converted by MW)."""
    action = next(a for a in agent.actions if a.process == process)
    q = parse_quantity(f"{action.potency.value} {action.potency.unit}")
    if q.check("[substance]/[length]**3"):
        return float(q.to("nM").magnitude)
    assert agent.pk.molecular_weight is not None, f"{agent.key}: mass potency needs a MW"
    mw = agent.pk.molecular_weight.value * ureg("g/mol")
    return float((q / mw).to("nM").magnitude)


@pytest.mark.parametrize("key", SMALL_MOLECULES)
def test_agent_loads_with_sourced_actions(kb, key):
    agent = kb.agent(key)
    assert agent.modality == "small_molecule"
    assert agent.actions, key
    for action in agent.actions:
        assert _potency_nm(agent, action.process) > 0


@pytest.mark.parametrize("key", JAK_INHIBITORS)
def test_jak_inhibitors_act_on_each_kinase(kb, key):
    processes = {a.process for a in kb.agent(key).actions}
    assert {"jak1", "jak2", "jak3", "tyk2"} <= processes
    assert kb.agent(key).drug_class == "jak_inhibitor"


@pytest.mark.parametrize("key", ["upadacitinib", "filgotinib"])
def test_jak1_preferring_agents_are_weaker_on_jak2(kb, key):
    # Parmentier 2018 (upadacitinib) and Traves 2021 (filgotinib): JAK1-preferring in cells.
    agent = kb.agent(key)
    assert _potency_nm(agent, "jak2") / _potency_nm(agent, "jak1") > 1.0


def test_filgotinib_is_the_most_jak1_selective(kb):
    # Traves PG et al. Ann Rheum Dis 2021;80:865: filgotinib had the greatest JAK1 selectivity
    # of the four JAK inhibitors in human blood.
    ratio = {
        k: _potency_nm(kb.agent(k), "jak2") / _potency_nm(kb.agent(k), "jak1")
        for k in JAK_INHIBITORS
    }
    assert max(ratio, key=ratio.get) == "filgotinib"
    # baricitinib is equipotent on JAK1/JAK2 (Olumiant USPI §12.1): ratio close to 1
    assert 0.5 < ratio["baricitinib"] < 2.0


def test_upadacitinib_is_jak1_over_jak3_relative_to_tofacitinib(kb):
    # Mohamed MF et al. J Clin Pharmacol 2020;60:188: upadacitinib more potent on IL-6 (JAK1)
    # and less potent on IL-7 (JAK1/JAK3) than tofacitinib.
    upa, tofa = kb.agent("upadacitinib"), kb.agent("tofacitinib")
    assert _potency_nm(upa, "jak1") < _potency_nm(tofa, "jak1")
    assert _potency_nm(upa, "jak3") > _potency_nm(tofa, "jak3")


def test_deucravacitinib_tyk2_selectivity(kb):
    # >=100-fold over JAK1/3 and >=2000-fold over JAK2 in cells (Burke 2019).
    deu = kb.agent("deucravacitinib")
    tyk2 = _potency_nm(deu, "tyk2")
    assert _potency_nm(deu, "jak1") >= 100 * tyk2 * 0.99
    assert _potency_nm(deu, "jak3") >= 100 * tyk2 * 0.99
    assert _potency_nm(deu, "jak2") >= 2000 * tyk2 * 0.99
    assert deu.drug_class == "tyk2_inhibitor"


@pytest.mark.parametrize("key", SMALL_MOLECULES)
def test_dosing_regimens_are_valid_trial_spec_regimens(kb, key):
    agent = kb.agent(key)
    assert agent.dosing, f"{key}: no label regimen"
    for i, dosing in enumerate(agent.dosing):
        items = [{"agent": key, **item} for item in dosing.regimen]
        parsed = parse_regimen(items, path=f"{key}.dosing[{i}]")
        assert all(item.route in agent.routes for item in parsed)


def test_key_label_doses(kb):
    def first(key, disease):
        d = next(d for d in kb.agent(key).dosing if d.disease == disease and d.standard)
        return parse_regimen([{"agent": key, **i} for i in d.regimen])

    tofa_ra = first("tofacitinib", "rheumatoid_arthritis")[0]
    assert (tofa_ra.dose_value, tofa_ra.every) == (5.0, "12 hours")
    tofa_uc = first("tofacitinib", "ulcerative_colitis")
    assert tofa_uc[0].dose_value == 10.0 and tofa_uc[0].until_week == 8
    upa_uc = first("upadacitinib", "ulcerative_colitis")
    assert upa_uc[0].dose_value == 45.0 and upa_uc[1].dose_value == 15.0
    mtx = first("methotrexate", "rheumatoid_arthritis")[0]
    assert 7.5 <= mtx.dose_value <= 25.0 and mtx.every == "1 week"
    mmf = first("mycophenolate_mofetil", "systemic_lupus_erythematosus")[0]
    assert 1000.0 <= mmf.dose_value <= 1500.0


@pytest.mark.parametrize("key", SMALL_MOLECULES)
def test_oral_agents_have_oral_bioavailability_and_absorption(kb, key):
    agent = kb.agent(key)
    if "oral" not in agent.routes:
        pytest.skip(f"{key} is not given orally")
    f = agent.pk.bioavailability.get("oral")
    assert f is not None, f"{key}: oral route without oral bioavailability"
    assert 0.0 < f.value <= 1.0
    assert agent.pk.ka is not None


# Delayed-release/topical mesalamine and extended-release upadacitinib show absorption-limited
# (flip-flop) terminal half-lives longer than ln2 * V / CL.
_FLIP_FLOP = {"mesalamine": 12.0, "upadacitinib": 3.5}


@pytest.mark.parametrize("key", SMALL_MOLECULES)
def test_half_life_consistent_with_clearance_and_volume(kb, key):
    pk = kb.agent(key).pk
    assert pk.clearance is not None and pk.volume_central is not None
    cl = parse_quantity(f"{pk.clearance.value} {pk.clearance.unit}").to("L/h").magnitude
    v = parse_quantity(f"{pk.volume_central.value} {pk.volume_central.unit}").to("L").magnitude
    t_half = parse_quantity(f"{pk.half_life.value} {pk.half_life.unit}").to("h").magnitude
    implied = math.log(2) * v / cl
    ratio = max(t_half, implied) / min(t_half, implied)
    assert ratio < _FLIP_FLOP.get(key, 2.5), (
        f"{key}: t1/2 {t_half:.3g} h vs ln2*V/CL {implied:.3g} h"
    )


def test_jak_boxed_warnings_and_filgotinib_not_fda(kb):
    for key in ("tofacitinib", "baricitinib", "upadacitinib"):
        text = " ".join(b.text.lower() for b in kb.agent(key).boxed_warnings)
        for word in ("infection", "mortality", "malignan", "cardiovascular", "thrombosis"):
            assert word in text, f"{key}: boxed warning lacks {word}"
    filgotinib = kb.agent("filgotinib")
    assert all(a.region != "FDA" for a in filgotinib.approvals if a.status == "approved")
    assert not filgotinib.boxed_warnings


def test_therapeutic_use_assignments(kb):
    assert kb.agent("prednisone").therapeutic_use == "background"
    for key in SMALL_MOLECULES:
        if key != "prednisone":
            assert kb.agent(key).therapeutic_use == "treatment", key


def test_interactions_name_known_agents_and_classes(kb):
    classes = {a.drug_class for a in kb.agents.values()}
    unknown = []
    for i, rule in enumerate(kb.interactions):
        for side in (rule.a, rule.b):
            if side in ANY_TARGETS:
                continue
            if side.startswith("class:"):
                if side.removeprefix("class:") not in classes:
                    unknown.append(f"interactions[{i}]: {side}")
            elif side not in kb.agents:
                unknown.append(f"interactions[{i}]: {side}")
    assert not unknown, unknown


def test_interactions_encode_label_restrictions(kb):
    def kind(a, b):
        return next(
            (r.kind for r in kb.interactions if {r.a, r.b} == {a, b}),
            None,
        )

    assert kind("class:jak_inhibitor", "any_biologic") == "not_recommended"
    assert kind("class:jak_inhibitor", "azathioprine") == "not_recommended"
    assert kind("abatacept", "class:tnf_inhibitor") == "not_recommended"
    assert kind("anakinra", "class:tnf_inhibitor") == "not_recommended"
    assert kind("natalizumab", "class:tnf_inhibitor") == "contraindicated"
    assert kind("voclosporin", "mycophenolate_mofetil") == "standard"


@pytest.mark.parametrize("key", SMALL_MOLECULES)
def test_in_vitro_potency_comes_with_a_sourced_unbound_fraction(kb, key):
    """An IC50 measured without plasma protein acts on the unbound drug, so the record needs fu."""
    agent = kb.agent(key)
    in_vitro = [a for a in agent.actions if a.potency_kind in ("biochemical_ic50", "cellular_ic50")]
    if not in_vitro:
        pytest.skip(f"{key}: potencies are whole-blood or in-vivo values (binding included)")
    fu = agent.pk.fraction_unbound
    assert fu is not None, f"{key}: in-vitro potency without pk.fraction_unbound"
    assert 0.0 < fu.value <= 1.0
    assert "USPI" in fu.source or "SmPC" in fu.source, fu.source


def test_methotrexate_effect_site_half_life_follows_the_time_to_steady_state(kb):
    """Erythrocyte MTX polyglutamates reach steady state after a median 22 weeks of weekly
    dosing (the record's source). Read as 95 % of steady state, that is ln 20 / ln 2 = 4.32
    accumulation half-lives; the recorded effect-site half-life must be that, to a week, and
    far longer than the plasma half-life (hours), or the effect would follow the plasma pulse."""
    pk = kb.agent("methotrexate").pk
    assert pk.effect_compartment_half_life is not None
    t_half = parse_quantity(
        f"{pk.effect_compartment_half_life.value} {pk.effect_compartment_half_life.unit}"
    ).to("week")
    expected = 22.0 / (math.log(20.0) / math.log(2.0))
    assert abs(t_half.magnitude - expected) < 1.0
    plasma = parse_quantity(f"{pk.half_life.value} {pk.half_life.unit}").to("week")
    assert t_half.magnitude > 50 * plasma.magnitude
