"""A follow-up visit, reviewed: assessment, treat-to-target action, safety of the current therapy,
and — when a recommendation is at hand — the re-weighted twin's candidates for the action.

``review_visit`` is pure: it reads the patient (with the new visit), the knowledge base and
optionally the ``recommend --format json`` document computed for the same record, whose twin is
the calibrated population re-weighted by everything recorded, the new visit included.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from immunobalance.errors import UnknownKeyError
from immunobalance.knowledge.loader import KnowledgeBase, load_knowledge_base
from immunobalance.monitor._action import Action
from immunobalance.monitor._rules import RULES, RuleContext
from immunobalance.monitor._therapy import TherapyContext, therapy_context
from immunobalance.monitor._visit import VisitAssessment, assess_visit
from immunobalance.patient.model import Patient
from immunobalance.safety import screen_regimen

__all__ = ["SafetyAlert", "VisitReview", "candidates_for", "review_visit", "therapy_alerts"]

MAX_CANDIDATES = 3


class SafetyAlert(BaseModel):
    """A safety rule that fires on the patient's *current* therapy.

    ``severity`` is ``critical`` for a contraindication (the therapy should not continue as is,
    e.g. an immune checkpoint inhibitor driving the autoimmunity) and ``warning`` for a caution.
    """

    model_config = ConfigDict(frozen=True)

    severity: Literal["critical", "warning"]
    rule_id: str
    title: str
    message: str
    agents: list[str]
    fact: str
    source: str
    monitoring: str | None = None


class VisitReview(BaseModel):
    """Everything the monitor says about one visit (stored as the action's payload)."""

    model_config = ConfigDict(frozen=True)

    patient: str
    date: date
    disease: str | None
    assessment: VisitAssessment
    action: Action
    current_therapy: list[str] = Field(default_factory=list)
    safety_alerts: list[SafetyAlert] = Field(default_factory=list)
    twin: dict[str, Any] | None = None


def therapy_alerts(
    patient: Patient, therapy: TherapyContext, kb: KnowledgeBase, when: date
) -> list[SafetyAlert]:
    """Contraindications (critical) and cautions (warning) of the current therapy, screened as
    one regimen by :func:`immunobalance.safety.screen_regimen`."""
    agents = [m.agent for m in therapy.current if m.agent in kb.agents]
    if not agents:
        return []
    screen = screen_regimen(patient, list(dict.fromkeys(agents)), kb, as_of=when, continuing=())
    alerts = [
        SafetyAlert(
            severity="critical" if f.outcome == "contraindicated" else "warning",
            rule_id=f.rule_id,
            title=f.title,
            message=f.message,
            agents=list(f.agents),
            fact=f.fact,
            source=f.source,
            monitoring=f.monitoring,
        )
        for f in screen.findings
        if f.outcome in ("contraindicated", "caution")
    ]
    return sorted(alerts, key=lambda a: a.severity != "critical")


def _option_agents(option: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(str(item["agent"]) for item in option.get("regimen", [])))


def candidates_for(
    action: Action, therapy: TherapyContext, recommendation: dict[str, Any], kb: KnowledgeBase
) -> list[dict[str, Any]]:
    """The twin's ranked options that carry out ``action`` (best first, at most 3).

    ``switch_class`` keeps options whose classes differ from the current advanced therapy's and
    from classes that failed; ``add`` keeps options that contain a current agent plus another
    (or any option when nothing is current); other actions take none.
    """
    if action.kind not in ("switch_class", "add"):
        return []

    def classes(agents: list[str]) -> set[str]:
        return {kb.agents[a].drug_class for a in agents if a in kb.agents}

    avoid = classes(list(therapy.advanced)) | set(therapy.failed_classes)
    current = {m.agent for m in therapy.current}
    picked = []
    for option in recommendation.get("options", []):
        if option.get("rank") is None:
            continue
        agents = _option_agents(option)
        if action.kind == "switch_class":
            new = [a for a in agents if a not in current]
            if not new or classes(new) & avoid:
                continue
        elif current and not (set(agents) & current and set(agents) - current):
            continue
        predicted = option.get("predicted") or {}
        picked.append(
            {
                "rank": option["rank"],
                "agents": agents,
                "status": option.get("status"),
                "endpoint": predicted.get("endpoint"),
                "probability": predicted.get("probability"),
                "ci95": predicted.get("ci95"),
            }
        )
        if len(picked) == MAX_CANDIDATES:
            break
    return picked


def review_visit(
    patient: Patient,
    when: date | None = None,
    *,
    kb: KnowledgeBase | None = None,
    recommendation: dict[str, Any] | None = None,
) -> VisitReview:
    """Review the visit on ``when`` (default: the latest) of ``patient``.

    Parameters
    ----------
    patient
        The validated patient, the new visit included.
    when
        The visit date (observations after it are ignored).
    kb
        Knowledge base (default: bundled).
    recommendation
        ``recommend --format json`` for this record: its twin (re-weighted with the new visit)
        supplies the candidates of an ``add``/``switch_class`` action and the ``twin`` summary.

    Returns
    -------
    VisitReview
        Without an index disease the action is ``review`` and says why.
    """
    kb = kb or load_knowledge_base()
    visit = assess_visit(patient, when)
    therapy = therapy_context(patient, visit.date, kb)
    current = [m.agent for m in therapy.current]
    if visit.disease is None:
        action = Action(
            kind="review",
            summary="no index disease coded: no treat-to-target rule applies",
            target="",
            at_target=None,
            reasons=list(visit.notes),
        )
    else:
        rule = RULES.get(visit.disease)
        if rule is None:
            raise UnknownKeyError("treat-to-target rule", visit.disease, list(RULES))
        action = rule(RuleContext(visit, therapy, patient, kb))
    alerts = therapy_alerts(patient, therapy, kb, visit.date)
    if any(a.severity == "critical" for a in alerts):
        critical = "; ".join(a.message for a in alerts if a.severity == "critical")
        action = action.model_copy(
            update={"reasons": [*action.reasons, f"safety of the current therapy: {critical}"]}
        )
    twin = None
    if recommendation is not None:
        action = action.model_copy(
            update={"candidates": candidates_for(action, therapy, recommendation, kb)}
        )
        twin = dict(recommendation.get("twin") or {})
    return VisitReview(
        patient=patient.id,
        date=visit.date,
        disease=visit.disease,
        assessment=visit,
        action=action,
        current_therapy=current,
        safety_alerts=alerts,
        twin=twin,
    )
