"""Systemic lupus erythematosus: remission (DORIS 2021) or LLDAS (Franklyn 2016) as the target,
managed per EULAR 2023 (Fanouriakis et al. Ann Rheum Dis 2024).

* **DORIS remission** — clinical SLEDAI-2K = 0 (the serological items low complement and
  anti-dsDNA not counted), physician global (PGA, 0–3) < 0.5, prednisone ≤ 5 mg/day;
* **LLDAS** — SLEDAI-2K ≤ 4 with no renal, CNS, cardiopulmonary, vasculitis or fever activity,
  no new activity since the previous visit, PGA ≤ 1, prednisone ≤ 7.5 mg/day.

PGA comes from PHGA (0–100 mm × 0.03, as in ``assess``). Decision: sustained remission
≥ 6 months → taper (glucocorticoid first, then immunosuppressants/biologics; hydroxychloroquine
continues); at target on prednisone > 5 mg/day → taper it to ≤ 5; at target → continue; not at
target → continue under 3 months on the therapy, at 3–6 months continue if SLEDAI-2K fell ≥ 4
(the SRI-4 component) else adjust, ≥ 6 months adjust. Adjust: on a biologic → switch class; on
conventional therapy → add belimumab or anifrolumab; on nothing → add hydroxychloroquine.
"""

from __future__ import annotations

from immunobalance.indices import SLEDAI_2K_WEIGHTS
from immunobalance.monitor._action import Action, ActionKind
from immunobalance.monitor._rules._base import (
    SUSTAINED_MONTHS,
    Proposal,
    RuleContext,
    cite,
    fmt,
    record_missing,
    therapy_baseline,
)
from immunobalance.monitor._visit import IndexPoint

__all__ = ["clinical_sledai", "decide", "lupus_state"]

TARGET = "DORIS remission, or at least LLDAS"
SEROLOGY = ("LOWCOMPLEMENT", "DNA")
MAJOR_ORGAN = (
    "CASTS",
    "HEMATURIA",
    "PROTEINURIA",
    "PYURIA",
    "SEIZURE",
    "PSYCHOSIS",
    "OBS",
    "VISUAL",
    "CRANIAL",
    "HEADACHE",
    "CVA",
    "PLEURISY",
    "PERICARDITIS",
    "VASCULITIS",
    "FEVER",
)
PHGA_MM_TO_PGA = 0.03
NEXT_ACTIVE = "in 1-3 months (active disease)"
NEXT_TARGET = "in 3-6 months (target reached)"


def _present(context: RuleContext, item: str) -> bool | None:
    found = context.latest_number(f"SLEDAI_{item}")
    return None if found is None else found[0] > 0


def clinical_sledai(context: RuleContext) -> float | None:
    """SLEDAI-2K without its serological items (DORIS), or None if descriptors are missing."""
    total = 0.0
    for item, weight in SLEDAI_2K_WEIGHTS.items():
        present = _present(context, item)
        if present is None:
            return None
        if present and item not in SEROLOGY:
            total += weight
    return total


def lupus_state(
    context: RuleContext, sledai: float, new_activity: bool
) -> tuple[str | None, list[str]]:
    """``"remission"``, ``"lldas"``, ``"active"`` or None (PGA missing), with the reasons."""
    reasons: list[str] = []
    phga = context.latest_number("PHGA")
    clinical = clinical_sledai(context)
    gc = context.therapy.glucocorticoid_mg_per_day if context.therapy.on_glucocorticoid else 0.0
    if phga is None:
        return None, ["physician global (PHGA) not recorded: LLDAS/remission cannot be judged"]
    pga = phga[0] * PHGA_MM_TO_PGA
    gc_text = "unknown" if gc is None else f"{fmt(gc)} mg/day"
    reasons.append(
        f"clinical SLEDAI-2K {fmt(clinical) if clinical is not None else '?'}; PGA {fmt(pga)} "
        f"(PHGA {fmt(phga[0])} mm); prednisone {gc_text}"
    )
    if clinical == 0 and pga < 0.5 and gc is not None and gc <= 5.0:
        return "remission", reasons
    major = [i for i in MAJOR_ORGAN if _present(context, i)]
    if major:
        reasons.append(f"major-organ activity: {', '.join(major)}")
    if new_activity:
        reasons.append("new activity since the previous visit")
    if (
        sledai <= 4
        and not major
        and not new_activity
        and pga <= 1.0
        and gc is not None
        and (gc <= 7.5)
    ):
        return "lldas", reasons
    return "active", reasons


def _new_activity(context: RuleContext) -> bool:
    """Any SLEDAI descriptor present now and absent at the previous assessment visit."""
    previous = context.visit.previous_date
    if previous is None:
        return False
    for item in SLEDAI_2K_WEIGHTS:
        now = context.patient.latest(f"SLEDAI_{item}", on_or_before=context.when)
        before = context.patient.latest(f"SLEDAI_{item}", on_or_before=previous)
        if now is not None and before is not None and now.value is True and before.value is False:
            return True
    return False


