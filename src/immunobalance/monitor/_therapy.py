"""What the patient is on at a visit, from the medication list and the knowledge base.

Treat-to-target rules judge *the therapy under evaluation*: the most recently started current
disease-modifying therapy (a glucocorticoid is bridging, not the strategy being judged). Its start
date sets the clock (months on therapy) and its baseline (activity at or just before the start).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.patient.model import Medication, Patient
from immunobalance.units import UnitError, parse_quantity

__all__ = [
    "CONVENTIONAL_CLASSES",
    "FAILURE_OUTCOMES",
    "TherapyContext",
    "daily_dose_mg",
    "therapy_context",
    "weekly_dose_mg",
]

#: Drug classes that are conventional (not biologic or targeted synthetic) therapy.
CONVENTIONAL_CLASSES = frozenset(
    {
        "csdmard",
        "antimetabolite",
        "antimalarial",
        "aminosalicylate",
        "calcineurin_inhibitor",
        "alkylating_agent",
    }
)
GLUCOCORTICOID = "glucocorticoid"
CHECKPOINT = "checkpoint_inhibitor"
#: Outcomes that count a therapy as failed (primary or secondary non-response).
FAILURE_OUTCOMES = frozenset({"inadequate_response", "loss_of_response"})
#: Mean days per month (365.25 / 12), for "months on therapy".
DAYS_PER_MONTH = 30.4375


def _rate_mg_per(med: Medication, per: str) -> float | None:
    """Dose per ``per`` (``"day"``/``"week"``) in mg, or None when dose or interval is missing or
    not a mass (weight-based doses such as ``8 mg/kg`` are not converted)."""
    if med.dose is None or med.every is None:
        return None
    try:
        amount = parse_quantity(med.dose)
        every = parse_quantity(med.every)
        return float((amount / every).to(f"mg/{per}").magnitude)
    except (UnitError, ValueError, TypeError):  # pint's DimensionalityError is a TypeError
        return None


def daily_dose_mg(med: Medication) -> float | None:
    """Dose in mg/day (e.g. prednisone ``5 mg`` every ``1 day`` → 5.0), or None."""
    return _rate_mg_per(med, "day")


def weekly_dose_mg(med: Medication) -> float | None:
    """Dose in mg/week (e.g. methotrexate ``20 mg`` every ``1 week`` → 20.0), or None."""
    return _rate_mg_per(med, "week")


@dataclass(frozen=True)
class TherapyContext:
    """The therapy situation at one visit.

    Attributes
    ----------
    current
        Therapies current at the visit (started on or before it, not stopped, not failed).
    evaluated
        The therapy under evaluation: the latest-started current non-glucocorticoid therapy
        (None when there is none, or none has a start date).
    months_on_evaluated
        Months from its start to the visit (None without a start date).
    advanced
        Current biologic or targeted synthetic agents.
    conventional
        Current conventional agents (csDMARDs, antimetabolites, antimalarials…).
    glucocorticoid_mg_per_day
        Current prednisone-equivalent dose (None when none is taken or its dose is unknown).
    on_glucocorticoid
        Whether a glucocorticoid is current.
    checkpoint_inhibitors
        Current immune checkpoint inhibitors (autoimmunity as an immune-related adverse event).
    failed_agents, failed_classes
        Agents (and their classes) that ended with inadequate or lost response.
    """

    current: tuple[Medication, ...]
    evaluated: Medication | None
    months_on_evaluated: float | None
    advanced: tuple[str, ...]
    conventional: tuple[str, ...]
    glucocorticoid_mg_per_day: float | None
    on_glucocorticoid: bool
    checkpoint_inhibitors: tuple[str, ...]
    failed_agents: tuple[str, ...]
    failed_classes: tuple[str, ...]

    @property
    def evaluated_start(self) -> date | None:
        return self.evaluated.start if self.evaluated is not None else None


def _current_on(med: Medication, when: date) -> bool:
    started = med.start is None or med.start <= when
    stopped = med.stop is not None and med.stop <= when
    return (
        started
        and not stopped
        and med.outcome
        not in FAILURE_OUTCOMES
        | {
            "intolerance",
            "adverse_event",
        }
    )


def therapy_context(patient: Patient, when: date, kb: KnowledgeBase) -> TherapyContext:
    """The therapy situation of ``patient`` at the visit ``when``.

    Agents the knowledge base does not know are kept in ``current`` but not classified.
    """
    current = tuple(m for m in patient.medications if _current_on(m, when))

    def drug_class(agent: str) -> str | None:
        found = kb.agents.get(agent)
        return found.drug_class if found is not None else None

    advanced, conventional, checkpoint = [], [], []
    gc_dose: float | None = None
    on_gc = False
    for med in current:
        cls = drug_class(med.agent)
        if cls is None:
            continue
        if cls == GLUCOCORTICOID:
            on_gc = True
            dose = daily_dose_mg(med)
            if dose is not None:
                gc_dose = (gc_dose or 0.0) + dose
        elif cls == CHECKPOINT:
            checkpoint.append(med.agent)
        elif cls in CONVENTIONAL_CLASSES:
            conventional.append(med.agent)
        else:
            advanced.append(med.agent)
    dated = [
        m
        for m in current
        if m.start is not None and drug_class(m.agent) not in {GLUCOCORTICOID, CHECKPOINT}
    ]
    evaluated = max(dated, key=lambda m: m.start or date.min) if dated else None
    months = (
        (when - evaluated.start).days / DAYS_PER_MONTH
        if evaluated is not None and evaluated.start is not None
        else None
    )
    failed = [
        m.agent
        for m in patient.medications
        if m.outcome in FAILURE_OUTCOMES and (m.start is None or m.start <= when)
    ]
    failed_classes = [c for c in (drug_class(a) for a in failed) if c is not None]
    return TherapyContext(
        current=current,
        evaluated=evaluated,
        months_on_evaluated=months,
        advanced=tuple(dict.fromkeys(advanced)),
        conventional=tuple(dict.fromkeys(conventional)),
        glucocorticoid_mg_per_day=gc_dose,
        on_glucocorticoid=on_gc,
        checkpoint_inhibitors=tuple(dict.fromkeys(checkpoint)),
        failed_agents=tuple(dict.fromkeys(failed)),
        failed_classes=tuple(dict.fromkeys(failed_classes)),
    )
