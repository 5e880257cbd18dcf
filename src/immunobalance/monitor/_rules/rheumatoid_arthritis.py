"""Rheumatoid arthritis: EULAR 2022 treat-to-target (Smolen et al. Ann Rheum Dis 2023).

Target: sustained remission, or at least low disease activity, by a composite measure with joint
counts (CDAI preferred: no laboratory delay; then SDAI, DAS28-CRP, DAS28-ESR). Decision at a
visit, with *t* the months on the therapy under evaluation:

1. remission held ≥ 6 months → taper (glucocorticoid first, then the b/tsDMARD, then csDMARD);
2. at target (remission or low activity) → continue; a current glucocorticoid is tapered
   (item 5: "as rapidly as clinically feasible");
3. not at target, *t* < 3 → continue (too early; reassess at 3 months);
4. not at target, 3 ≤ *t* < 6 → continue if the index improved ≥ 50 % from the therapy start
   (Aletaha 2016: predicts target at 6 months), else adjust;
5. not at target, *t* ≥ 6 (or start unknown) → adjust.

Adjust: on a b/tsDMARD → switch to another mechanism (item 10); on methotrexate below
25 mg/week → optimise the dose (3E, Visser 2009); on a csDMARD with poor-prognosis factors
(RF/ACPA positive, high activity, ≥ 2 failed csDMARDs) → add a b/tsDMARD (item 7), otherwise add
or switch csDMARD (item 8); after methotrexate failure with nothing current → switch class to a
b/tsDMARD.
"""

from __future__ import annotations

from immunobalance.monitor._action import Action, ActionKind
from immunobalance.monitor._rules._base import (
    SUSTAINED_MONTHS,
    Proposal,
    RuleContext,
    cite,
    fmt,
    record_missing,
    streak_months,
    therapy_baseline,
)
from immunobalance.monitor._therapy import weekly_dose_mg

__all__ = ["decide"]

INDEX_PREFERENCE = ("CDAI", "SDAI", "DAS28CRP", "DAS28ESR")
TARGET = {
    "CDAI": "CDAI remission (<= 2.8), or at least low activity (<= 10)",
    "SDAI": "SDAI remission (<= 3.3), or at least low activity (<= 11)",
    "DAS28CRP": "DAS28-CRP remission (< 2.6), or at least low activity (<= 3.2)",
    "DAS28ESR": "DAS28-ESR remission (< 2.6), or at least low activity (<= 3.2)",
}
IMPROVEMENT_AT_3_MONTHS = 0.50
MTX_OPTIMAL_MG_PER_WEEK = 25.0
NEXT_ACTIVE = "in 1-3 months (active disease)"
NEXT_TARGET = "in 3-6 months (target reached)"


def _positive(context: RuleContext, code: str) -> bool:
    obs = context.patient.latest(code, on_or_before=context.when)
    if obs is None:
        return False
    value = obs.value
    if isinstance(value, str):
        return value.lower() == "positive"
    if isinstance(value, bool):
        return value
    # RF > 20 IU/mL and ACPA > 20 U/mL: upper limits of normal of common assays (ACR/EULAR 2010
    # classification criteria use the assay's ULN; 20 is the usual one)
    return float(value) > 20.0


def _poor_prognosis(context: RuleContext, category: str | None) -> list[str]:
    factors = [f"{c} positive" for c in ("RF", "ACPA") if _positive(context, c)]
    if category == "high":
        factors.append("high disease activity")
    csdmard_failures = [
        a
        for a in context.therapy.failed_agents
        if (agent := context.kb.agents.get(a)) is not None and agent.drug_class == "csdmard"
    ]
    if len(csdmard_failures) >= 2:
        factors.append(f"failure of 2 csDMARDs ({', '.join(csdmard_failures)})")
    return factors


