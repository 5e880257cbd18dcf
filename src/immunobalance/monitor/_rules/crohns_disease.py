"""Crohn's disease: STRIDE-II targets read from the Harvey–Bradshaw index and CRP.

Clinical response: HBI down ≥ 3 from the therapy start; clinical remission: HBI < 5 and CRP
normalised (≤ 5 mg/L, a common upper limit of normal) when measured. Endoscopic healing (SES-CD)
is not in the record vocabulary, so the long-term target is never judged met from data here.
"""

from __future__ import annotations

from immunobalance.monitor._action import Action
from immunobalance.monitor._rules._base import RuleContext, fmt, therapy_baseline
from immunobalance.monitor._rules._ibd import IbdStatus, decide_ibd

__all__ = ["decide"]

TARGET = (
    "STRIDE-II: clinical response (HBI -3), then clinical remission (HBI < 5) with normal CRP, "
    "then endoscopic healing"
)
CRP_ULN_MG_PER_L = 5.0


def decide(context: RuleContext) -> Action:
    """The STRIDE-II proposal for Crohn's disease at this visit."""
    visit = context.visit
    result = visit.indices.get("HBI")
    if result is None:
        status = IbdStatus(None, TARGET, None, None, None, ("no HBI at this visit",))
        return decide_ibd(context, status)
    reasons = [f"HBI {fmt(result.value)} ({result.category}) on {visit.date.isoformat()}"]
    crp = context.latest_number("CRP")
    crp_normal = None if crp is None else crp[0] <= CRP_ULN_MG_PER_L
    if crp is not None:
        reasons.append(f"CRP {fmt(crp[0])} mg/L ({'normal' if crp_normal else 'raised'}, ULN 5)")
    remission = result.value < 5 and crp_normal is not False
    base, how = therapy_baseline(visit.series.get("HBI", []), context.therapy.evaluated_start)
    response = None
    if base is not None and base.date < visit.date:
        response = base.value - result.value >= 3
        reasons.append(f"HBI change from {fmt(base.value)} {how}: {fmt(result.value - base.value)}")
    reasons.append("endoscopic healing (SES-CD) is not recorded: long-term target not assessable")
    return decide_ibd(context, IbdStatus("HBI", TARGET, remission, response, None, tuple(reasons)))
