"""The safety screen: every rule against one patient and one candidate regimen (pure).

Status is decided by the worst finding: any ``contraindicated`` finding makes the regimen
contraindicated (never ranked), else any ``caution`` makes it ``caution``, else it is
``recommended``; ``monitor`` notes never change the status.

Current therapy counts: a current medication that continues beside the regimen is combined with
it. A regimen containing an advanced therapy (biologic or targeted synthetic) *replaces* the
patient's current advanced therapy — see :func:`~immunobalance.safety.continuing_therapy`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from immunobalance.knowledge.loader import KnowledgeBase, load_knowledge_base
from immunobalance.knowledge.schema import Agent
from immunobalance.patient.model import Patient
from immunobalance.regimen import RegimenItem
from immunobalance.safety._evaluate import (
    Evidence,
    Match,
    ScreenContext,
    evaluate,
    partner_evidence,
)
from immunobalance.safety._load import load_safety_rules
from immunobalance.safety._schema import (
    CombinationTrigger,
    InteractionTrigger,
    Outcome,
    SafetyRule,
    SafetyRuleSet,
)
from immunobalance.safety._select import (
    continuing_therapy,
    governing_interaction,
    selector_matches,
)

__all__ = ["Finding", "SafetyAssessment", "Status", "screen_agent", "screen_regimen", "status_of"]

Status = Literal["recommended", "caution", "contraindicated"]
_RANK: dict[str, int] = {"contraindicated": 0, "caution": 1, "monitor": 2}


class Finding(BaseModel):
    """One rule that fired for this patient and regimen.

    ``message`` follows the contract's reason style: ``"heart failure NYHA III/IV (I50.22,
    NYHA_CLASS=3): TNF inhibitors may worsen heart failure ..."``; ``fact`` is the patient fact that
    triggered it (``"I50.22 heart failure; NYHA_CLASS 3 on 2026-09-01"``).
    """

    model_config = ConfigDict(frozen=True)

    rule_id: str
    outcome: Outcome
    title: str
    message: str
    agents: tuple[str, ...]
    fact: str
    source: str
    monitoring: str | None = None


class SafetyAssessment(BaseModel):
    """The screen's verdict on one regimen for one patient."""

    model_config = ConfigDict(frozen=True)

    status: Status
    regimen: tuple[str, ...]
    continuing: tuple[str, ...]  # current therapies counted as given with the regimen
    findings: tuple[Finding, ...]
    as_of: date

    @property
    def ranked(self) -> bool:
        """Whether the regimen may take a ranked position (not contraindicated)."""
        return self.status != "contraindicated"

    @property
    def reasons(self) -> list[str]:
        """Messages of contraindications and cautions (the contract's ``reasons``)."""
        return [f.message for f in self.findings if f.outcome != "monitor"]

    @property
    def monitoring(self) -> list[str]:
        """What to check and how often, from every finding that says so (deduplicated)."""
        return list(dict.fromkeys(f.monitoring for f in self.findings if f.monitoring))


def status_of(findings: Iterable[Finding]) -> Status:
    """Worst outcome decides: contraindicated > caution > recommended (monitor notes neutral)."""
    outcomes = {f.outcome for f in findings}
    if "contraindicated" in outcomes:
        return "contraindicated"
    return "caution" if "caution" in outcomes else "recommended"


def _regimen_keys(regimen: Sequence[RegimenItem | str], kb: KnowledgeBase) -> tuple[str, ...]:
    keys = [item if isinstance(item, str) else item.agent for item in regimen]
    for key in keys:
        kb.agent(key)  # UnknownKeyError with suggestions
    return tuple(dict.fromkeys(keys))


def _has_combination(rule: SafetyRule) -> bool:
    from immunobalance.safety._load import _walk

    return any(isinstance(t, CombinationTrigger) for t in _walk(rule.trigger))


def _message(title: str, evidence: Sequence[Evidence], message: str) -> str:
    tokens = ", ".join(e.token for e in evidence)
    return f"{title} ({tokens}): {message}" if tokens else f"{title}: {message}"


def _fact(evidence: Sequence[Evidence]) -> str:
    return "; ".join(e.text for e in evidence) or "applies to every patient"


def _member_evidence(key: str, ctx: ScreenContext) -> Evidence:
    """A regimen member is named by its key; a continuing therapy as ``current <key>``."""
    if key in ctx.regimen:
        return Evidence(key, f"{key} (in the regimen)")
    return partner_evidence(key, True)


def _rule_findings(rule: SafetyRule, agent: Agent, ctx: ScreenContext) -> list[Finding]:
    match: Match | None = evaluate(rule.trigger, agent, ctx)
    if match is None:
        return []
    agents = (agent.key, *match.partners)
    evidence = match.evidence
    if _has_combination(rule):  # name the members the same way whichever one fired the rule
        agents = tuple(sorted(agents))
        evidence = tuple(_member_evidence(k, ctx) for k in agents)
    return [
        Finding(
            rule_id=rule.id,
            outcome=rule.outcome,
            title=rule.title,
            message=_message(rule.title, evidence, rule.message),
            agents=agents,
            fact=_fact(evidence),
            source=rule.source,
            monitoring=rule.monitoring,
        )
    ]


