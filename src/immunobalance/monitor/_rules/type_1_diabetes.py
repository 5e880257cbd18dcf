"""Type 1 diabetes: stage-specific monitoring (Insel 2015; ADA Standards of Care 2024).

* Stage 1–2 (presymptomatic, ≥ 2 islet autoantibodies): metabolic monitoring; in stage 2,
  teplizumab may delay stage 3 (ADA 2024 §3) — proposed when not yet given.
* Stage 3 (clinical): HbA1c < 7 % for most adults (ADA 2024 §6); above it → optimise the
  glycaemic regimen (insulin). C-peptide change vs the first visit is reported as the
  immunotherapy read-out (β-cell preservation).
"""

from __future__ import annotations

from immunobalance.monitor._action import Action
from immunobalance.monitor._rules._base import Proposal, RuleContext, cite, fmt

__all__ = ["decide"]

HBA1C_TARGET_PCT = 7.0
TARGET = "stage 3: HbA1c < 7 %; stages 1-2: monitoring, delay of stage 3"


def decide(context: RuleContext) -> Action:
    """The monitoring proposal for type 1 diabetes at this visit."""
    visit = context.visit
    stage = visit.indices.get("T1D_STAGE")
    hba1c = context.latest_number("HBA1C")
    reasons: list[str] = []
    change = visit.vs_baseline.get("CPEPTIDE_CHANGE")
    if change is not None:
        reasons.append(f"C-peptide change vs baseline: {change} nmol/L")
    if stage is not None:
        reasons.append(f"stage {fmt(stage.value)} ({stage.category})")
    if stage is not None and stage.value < 3:
        sources = cite("insel_2015", "ada_2024_screening")
        propose = Proposal(TARGET, sources, reasons, index="T1D_STAGE")
        given = "teplizumab" in {m.agent for m in context.patient.medications}
        age = context.patient.age_at(visit.date)
        if stage.value >= 2 and not given and (age is None or age >= 8):
            reasons.append("stage 2 from age 8: teplizumab can delay clinical (stage 3) diabetes")
            return propose.action(
                "add",
                "stage 2: consider teplizumab to delay stage 3",
                at_target=None,
                next_review="glucose and HbA1c every 3-6 months",
            )
        return propose.action(
            "continue",
            "presymptomatic: continue metabolic monitoring",
            at_target=None,
            next_review="glucose and HbA1c every 6-12 months (stage 1) or 3-6 months (stage 2)",
        )
    sources = cite("ada_2024_glycaemic")
    propose = Proposal(TARGET, sources, reasons, index="T1D_STAGE" if stage else None)
    if hba1c is None:
        return propose.action(
            "review",
            "record HbA1c",
            at_target=None,
            next_review="HbA1c every 3 months",
            reasons=[*reasons, "no HbA1c at this visit"],
        )
    at_target = hba1c[0] < HBA1C_TARGET_PCT
    reasons.append(f"HbA1c {fmt(hba1c[0])} % (target < 7 %)")
    return propose.action(
        "continue" if at_target else "optimise_dose",
        "HbA1c at target: continue" if at_target else "HbA1c above 7 %: optimise insulin",
        at_target=at_target,
        next_review="HbA1c every 3 months",
    )
