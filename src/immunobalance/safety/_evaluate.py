"""Evaluate a rule trigger against one patient and one candidate agent (pure functions).

Evaluation returns ``None`` when the trigger does not fire, otherwise a :class:`Match` holding the
patient facts that made it fire (``I50.22``, ``NYHA_CLASS=3``) and, for combination triggers, the
partner agents. A missing fact never fires a threshold or category test; only ``missing: true``
reads absence (used where a label requires a screen before starting).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.knowledge.schema import Agent
from immunobalance.patient.model import Condition, Observation, Patient
from immunobalance.patient.normalise import canonical_category, reads_positive
from immunobalance.safety._schema import (
    AgeTrigger,
    AllOf,
    AlwaysTrigger,
    AnyOf,
    CombinationTrigger,
    ComparisonOp,
    ConditionSpec,
    ConditionTrigger,
    FactTrigger,
    InteractionTrigger,
    MedicationTrigger,
    NotOf,
    ObservationSpec,
    ObservationTrigger,
    SafetyRuleSet,
    SexTrigger,
    Trigger,
)
from immunobalance.safety._select import selector_matches
from immunobalance.units import convert

__all__ = ["Evidence", "Match", "ScreenContext", "evaluate", "threshold_in_default_unit"]

_OPS: dict[ComparisonOp, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_INACTIVE = {"inactive", "resolved", "remission"}


@dataclass(frozen=True)
class Evidence:
    """One patient fact: a short ``token`` for the message and a longer ``text``."""

    token: str
    text: str


@dataclass(frozen=True)
class Match:
    """A trigger that fired: the facts that fired it and any combination partners."""

    evidence: tuple[Evidence, ...] = ()
    partners: tuple[str, ...] = ()

    def __add__(self, other: Match) -> Match:
        ev = tuple(dict.fromkeys(self.evidence + other.evidence))
        return Match(ev, tuple(dict.fromkeys(self.partners + other.partners)))


@dataclass(frozen=True)
class ScreenContext:
    """Everything a trigger may read: the patient, the regimen and the knowledge base."""

    patient: Patient
    kb: KnowledgeBase
    rules: SafetyRuleSet
    as_of: date
    regimen: tuple[str, ...]
    continuing: tuple[str, ...]
    _cache: dict[str, Match | None] = field(default_factory=dict, compare=False)


def _fmt(value: float | bool | str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def threshold_in_default_unit(
    spec: ObservationSpec, kb: KnowledgeBase, rules: SafetyRuleSet
) -> float:
    """The numeric threshold of ``spec`` in the default unit of its observation key.

    ``times_uln`` multiplies the rule set's upper limit of normal; ``value`` in ``unit`` is
    converted with the package unit registry (no factor is guessed: an inconvertible unit is a
    load error).
    """
    biomarker = kb.biomarker(spec.code)
    if spec.times_uln is not None:
        uln = rules.upper_limits_of_normal[spec.code]
        value, unit = spec.times_uln * uln.value, uln.unit
    else:
        assert spec.value is not None
        value = spec.value
        unit = spec.unit or ""
    if biomarker.unit is None or not unit or unit == biomarker.unit:
        return value
    return convert(value, unit, biomarker.unit)


def _observation(spec: ObservationSpec, ctx: ScreenContext) -> Match | None:
    obs: Observation | None = ctx.patient.latest(spec.code, on_or_before=ctx.as_of)
    if spec.missing:
        return (
            Match((Evidence(f"no {spec.code} on record", f"no {spec.code} result"),))
            if obs is None
            else None
        )
    if obs is None:
        return None
    unit = f" {obs.unit}" if obs.unit and obs.unit != "1" else ""
    evidence = Evidence(
        f"{spec.code}={_fmt(obs.value)}{unit}", f"{spec.code} {_fmt(obs.value)}{unit} on {obs.date}"
    )
    if spec.equals is not None:
        if isinstance(spec.equals, bool):
            hit = isinstance(obs.value, bool) and obs.value is spec.equals
        elif spec.equals in {"positive", "negative"}:
            positive = reads_positive(ctx.kb.biomarker(spec.code), obs.value)
            hit = positive is not None and positive == (spec.equals == "positive")
        else:
            hit = isinstance(obs.value, str) and canonical_category(obs.value) == spec.equals
        return Match((evidence,)) if hit else None
    if isinstance(obs.value, bool | str) or spec.op is None:
        return None  # a category cannot be compared with a number: not a trigger
    threshold = threshold_in_default_unit(spec, ctx.kb, ctx.rules)
    return Match((evidence,)) if _OPS[spec.op](float(obs.value), threshold) else None


def _is_active(c: Condition, as_of: date) -> bool:
    return c.clinical_status not in _INACTIVE and (c.abatement is None or c.abatement > as_of)


def _within(c: Condition, years: float, as_of: date) -> bool:
    """Active, undated (counted, conservatively), or ended/started within ``years`` of ``as_of``."""
    if _is_active(c, as_of):
        return True
    end = c.abatement or c.onset
    return end is None or end >= as_of - timedelta(days=365.25 * years)


def _condition(spec: ConditionSpec, ctx: ScreenContext) -> Match | None:
    hits = [
        c
        for c in ctx.patient.matching_conditions(spec.codes)
        if not any(c.matches(x) for x in spec.exclude)
        and (not spec.active_only or _is_active(c, ctx.as_of))
        and (spec.within_years is None or _within(c, spec.within_years, ctx.as_of))
    ]
    if not hits:
        return None
    evidence = []
    for c in hits:
        code = c.code if c.system == "icd10" else f"{c.icd10_equivalent} (SNOMED {c.code})"
        evidence.append(Evidence(code, f"{code} {c.display}" if c.display else code))
    return Match(tuple(evidence))


def _medication(trigger: MedicationTrigger, ctx: ScreenContext) -> Match | None:
    spec = trigger.medication
    evidence = []
    for med in ctx.patient.medications:
        if med.start is not None and med.start > ctx.as_of:
            continue
        current = med.current
        if (spec.status == "current" and not current) or (spec.status == "prior" and current):
            continue
        if selector_matches(spec.select, ctx.kb.agents.get(med.agent), med.agent):
            word = "current" if current else "prior"
            evidence.append(Evidence(f"{word} {med.agent}", f"{word} therapy: {med.agent}"))
    return Match(tuple(dict.fromkeys(evidence))) if evidence else None


def _partners(subject: Agent, ctx: ScreenContext) -> list[tuple[str, bool]]:
    """Other agents given with ``subject``: (key, is_current_therapy)."""
    out = [(k, False) for k in ctx.regimen if k != subject.key]
    out += [(k, True) for k in ctx.continuing if k != subject.key and k not in ctx.regimen]
    return out


def partner_evidence(key: str, current: bool) -> Evidence:
    """How a combination partner is named in a finding."""
    if current:
        return Evidence(f"current {key}", f"{key} (current therapy, continuing)")
    return Evidence(f"with {key}", f"{key} (in the regimen)")


def _combination(trigger: CombinationTrigger, subject: Agent, ctx: ScreenContext) -> Match | None:
    hits = [
        (k, cur)
        for k, cur in _partners(subject, ctx)
        if selector_matches(trigger.combination, ctx.kb.agents.get(k), k)
    ]
    if not hits:
        return None
    return Match(tuple(partner_evidence(k, c) for k, c in hits), tuple(k for k, _ in hits))


def _compare_age(trigger: AgeTrigger, ctx: ScreenContext) -> Match | None:
    age = ctx.patient.age_at(ctx.as_of)
    if age is None or not _OPS[trigger.age.op](age, trigger.age.value):
        return None
    return Match((Evidence(f"age {int(age)}", f"age {age:.1f} years on {ctx.as_of}"),))


def evaluate(trigger: Trigger, subject: Agent, ctx: ScreenContext) -> Match | None:
    """Evaluate ``trigger`` for candidate ``subject``; the :class:`Match` or None.

    ``all`` fires when every part fires (facts are concatenated); ``any`` fires when one part fires
    (facts of every firing part are kept); ``not`` fires when its part does not (no facts).
    Interaction triggers are evaluated pairwise by the screen, not here.
    """
    if isinstance(trigger, AllOf):
        total = Match()
        for part in trigger.all:
            m = evaluate(part, subject, ctx)
            if m is None:
                return None
            total = total + m
        return total
    if isinstance(trigger, AnyOf):
        found = [m for part in trigger.any if (m := evaluate(part, subject, ctx)) is not None]
        if not found:
            return None
        total = Match()
        for m in found:
            total = total + m
        return total
    if isinstance(trigger, NotOf):
        return None if evaluate(trigger.not_, subject, ctx) is not None else Match()
    if isinstance(trigger, ConditionTrigger):
        return _condition(trigger.condition, ctx)
    if isinstance(trigger, ObservationTrigger):
        return _observation(trigger.observation, ctx)
    if isinstance(trigger, MedicationTrigger):
        return _medication(trigger, ctx)
    if isinstance(trigger, AgeTrigger):
        return _compare_age(trigger, ctx)
    if isinstance(trigger, SexTrigger):
        sex = ctx.patient.sex
        return Match((Evidence(f"sex {sex}", f"sex {sex}"),)) if sex == trigger.sex else None
    if isinstance(trigger, FactTrigger):
        if trigger.fact not in ctx._cache:  # facts do not depend on the subject agent
            ctx._cache[trigger.fact] = evaluate(
                ctx.rules.definitions[trigger.fact].trigger, subject, ctx
            )
        return ctx._cache[trigger.fact]
    if isinstance(trigger, CombinationTrigger):
        return _combination(trigger, subject, ctx)
    if isinstance(trigger, AlwaysTrigger):
        return Match()
    if isinstance(trigger, InteractionTrigger):
        raise TypeError("interaction triggers are evaluated pairwise by screen_regimen")
    raise TypeError(f"unknown trigger {trigger!r}")  # pragma: no cover - schema forbids it
