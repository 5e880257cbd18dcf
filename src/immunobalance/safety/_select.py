"""Which agents a selector names, which therapy continues beside a regimen, and which label
combination rule (``interactions.yaml``) governs a pair of agents."""

from __future__ import annotations

from collections.abc import Iterable

from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.knowledge.schema import Agent, Interaction
from immunobalance.patient.model import Patient
from immunobalance.safety._schema import AgentGroup, AgentSelector

__all__ = [
    "CONVENTIONAL_IMMUNOSUPPRESSANT_CLASSES",
    "TARGETED_SYNTHETIC_CLASSES",
    "continuing_therapy",
    "governing_interaction",
    "in_group",
    "is_advanced_therapy",
    "selector_matches",
]

#: Targeted synthetic DMARD classes (as ``any_targeted_synthetic`` in ``interactions.yaml``).
TARGETED_SYNTHETIC_CLASSES = frozenset(
    {"jak_inhibitor", "tyk2_inhibitor", "pde4_inhibitor", "syk_inhibitor"}
)
#: Conventional immunosuppressants: csDMARDs (methotrexate, leflunomide), antimetabolites
#: (azathioprine, mycophenolate), alkylators (cyclophosphamide), calcineurin inhibitors.
CONVENTIONAL_IMMUNOSUPPRESSANT_CLASSES = frozenset(
    {"csdmard", "antimetabolite", "alkylating_agent", "calcineurin_inhibitor"}
)


def in_group(agent: Agent, group: AgentGroup) -> bool:
    """Whether ``agent`` belongs to a named agent group."""
    if group == "any_agent":
        return True
    if group == "any_biologic":
        return agent.is_biologic
    if group == "any_targeted_synthetic":
        return agent.drug_class in TARGETED_SYNTHETIC_CLASSES
    if group == "conventional_immunosuppressant":
        return agent.drug_class in CONVENTIONAL_IMMUNOSUPPRESSANT_CLASSES
    return not agent.offered_as_treatment  # never_offered


def selector_matches(selector: AgentSelector, agent: Agent | None, name: str) -> bool:
    """Whether the agent (``None`` for a medication outside the knowledge base) is selected."""
    if agent is None:
        return name in selector.other_names
    if agent.key in selector.except_agents or agent.drug_class in selector.except_classes:
        return False
    return (
        agent.key in selector.agents
        or agent.drug_class in selector.classes
        or any(in_group(agent, g) for g in selector.groups)
    )


def is_advanced_therapy(agent: Agent) -> bool:
    """Biologic or targeted synthetic: the therapy slot a new advanced agent takes over."""
    return agent.is_biologic or agent.drug_class in TARGETED_SYNTHETIC_CLASSES


def continuing_therapy(
    patient: Patient, regimen: Iterable[str], kb: KnowledgeBase
) -> tuple[str, ...]:
    """Current therapies that continue beside a candidate regimen.

    A candidate regimen *replaces* the patient's current advanced therapy (biologic or targeted
    synthetic) when it contains one: switching from etanercept to tocilizumab is not combining
    them. Every other current therapy (methotrexate, prednisone, azathioprine ...) continues and
    counts in combination rules. Medications outside the knowledge base (e.g. isoniazid) and agents
    already in the regimen are not listed.
    """
    keys = list(dict.fromkeys(regimen))
    switches = any(is_advanced_therapy(kb.agents[k]) for k in keys if k in kb.agents)
    out: list[str] = []
    for med in patient.current_medications():
        agent = kb.agents.get(med.agent)
        if agent is None or med.agent in keys or med.agent in out:
            continue
        if switches and is_advanced_therapy(agent):
            continue
        out.append(med.agent)
    return tuple(out)


def _side_matches(side: str, agent: Agent) -> int | None:
    """Specificity with which one side of an interaction names ``agent`` (None: no match)."""
    if side == agent.key:
        return 2
    if side.startswith("class:"):
        return 1 if side.removeprefix("class:") == agent.drug_class else None
    if side == "any_biologic":
        return 0 if agent.is_biologic else None
    if side == "any_targeted_synthetic":
        return 0 if agent.drug_class in TARGETED_SYNTHETIC_CLASSES else None
    return None


def _pair_specificity(rule: Interaction, a: Agent, b: Agent) -> int | None:
    best: int | None = None
    for first, second in ((a, b), (b, a)):
        sa, sb = _side_matches(rule.a, first), _side_matches(rule.b, second)
        if sa is not None and sb is not None:
            best = max(best if best is not None else -1, sa + sb)
    return best


_SEVERITY = {"contraindicated": 3, "not_recommended": 2, "acceptable": 1, "standard": 0}


def governing_interaction(
    interactions: Iterable[Interaction], a: Agent, b: Agent
) -> Interaction | None:
    """The combination rule that governs agents ``a`` and ``b``, or None.

    Precedence (``interactions.yaml`` header): a contraindication wins over anything else; otherwise
    the most specific rule (agent over class over ``any_*``) wins, ties going to the more severe.
    """
    matched = [(r, s) for r in interactions if (s := _pair_specificity(r, a, b)) is not None]
    if not matched:
        return None
    contraindicated = [(r, s) for r, s in matched if r.kind == "contraindicated"]
    pool = contraindicated or matched
    return max(pool, key=lambda rs: (rs[1], _SEVERITY[rs[0].kind]))[0]