def _adjust(context: RuleContext, category: str | None, why: str) -> tuple[ActionKind, str, str]:
    """(kind, summary, reason) of the therapy adjustment."""
    therapy = context.therapy
    failed = ", ".join(c.replace("_", " ") for c in therapy.failed_classes) or "none"
    if therapy.advanced:
        agents = ", ".join(therapy.advanced)
        classes = sorted(
            {context.kb.agents[a].drug_class.replace("_", " ") for a in therapy.advanced}
        )
        return (
            "switch_class",
            f"switch from {agents} to a b/tsDMARD with another mechanism",
            f"{why} on {agents} ({', '.join(classes)}): change to another bDMARD or tsDMARD, "
            f"preferably another mechanism (EULAR 2022 item 10); classes that failed before: "
            f"{failed}",
        )
    mtx = next((m for m in therapy.current if m.agent == "methotrexate"), None)
    if mtx is not None:
        dose = weekly_dose_mg(mtx)
        if dose is not None and dose < MTX_OPTIMAL_MG_PER_WEEK:
            return (
                "optimise_dose",
                f"escalate methotrexate from {fmt(dose)} to {fmt(MTX_OPTIMAL_MG_PER_WEEK)} mg/week",
                f"{why} on methotrexate {fmt(dose)} mg/week: escalate towards "
                f"{fmt(MTX_OPTIMAL_MG_PER_WEEK)} mg/week (or parenteral) before judging it failed "
                "(3E recommendations)",
            )
    if therapy.conventional:
        agents = ", ".join(therapy.conventional)
        factors = _poor_prognosis(context, category)
        if factors:
            return (
                "add",
                f"add a bDMARD or JAK inhibitor to {agents}",
                f"{why} on {agents} with poor-prognosis factors ({'; '.join(factors)}): add a "
                "bDMARD (or a JAK inhibitor after weighing its risk factors) (EULAR 2022 item 7)",
            )
        return (
            "add",
            f"add or change a csDMARD beside {agents}",
            f"{why} on {agents} without poor-prognosis factors: change to or add another "
            "csDMARD (EULAR 2022 item 8)",
        )
    if "methotrexate" in therapy.failed_agents or therapy.failed_classes:
        return (
            "switch_class",
            "start a bDMARD or JAK inhibitor (csDMARD inadequate response)",
            f"{why} after csDMARD failure ({', '.join(therapy.failed_agents)}) with no current "
            "DMARD: start a bDMARD or tsDMARD, combined with a csDMARD where tolerated (EULAR "
            "2022 items 7, 9)",
        )
    return (
        "add",
        "start methotrexate (first treatment strategy)",
        f"{why} and no DMARD is current: methotrexate should be part of the first strategy "
        "(EULAR 2022 item 3)",
    )


