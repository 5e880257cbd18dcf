"""Reasons, warnings and evidence of one option, in words a clinician can check.

Reasons are computed, not templated guesses: the twin's prediction beside the population's, the
observation groups whose removal would move the prediction most (leave-one-group-out influence,
:meth:`~immunobalance.twin.TwinEnsemble.influences`), the history that down-ranked it, and the
predicted serious-infection risk.
"""

from __future__ import annotations

from collections.abc import Sequence

from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.safety import SafetyAssessment
from immunobalance.twin import Influence, WeightedProbability

__all__ = ["MECHANISM_LABEL", "evidence_lines", "influence_reason", "warning_lines"]

#: Class → how a reason names the mechanism.
MECHANISM_LABEL = {
    "anti_cd20": "B-cell depletion",
    "car_t_cell": "B-cell depletion (CAR-T)",
    "ifnar_inhibitor": "type I IFN receptor blockade",
    "baff_inhibitor": "BAFF inhibition",
    "tnf_inhibitor": "TNF inhibition",
    "il6r_inhibitor": "IL-6 receptor blockade",
    "costimulation_blocker": "co-stimulation blockade",
    "jak_inhibitor": "JAK inhibition",
    "il17_inhibitor": "IL-17 inhibition",
    "il23_inhibitor": "IL-23 inhibition",
    "il12_23_inhibitor": "IL-12/23 inhibition",
    "integrin_inhibitor": "integrin (trafficking) blockade",
    "anti_cd3": "anti-CD3",
    "calcineurin_inhibitor": "calcineurin inhibition",
}

#: Minimum influence (absolute change in probability) worth stating as a reason.
MIN_INFLUENCE = 0.02


def _group_phrase(inf: Influence) -> str:
    texts = "; ".join(inf.texts)
    if inf.group == "seropositivity":
        positive = any("positive" in t for t in inf.texts)
        return f"{'seropositive' if positive else 'seronegative'} ({texts})"
    return f"{inf.group} ({texts})"


def influence_reason(inf: Influence, mechanism: str) -> str:
    """E.g. ``"seropositive (RF 86 ...): B-cell depletion predicted more effective (+9 ...)"``."""
    direction = "more" if inf.delta > 0 else "less"
    return (
        f"{_group_phrase(inf)}: {mechanism} predicted {direction} effective "
        f"({100 * inf.delta:+.0f} percentage points from this evidence)"
    )


def fmt_probability(wp: WeightedProbability) -> str:
    lo, hi = wp.ci95
    return f"{100 * wp.probability:.0f} % (95 % CI {100 * lo:.0f}–{100 * hi:.0f} %)"


def warning_lines(safety: SafetyAssessment) -> list[str]:
    """Caution messages with their monitoring, then monitoring-only notes."""
    out = []
    for f in safety.findings:
        if f.outcome == "caution":
            line = f.message + (f" — monitoring: {f.monitoring}" if f.monitoring else "")
            out.append(line)
    for f in safety.findings:
        if f.outcome == "monitor":
            out.append(f"monitor ({f.title}): {f.monitoring or f.message}")
    return out


def evidence_lines(
    agents: Sequence[str], disease: str, kb: KnowledgeBase, extra: Sequence[str] = ()
) -> list[str]:
    """Approval status and label dosing source of each agent, then extra lines (guidelines,
    calibration)."""
    out = []
    for key in agents:
        agent = kb.agents[key]
        ap = agent.approval_for(disease)
        if ap is not None:
            where = ", ".join(str(x) for x in (ap.region, ap.year) if x)
            what = f" — {ap.indication}" if ap.indication else ""
            out.append(
                f"{key}: {ap.status.replace('_', ' ')} for {disease.replace('_', ' ')}"
                f"{f' ({where})' if where else ''}{what}; source: {ap.source}"
            )
        dosing = next((d for d in agent.dosing if d.disease == disease and d.standard), None)
        if dosing is not None:
            out.append(f"{key} dose: {dosing.label or 'label standard regimen'} ({dosing.source})")
    return out + list(extra)