def _sustained(points: list[IndexPoint], state_now: str) -> float:
    """Months the SLEDAI-2K has stayed at or below its current value's target band (≤ 4)."""
    if state_now not in ("remission", "lldas"):
        return 0.0
    upto = list(points)
    first = upto[-1].date
    for p in reversed(upto):
        if p.value > 4:
            break
        first = p.date
    return (upto[-1].date - first).days / 30.4375


def decide(context: RuleContext) -> Action:
    """The EULAR 2023 treat-to-target proposal for SLE at this visit."""
    visit, therapy = context.visit, context.therapy
    sources = cite("doris_2021", "lldas_2016", "eular_sle_2023")
    result = visit.indices.get("SLEDAI2K")
    if result is None:
        return record_missing(
            "record all SLEDAI-2K descriptors and the PGA",
            "SLEDAI-2K is not complete at this visit (all 24 descriptors needed)",
            target=TARGET,
            sources=sources,
        )
    reasons = [f"SLEDAI-2K {fmt(result.value)} ({result.category}) on {visit.date.isoformat()}"]
    propose = Proposal(TARGET, sources, reasons, index="SLEDAI2K")
    state, why = lupus_state(context, result.value, _new_activity(context))
    reasons += why
    if state is None:
        return propose.action(
            "review",
            "record the physician global assessment (PGA)",
            at_target=None,
            next_review="at the next visit",
        )
    gc = therapy.glucocorticoid_mg_per_day
    if state in ("remission", "lldas"):
        reasons.append(f"{'DORIS remission' if state == 'remission' else 'LLDAS'} reached")
        months = _sustained(visit.series.get("SLEDAI2K", []), state)
        if state == "remission" and months >= SUSTAINED_MONTHS:
            reasons.append(f"sustained for {fmt(months)} months")
            if therapy.on_glucocorticoid:
                summary = "sustained remission: withdraw the glucocorticoid"
            else:
                others = [
                    a
                    for a in (*therapy.advanced, *therapy.conventional)
                    if a != "hydroxychloroquine"
                ]
                if not others:
                    return propose.action(
                        "continue",
                        "sustained remission on hydroxychloroquine: continue",
                        at_target=True,
                        next_review=NEXT_TARGET,
                    )
                summary = f"sustained remission: consider tapering {', '.join(others)} (keep HCQ)"
            return propose.action("taper", summary, at_target=True, next_review=NEXT_TARGET)
        if therapy.on_glucocorticoid and (gc is None or gc > 5.0):
            reasons.append(
                "glucocorticoid maintenance should be <= 5 mg/day and withdrawn if possible"
            )
            return propose.action(
                "taper",
                "at target: taper prednisone to <= 5 mg/day",
                at_target=True,
                next_review=NEXT_TARGET,
            )
        return propose.action(
            "continue",
            f"at target ({state.upper()}): continue",
            at_target=True,
            next_review=NEXT_TARGET,
        )
    months_on = therapy.months_on_evaluated
    base, how = therapy_baseline(visit.series.get("SLEDAI2K", []), therapy.evaluated_start)
    drop = base.value - result.value if base is not None and base.date < visit.date else None
    if drop is not None:
        reasons.append(f"SLEDAI-2K change from {fmt(base.value)} {how}: {fmt(-drop)} points")  # type: ignore[union-attr]
    if months_on is not None and months_on < 3:
        reasons.append(f"{fmt(months_on)} months on {therapy.evaluated.agent}: too early to judge")  # type: ignore[union-attr]
        return propose.action(
            "continue",
            "not at target yet: continue, reassess in 1-3 months",
            at_target=False,
            next_review=NEXT_ACTIVE,
        )
    if months_on is not None and months_on < 6 and drop is not None and drop >= 4:
        reasons.append("SLEDAI-2K fell >= 4 points (SRI-4 component): improving, continue")
        return propose.action(
            "continue",
            "improving: continue, reassess in 1-3 months",
            at_target=False,
            next_review=NEXT_ACTIVE,
        )
    kind: ActionKind
    if therapy.advanced:
        kind = "switch_class"
        summary = f"persistent activity on {', '.join(therapy.advanced)}: switch mechanism"
    elif therapy.conventional:
        kind = "add"
        summary = "persistent activity: add belimumab or anifrolumab"
        if therapy.on_glucocorticoid and (gc is None or gc > 5.0):
            reasons.append(
                "glucocorticoid dependence (> 5 mg/day) is itself a reason to add a biologic"
            )
    else:
        kind, summary = "add", "start hydroxychloroquine (all patients unless contraindicated)"
    reasons.append("not at target: adjust therapy (EULAR 2023)")
    return propose.action(kind, summary, at_target=False, next_review=NEXT_ACTIVE)
