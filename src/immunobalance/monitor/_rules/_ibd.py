"""Inflammatory bowel disease: STRIDE-II staged targets (Turner et al. Gastroenterology 2021).

STRIDE-II orders the targets in time: **short-term** clinical response, **intermediate**
clinical remission (and CRP normalisation), **long-term** endoscopic healing and normal quality
of life. The expected time to each depends on the drug; we use the common horizons 3 months
(response), 6 months (remission) and 12 months (endoscopic healing), and say so in the reasons.

Decision, with *t* the months on the therapy under evaluation:

* clinical remission (+ endoscopic healing when measured) → continue; a current
  glucocorticoid is tapered (steroid-free remission is the target);
* no response at *t* ≥ 3 → switch to another mechanism (primary non-response);
* response without remission at *t* ≥ 6 → optimise the dose or interval of the biologic
  (or add one to conventional therapy);
* endoscopy measured and not healed at *t* ≥ 12 → optimise/switch;
* otherwise continue and reassess at the next horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

from immunobalance.monitor._action import Action, ActionKind
from immunobalance.monitor._rules._base import Proposal, RuleContext, cite, fmt

__all__ = ["IbdStatus", "decide_ibd"]

RESPONSE_MONTHS, REMISSION_MONTHS, HEALING_MONTHS = 3.0, 6.0, 12.0
NEXT_ACTIVE = "in 1-3 months (active disease)"
NEXT_TARGET = "in 3-6 months, with endoscopy by 6-12 months"


@dataclass(frozen=True)
class IbdStatus:
    """A disease-specific reading of the STRIDE-II targets at the visit."""

    index: str | None
    target: str
    remission: bool | None
    response: bool | None
    endoscopic_healing: bool | None
    reasons: tuple[str, ...]


def decide_ibd(context: RuleContext, status: IbdStatus) -> Action:
    """STRIDE-II proposal from a disease's :class:`IbdStatus`."""
    therapy = context.therapy
    sources = cite("stride_2")
    reasons = list(status.reasons)
    propose = Proposal(status.target, sources, reasons, index=status.index)
    months = therapy.months_on_evaluated
    if therapy.evaluated is not None and months is not None:
        reasons.append(f"{therapy.evaluated.agent} for {fmt(months)} months")
    if status.remission is None:
        return propose.action(
            "review",
            "record the activity score to judge the STRIDE-II targets",
            at_target=None,
            next_review="at the next visit",
        )
    agents = [*therapy.advanced, *therapy.conventional]
    if status.remission:
        if status.endoscopic_healing is False and months is not None and months >= HEALING_MONTHS:
            reasons.append("clinical remission but no endoscopic healing at >= 12 months")
            kind: ActionKind = "optimise_dose" if therapy.advanced else "add"
            return propose.action(
                kind,
                "long-term target (endoscopic healing) not met: intensify",
                at_target=False,
                next_review=NEXT_ACTIVE,
            )
        if therapy.on_glucocorticoid:
            reasons.append("remission on a glucocorticoid: the target is steroid-free remission")
            return propose.action(
                "taper",
                "clinical remission: taper the glucocorticoid",
                at_target=True,
                next_review=NEXT_TARGET,
            )
        if status.endoscopic_healing is None:
            reasons.append("endoscopic healing (long-term target) not yet assessed")
        return propose.action(
            "continue", "clinical remission: continue", at_target=True, next_review=NEXT_TARGET
        )
    if not agents:
        reasons.append("active disease without maintenance therapy")
        return propose.action(
            "add", "start maintenance therapy", at_target=False, next_review=NEXT_ACTIVE
        )
    if months is None or months >= RESPONSE_MONTHS:
        if status.response is False:
            reasons.append(
                "no clinical response by 3 months (short-term target): primary non-response"
            )
            failed = ", ".join(c.replace("_", " ") for c in therapy.failed_classes) or "none"
            if therapy.advanced:
                summary = f"no response to {', '.join(therapy.advanced)}: switch mechanism"
                kind = "switch_class"
            else:
                summary = "no response to conventional therapy: add an advanced therapy"
                kind = "add"
            reasons.append(f"classes that failed before: {failed}")
            return propose.action(kind, summary, at_target=False, next_review=NEXT_ACTIVE)
        if months is None or months >= REMISSION_MONTHS:
            reasons.append("response without clinical remission by 6 months (intermediate target)")
            if therapy.advanced:
                return propose.action(
                    "optimise_dose",
                    f"optimise {', '.join(therapy.advanced)} (dose or interval)",
                    at_target=False,
                    next_review=NEXT_ACTIVE,
                )
            return propose.action(
                "add", "add an advanced therapy", at_target=False, next_review=NEXT_ACTIVE
            )
    reasons.append("within the expected time to the next target: continue")
    return propose.action(
        "continue",
        "not at target yet: continue and reassess",
        at_target=False,
        next_review=NEXT_ACTIVE,
    )
