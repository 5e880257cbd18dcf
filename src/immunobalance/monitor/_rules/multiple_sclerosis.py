"""Multiple sclerosis: no evident disease activity (NEDA-3, Giovannoni 2015) as the target;
breakthrough activity on a disease-modifying therapy (DMT) → a more efficacious drug
(ECTRIMS/EAN 2018, Montalban et al.).

Activity at the visit: a relapse in the last 12 months that fell on the DMT (``RELAPSES_12M`` ≥ 1
when the DMT started ≥ 12 months ago; an earlier start makes the count ambiguous and is said),
gadolinium-enhancing lesions (``GD_LESIONS`` > 0), or EDSS worsening from the therapy start by
the progression threshold (+1.5 from 0, +1.0 to 5.5, +0.5 above). The first 6 months of a DMT
are its onset period (re-baseline MRI at about 6 months): activity then does not count as
failure.
"""

from __future__ import annotations

from immunobalance.indices import edss_progression_threshold
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

TARGET = "NEDA-3: no relapses, no disability progression, no new MRI activity"
ONSET_MONTHS = 6.0
NEXT = "clinical review every 6-12 months, MRI yearly"


def decide(context: RuleContext) -> Action:
    """The NEDA-3 proposal for multiple sclerosis at this visit."""
    visit, therapy = context.visit, context.therapy
    sources = cite("neda_2015", "ectrims_ean_2018", "edss_progression")
    months = therapy.months_on_evaluated
    reasons: list[str] = []
    activity: list[str] = []
    relapses = context.latest_number("RELAPSES_12M")
    gd = context.latest_number("GD_LESIONS")
    edss = visit.indices.get("EDSS")
    if relapses is None and gd is None and edss is None:
        return record_missing(
            "record relapses, EDSS and MRI activity",
            "no relapse count, EDSS or MRI lesion count at this visit",
            target=TARGET,
            sources=sources,
        )
    propose = Proposal(TARGET, sources, reasons, index="EDSS" if edss else None)
    if relapses is not None:
        reasons.append(f"relapses in the last 12 months: {fmt(relapses[0])}")
        if relapses[0] >= 1:
            if not (therapy.advanced or therapy.conventional):
                activity.append("relapse in the last 12 months")
            elif months is not None and months < 12:
                reasons.append(
                    "the 12-month relapse count reaches back before the DMT start; only relapses "
                    "on therapy count as breakthrough"
                )
            else:
                activity.append("relapse on therapy")
    if gd is not None:
        reasons.append(f"gadolinium-enhancing lesions: {fmt(gd[0])}")
        if gd[0] > 0:
            activity.append("new MRI activity")
    if edss is not None:
        reasons.append(f"EDSS {fmt(edss.value)} on {visit.date.isoformat()}")
        base, how = therapy_baseline(visit.series.get("EDSS", []), therapy.evaluated_start)
        if base is not None and base.date < visit.date:
            threshold = float(edss_progression_threshold(base.value))
            if edss.value - base.value >= threshold:
                activity.append(
                    f"EDSS worsening {fmt(base.value)} -> {fmt(edss.value)} (>= {fmt(threshold)})"
                )
            reasons.append(f"EDSS {how}: {fmt(base.value)}")
    if visit.vs_baseline.get("CDP12") is True:
        activity.append("12-week confirmed disability progression")
    dmts = [*therapy.advanced, *therapy.conventional]
    if not activity:
        reasons.append("no evident disease activity at this visit")
        return propose.action(
            "continue" if dmts else "review",
            "NEDA: continue" if dmts else "NEDA without DMT: discuss starting a DMT",
            at_target=True,
            next_review=NEXT,
        )
    reasons.append("evident disease activity: " + "; ".join(activity))
    if not dmts:
        return propose.action(
            "add",
            "active MS without DMT: start a disease-modifying therapy",
            at_target=False,
            next_review="MRI re-baseline about 6 months after the start",
        )
    if months is not None and months < ONSET_MONTHS:
        reasons.append(
            f"{fmt(months)} months on therapy: within its onset period; re-baseline MRI at about "
            "6 months"
        )
        return propose.action(
            "continue",
            "activity in the DMT onset period: continue, re-baseline MRI",
            at_target=False,
            next_review="MRI re-baseline at about 6 months",
        )
    reasons.append(
        f"breakthrough activity on {', '.join(dmts)}: offer a more efficacious DMT (ECTRIMS/EAN)"
    )
    return propose.action(
        "switch_class",
        f"breakthrough on {', '.join(dmts)}: escalate to a more efficacious DMT",
        at_target=False,
        next_review="MRI re-baseline about 6 months after the switch",
    )
