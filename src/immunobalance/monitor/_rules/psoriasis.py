"""Psoriasis: treatment goals of the European consensus (Mrowietz et al. 2011), as used by the
EuroGuiDerm guideline (Nast et al. 2020).

Judged at the end of induction (≥ 10 weeks on the therapy) and every 8 weeks in maintenance, on
PASI relative to the therapy start:

* ΔPASI ≥ 75 % → continue (goal met);
* 50 % ≤ ΔPASI < 75 % → modify unless DLQI ≤ 5; DLQI is not in the record vocabulary, so the
  proposal is to optimise (dose, interval, add topical) and the reason says to check DLQI;
* ΔPASI < 50 % → modify: switch to another mechanism (biologic or conventional failure alike).

Before 10 weeks the therapy continues (induction). Without any systemic therapy, moderate to
severe psoriasis (PASI > 10, "rule of tens") → start a systemic therapy.
"""

from __future__ import annotations

from immunobalance.monitor._action import Action
from immunobalance.monitor._rules._base import (
    Proposal,
    RuleContext,
    cite,
    fmt,
    record_missing,
    therapy_baseline,
)

__all__ = ["decide"]

TARGET = "PASI75 vs the therapy start at 10-16 weeks and every 8 weeks after (PASI90 optimal)"
INDUCTION_WEEKS = 10.0
MODERATE_SEVERE_PASI = 10.0
NEXT = "every 8 weeks in maintenance"


def decide(context: RuleContext) -> Action:
    """The treatment-goal proposal for psoriasis at this visit (see the module docstring)."""
    visit, therapy = context.visit, context.therapy
    sources = cite("psoriasis_goals", "euroguiderm_psoriasis")
    result = visit.indices.get("PASI")
    if result is None:
        return record_missing(
            "record PASI to judge the treatment goal",
            "no PASI at this visit",
            target=TARGET,
            sources=sources,
        )
    reasons = [f"PASI {fmt(result.value)} ({result.category}) on {visit.date.isoformat()}"]
    propose = Proposal(TARGET, sources, reasons, index="PASI")
    systemic = [*therapy.advanced, *therapy.conventional]
    if not systemic:
        if result.value > MODERATE_SEVERE_PASI:
            reasons.append("moderate-to-severe psoriasis (PASI > 10) without systemic therapy")
            return propose.action(
                "add",
                "start a systemic therapy (PASI > 10)",
                at_target=False,
                next_review="at 10-16 weeks",
            )
        return propose.action(
            "continue",
            "mild psoriasis: topical therapy, no systemic change",
            at_target=None,
            next_review="at the next visit",
        )
    base, how = therapy_baseline(visit.series.get("PASI", []), therapy.evaluated_start)
    weeks = (
        therapy.months_on_evaluated * 30.4375 / 7
        if therapy.months_on_evaluated is not None
        else None
    )
    if therapy.evaluated is not None and weeks is not None:
        reasons.append(f"{therapy.evaluated.agent} for {fmt(weeks)} weeks")
    if base is None or base.date >= visit.date or base.value <= 0:
        reasons.append("no earlier PASI to compare with: this visit is the baseline")
        return propose.action(
            "continue",
            "baseline recorded: continue and reassess at 10-16 weeks",
            at_target=None,
            next_review="at 10-16 weeks",
        )
    change = (base.value - result.value) / base.value
    reasons.append(f"PASI change from {fmt(base.value)} {how}: {fmt(100 * change)} % improvement")
    if weeks is not None and weeks < INDUCTION_WEEKS:
        reasons.append("still in induction (< 10 weeks): the goal is judged at 10-16 weeks")
        return propose.action(
            "continue",
            "induction: continue and judge at 10-16 weeks",
            at_target=change >= 0.75,
            next_review="at 10-16 weeks",
        )
    if change >= 0.75:
        level = "PASI90" if change >= 0.90 else "PASI75"
        reasons.append(f"{level} reached: treatment goal met")
        return propose.action(
            "continue", f"goal met ({level}): continue", at_target=True, next_review=NEXT
        )
    agents = ", ".join(systemic)
    if change >= 0.50:
        reasons.append(
            "PASI50 but not PASI75: modify unless the DLQI is <= 5 (DLQI is not recorded; "
            "check it): optimise dose or interval, or add a topical/conventional agent"
        )
        return propose.action(
            "optimise_dose",
            f"PASI50-75: optimise {agents} (check DLQI)",
            at_target=False,
            next_review=NEXT,
        )
    failed = ", ".join(c.replace("_", " ") for c in therapy.failed_classes) or "none"
    reasons.append(
        f"< PASI50: treatment goal not met on {agents}; switch to another mechanism (classes "
        f"that failed before: {failed})"
    )
    return propose.action(
        "switch_class",
        f"< PASI50: switch from {agents} to another mechanism",
        at_target=False,
        next_review="at 10-16 weeks of the new therapy",
    )