def _interaction_findings(
    rule: SafetyRule,
    trigger: InteractionTrigger,
    agent: Agent,
    ctx: ScreenContext,
    covered: set[frozenset[str]],
) -> list[Finding]:
    out = []
    partners = [(k, False) for k in ctx.regimen if k != agent.key]
    partners += [(k, True) for k in ctx.continuing if k not in ctx.regimen]
    for key, _current in partners:
        pair = frozenset({agent.key, key})
        if pair in covered:
            continue
        other = ctx.kb.agents[key]
        inter = governing_interaction(ctx.kb.interactions, agent, other)
        if inter is None or inter.kind not in trigger.interaction.kinds:
            continue
        covered.add(pair)
        evidence = [_member_evidence(k, ctx) for k in sorted(pair)]
        label = inter.kind.replace("_", " ")
        out.append(
            Finding(
                rule_id=rule.id,
                outcome=rule.outcome,
                title=rule.title,
                message=_message(rule.title, evidence, f"{label}: {inter.reason} {rule.message}"),
                agents=tuple(sorted(pair)),
                fact=_fact(evidence) + f"; interactions.yaml: {inter.a} + {inter.b} ({inter.kind})",
                source=inter.source,
                monitoring=rule.monitoring,
            )
        )
    return out


def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, fact): agents that fired the same rule on the same fact are merged."""
    merged: dict[tuple[str, str], Finding] = {}
    for f in findings:
        key = (f.rule_id, f.fact)
        if key in merged:
            old = merged[key]
            agents = tuple(dict.fromkeys(old.agents + f.agents))
            merged[key] = old.model_copy(update={"agents": agents})
        else:
            merged[key] = f
    return sorted(merged.values(), key=lambda f: _RANK[f.outcome])


def screen_regimen(
    patient: Patient,
    regimen: Sequence[RegimenItem | str],
    kb: KnowledgeBase | None = None,
    *,
    rules: SafetyRuleSet | None = None,
    as_of: date | None = None,
    continuing: Iterable[str] | None = None,
) -> SafetyAssessment:
    """Screen a candidate regimen for one patient against every safety rule.

    Parameters
    ----------
    patient
        The validated patient.
    regimen
        Agent keys or :class:`~immunobalance.regimen.RegimenItem` s of the candidate regimen.
    kb, rules
        Knowledge base and rule set (default: the bundled ones).
    as_of
        Assessment date for ages, "current" therapy and recency windows (default: the patient's
        latest observation date, else today).
    continuing
        Current therapies that continue beside the regimen (default:
        :func:`~immunobalance.safety.continuing_therapy`: the regimen replaces the current
        biologic/targeted synthetic, everything else continues).

    Returns
    -------
    SafetyAssessment
        Status (worst finding) and findings, contraindications first.

    Raises
    ------
    UnknownKeyError
        If a regimen agent is not in the knowledge base.

    Examples
    --------
    >>> from immunobalance.patient import Patient, Condition
    >>> p = Patient(id="x", conditions=(Condition(code="G35"),))
    >>> screen_regimen(p, ["adalimumab"]).status
    'contraindicated'
    """
    kb = kb or load_knowledge_base()
    rules = rules or load_safety_rules(kb=kb)
    keys = _regimen_keys(regimen, kb)
    when = as_of or patient.latest_date() or date.today()
    cont = tuple(continuing) if continuing is not None else continuing_therapy(patient, keys, kb)
    ctx = ScreenContext(patient, kb, rules, when, keys, tuple(k for k in cont if k in kb.agents))
    findings: list[Finding] = []
    covered: set[frozenset[str]] = set()
    interaction_rules = []
    for rule in rules.rules:
        if isinstance(rule.trigger, InteractionTrigger):
            interaction_rules.append((rule, rule.trigger))
            continue
        for key in keys:
            agent = kb.agents[key]
            if selector_matches(rule.applies_to, agent, key):
                new = _rule_findings(rule, agent, ctx)
                if rule.outcome == "contraindicated" and _has_combination(rule):  # judged pairs
                    covered.update(
                        frozenset({a, b}) for f in new for a in f.agents for b in f.agents if a != b
                    )
                findings += new
    for rule, trigger in interaction_rules:
        for key in keys:
            agent = kb.agents[key]
            if selector_matches(rule.applies_to, agent, key):
                findings += _interaction_findings(rule, trigger, agent, ctx, covered)
    final = _merge(findings)
    return SafetyAssessment(
        status=status_of(final),
        regimen=keys,
        continuing=ctx.continuing,
        findings=tuple(final),
        as_of=when,
    )


def screen_agent(
    patient: Patient,
    agent_key: str,
    kb: KnowledgeBase | None = None,
    *,
    rules: SafetyRuleSet | None = None,
    as_of: date | None = None,
    continuing: Iterable[str] | None = None,
) -> SafetyAssessment:
    """Screen one agent given alone (beside the patient's continuing therapy)."""
    return screen_regimen(patient, [agent_key], kb, rules=rules, as_of=as_of, continuing=continuing)