def decide(context: RuleContext) -> Action:
    """The EULAR 2022 treat-to-target proposal at this visit (see the module docstring)."""
    visit, therapy = context.visit, context.therapy
    key = next((k for k in INDEX_PREFERENCE if k in visit.indices), None)
    sources = cite("eular_ra_2022", "smolen_t2t_2016")
    if key is None:
        return record_missing(
            "measure a composite activity index (CDAI) to judge the target",
            "no composite disease-activity measure at this visit: record TJC28, SJC28, PTGA "
            "and PHGA (CDAI), with CRP for SDAI/DAS28",
            target=TARGET["CDAI"],
            sources=sources,
        )
    result = visit.indices[key]
    category = result.category
    reasons = [f"{key} {fmt(result.value)} ({category}) on {visit.date.isoformat()}"]
    propose = Proposal(TARGET[key], sources, reasons, index=key)
    previous = visit.previous_indices.get(key)
    if previous is not None and visit.previous_date is not None:
        reasons.append(
            f"previous visit {visit.previous_date.isoformat()}: {key} {fmt(previous.value)} "
            f"({previous.category})"
            + (
                f"; EULAR response {visit.vs_previous['EULAR']}"
                if "EULAR" in visit.vs_previous
                else ""
            )
        )
    for criterion in ("EULAR", "ACR20", "ACR50", "ACR70"):
        if criterion in visit.vs_baseline:
            reasons.append(f"vs baseline: {criterion} {visit.vs_baseline[criterion]}")
    points = visit.series.get(key, [])
    if category == "remission":
        months = streak_months(points, visit.date, lambda p: p.category == "remission")
        if months >= SUSTAINED_MONTHS:
            reasons.append(f"remission sustained for {fmt(months)} months (>= 6)")
            if therapy.on_glucocorticoid:
                kind: ActionKind = "taper"
                summary = "taper and stop the glucocorticoid"
                reasons.append("glucocorticoids are tapered first (EULAR 2022 item 5)")
            elif therapy.advanced:
                kind, summary = "taper", f"consider tapering {', '.join(therapy.advanced)}"
                reasons.append(
                    "persistent remission off glucocorticoids: consider tapering the b/tsDMARD "
                    "(dose reduction or interval extension), especially combined with a csDMARD "
                    "(EULAR 2022 item 11)"
                )
            elif therapy.conventional:
                kind, summary = (
                    "taper",
                    f"consider a cautious taper of {', '.join(therapy.conventional)}",
                )
                reasons.append(
                    "sustained remission on csDMARD alone: a cautious dose reduction may be "
                    "considered (EULAR 2022 item 12)"
                )
            else:
                kind, summary = "continue", "continue: sustained remission without DMARD"
            return propose.action(kind, summary, at_target=True, next_review=NEXT_TARGET)
        reasons.append(
            f"remission for {fmt(months)} months; tapering is considered once it has lasted "
            ">= 6 months"
        )
    if category in ("remission", "low"):
        if therapy.on_glucocorticoid:
            dose = therapy.glucocorticoid_mg_per_day
            reasons.append(
                "target reached on a glucocorticoid"
                + (f" ({fmt(dose)} mg/day)" if dose is not None else "")
                + ": taper it as rapidly as clinically feasible (EULAR 2022 item 5)"
            )
            return propose.action(
                "taper",
                "at target: continue DMARDs, taper the glucocorticoid",
                at_target=True,
                next_review=NEXT_TARGET,
            )
        if category == "low":
            reasons.append("low disease activity is an acceptable target; remission is the aim")
        return propose.action(
            "continue",
            f"at target ({category}): continue current therapy",
            at_target=True,
            next_review=NEXT_TARGET,
        )
    months_on = therapy.months_on_evaluated
    base, how = therapy_baseline(points, therapy.evaluated_start)
    improvement = (
        (base.value - result.value) / base.value
        if base is not None and base.value > 0 and base.date < visit.date
        else None
    )
    if improvement is not None and base is not None:
        reasons.append(
            f"{key} change from {fmt(base.value)} {how}: {fmt(100 * improvement)} % improvement"
        )
    if months_on is not None and therapy.evaluated is not None:
        reasons.append(f"{therapy.evaluated.agent} started {fmt(months_on)} months ago")
    if months_on is not None and months_on < 3:
        reasons.append("too early to judge: adjust if there is no improvement by 3 months")
        return propose.action(
            "continue",
            "not at target yet: continue and reassess at 3 months",
            at_target=False,
            next_review=NEXT_ACTIVE,
        )
    if (
        months_on is not None
        and months_on < 6
        and improvement is not None
        and (improvement >= IMPROVEMENT_AT_3_MONTHS)
    ):
        reasons.append(
            ">= 50 % improvement at 3 months predicts reaching the target by 6 months: continue"
        )
        return propose.action(
            "continue",
            "improving >= 50 %: continue and reassess at 6 months",
            at_target=False,
            next_review=NEXT_ACTIVE,
            sources=[*sources, *cite("aletaha_2016_3_months")],
        )
    if months_on is not None and months_on < 6:
        why = "improvement < 50 % at 3 months"
        extra = cite("aletaha_2016_3_months")
    else:
        why = "target not reached by 6 months" if months_on is not None else "target not reached"
        extra = []
    kind, summary, reason = _adjust(context, category, why)
    reasons.append(reason)
    if kind == "optimise_dose":
        extra = [*extra, *cite("mtx_dose")]
    return propose.action(
        kind, summary, at_target=False, next_review=NEXT_ACTIVE, sources=[*sources, *extra]
    )
