"""Ulcerative colitis: STRIDE-II targets read from the Mayo subscores.

Clinical response (short-term): PRO2 (stool frequency + rectal bleeding subscores) down ≥ 50 %
from the therapy start. Clinical remission (intermediate): rectal bleeding 0 and stool frequency
≤ 1. Endoscopic healing (long-term): Mayo endoscopic subscore ≤ 1 (0 preferred), when measured.
"""

from __future__ import annotations

from immunobalance.monitor._action import Action
from immunobalance.monitor._rules._base import RuleContext, fmt
from immunobalance.monitor._rules._ibd import IbdStatus, decide_ibd

__all__ = ["decide"]

TARGET = (
    "STRIDE-II: clinical response (PRO2 -50 %), then clinical remission (rectal bleeding 0, "
    "stool frequency <= 1), then endoscopic healing (Mayo endoscopic subscore <= 1)"
)


def _pro2_at_start(context: RuleContext) -> float | None:
    start = context.therapy.evaluated_start
    if start is None:
        return None
    stool = context.patient.latest("MAYO_STOOL", on_or_before=start)
    bleed = context.patient.latest("MAYO_BLEED", on_or_before=start)
    if stool is None or bleed is None:
        return None
    if not isinstance(stool.value, int | float) or not isinstance(bleed.value, int | float):
        return None
    return float(stool.value) + float(bleed.value)


def decide(context: RuleContext) -> Action:
    """The STRIDE-II proposal for ulcerative colitis at this visit."""
    stool = context.latest_number("MAYO_STOOL")
    bleed = context.latest_number("MAYO_BLEED")
    endo = context.latest_number("MAYO_ENDO")
    index = next((k for k in ("MAYO", "PARTIAL_MAYO") if k in context.visit.indices), None)
    reasons = []
    if index is not None:
        r = context.visit.indices[index]
        reasons.append(f"{index} {fmt(r.value)} ({r.category}) on {context.when.isoformat()}")
    if stool is None or bleed is None:
        status = IbdStatus(
            index, TARGET, None, None, None, ("Mayo stool/bleeding subscores missing",)
        )
        return decide_ibd(context, status)
    pro2 = stool[0] + bleed[0]
    remission = bleed[0] == 0 and stool[0] <= 1
    reasons.append(f"PRO2 {fmt(pro2)} (stool {fmt(stool[0])}, bleeding {fmt(bleed[0])})")
    start = _pro2_at_start(context)
    response = None
    if start is not None and start > 0:
        response = (start - pro2) / start >= 0.5
        reasons.append(
            f"PRO2 at therapy start {fmt(start)}: response {'yes' if response else 'no'}"
        )
    elif "MAYO_RESPONSE" in context.visit.vs_baseline:
        response = bool(context.visit.vs_baseline["MAYO_RESPONSE"])
        reasons.append(f"Mayo response vs baseline: {'yes' if response else 'no'}")
    healing = None if endo is None else endo[0] <= 1
    if endo is not None:
        reasons.append(f"Mayo endoscopic subscore {fmt(endo[0])}")
    crp = context.latest_number("CRP")
    if crp is not None:
        reasons.append(f"CRP {fmt(crp[0])} mg/L ({'normal' if crp[0] <= 5 else 'raised'}, ULN 5)")
    status = IbdStatus(index, TARGET, remission, response, healing, tuple(reasons))
    return decide_ibd(context, status)
