"""Every safety rule fires on the patients it is about and stays quiet on near misses."""

from __future__ import annotations

import pytest
from safety_vignettes import VIGNETTES, Vignette

from immunobalance.knowledge.loader import load_knowledge_base
from immunobalance.patient import parse_patient_dict
from immunobalance.safety import load_safety_rules, screen_regimen

KB = load_knowledge_base()
RULES = load_safety_rules(kb=KB)
RULE_IDS = [r.id for r in RULES.rules]


@pytest.mark.parametrize("v", VIGNETTES, ids=lambda v: v.id)
def test_vignette(v: Vignette) -> None:
    patient = parse_patient_dict(v.record, kb=KB)
    assessment = screen_regimen(patient, list(v.regimen), KB, rules=RULES)
    fired = [f for f in assessment.findings if f.rule_id == v.rule]
    assert bool(fired) is v.fires, [f.message for f in assessment.findings]
    if v.fires:
        rule = RULES.rule(v.rule)
        for f in fired:
            assert f.outcome == rule.outcome
            assert set(f.agents) & set(v.regimen)
            assert f.source  # every finding cites its source
        if rule.outcome == "contraindicated":
            assert assessment.status == "contraindicated"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_a_firing_vignette_and_a_near_miss(rule_id: str) -> None:
    kinds = {v.fires for v in VIGNETTES if v.rule == rule_id}
    assert kinds == {True, False}, f"{rule_id}: vignettes {kinds or 'missing'}"


def test_vignettes_name_only_known_rules() -> None:
    assert {v.rule for v in VIGNETTES} <= set(RULE_IDS)


def test_contract_reason_style_for_nyha3_heart_failure() -> None:
    patient = parse_patient_dict(
        {
            "id": "hf",
            "age": 70,
            "conditions": [{"code": "I50.22", "display": "chronic systolic heart failure"}],
            "observations": [{"code": "NYHA_CLASS", "value": 3, "date": "2026-09-01"}],
        },
        kb=KB,
    )
    a = screen_regimen(patient, ["adalimumab"], KB, rules=RULES)
    [f] = [f for f in a.findings if f.rule_id == "tnf-heart-failure-nyha34"]
    assert f.message.startswith(
        "heart failure NYHA III/IV (I50.22, NYHA_CLASS=3): TNF inhibitors may worsen heart failure"
    )
    assert f.fact.startswith("I50.22 chronic systolic heart failure; NYHA_CLASS 3")
    assert a.status == "contraindicated" and not a.ranked


def test_checkpoint_inhibitor_finding_names_the_agent() -> None:
    patient = parse_patient_dict(
        {
            "id": "irae",
            "conditions": [{"code": "M05.79"}],
            "medications": [{"agent": "pembrolizumab", "start": "2026-01-01"}],
        },
        kb=KB,
    )
    a = screen_regimen(patient, ["prednisone"], KB, rules=RULES, as_of=None)
    [f] = [f for f in a.findings if f.rule_id == "checkpoint-inhibitor-current"]
    assert "current pembrolizumab" in f.message and "driving the autoimmunity" in f.message
    assert "Keytruda USPI" in f.source


def test_every_checkpoint_inhibitor_is_contraindicated_for_every_patient() -> None:
    patient = parse_patient_dict({"id": "healthy"}, kb=KB)
    for agent in KB.agents_in_class("checkpoint_inhibitor"):
        assert screen_regimen(patient, [agent.key], KB, rules=RULES).status == "contraindicated"


@pytest.mark.parametrize(
    "interaction",
    [i for i in KB.interactions if i.kind in {"not_recommended", "contraindicated"}],
    ids=lambda i: f"{i.a}+{i.b}",
)
def test_every_label_combination_rule_blocks_a_concrete_pair(interaction: object) -> None:
    """For each not-recommended/contraindicated record of interactions.yaml, a concrete pair of
    agents it names is never ranked, while each agent alone (same patient) is not blocked by a
    combination rule."""
    from immunobalance.safety import governing_interaction

    def members(side: str) -> list[str]:
        return sorted(
            a.key
            for a in KB.agents.values()
            if a.offered_as_treatment
            and (
                side == a.key
                or side == f"class:{a.drug_class}"
                or (side == "any_biologic" and a.is_biologic)
                or (
                    side == "any_targeted_synthetic"
                    and a.drug_class
                    in {"jak_inhibitor", "tyk2_inhibitor", "pde4_inhibitor", "syk_inhibitor"}
                )
            )
        )

    patient = parse_patient_dict({"id": "pair"}, kb=KB)
    pairs = [
        (x, y)
        for x in members(interaction.a)  # type: ignore[attr-defined]
        for y in members(interaction.b)  # type: ignore[attr-defined]
        if x != y
        and governing_interaction(KB.interactions, KB.agent(x), KB.agent(y)) is interaction
    ]
    assert pairs, "no concrete pair is governed by this record"
    x, y = pairs[0]
    a = screen_regimen(patient, [x, y], KB, rules=RULES)
    assert a.status == "contraindicated"
    combos = [f for f in a.findings if set(f.agents) == {x, y} and f.outcome == "contraindicated"]
    assert combos, [f.message for f in a.findings]
    for single in (x, y):
        alone = screen_regimen(patient, [single], KB, rules=RULES)
        assert not [f for f in alone.findings if len(f.agents) > 1]
