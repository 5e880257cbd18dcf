"""Load ``knowledge/data/safety_rules.yaml`` and check it against the knowledge base.

Pydantic checks the shape; this module checks what only the knowledge base can say: that agent
keys, classes and observation codes exist, that units convert to the observation's default unit,
that categories are ones the observation has, that ICD-10-CM codes are well formed, and that named
facts exist and do not loop. Every problem is reported at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from immunobalance.errors import KnowledgeBaseError
from immunobalance.knowledge.codes import is_icd10cm
from immunobalance.knowledge.loader import KnowledgeBase, data_dir, load_knowledge_base
from immunobalance.safety._schema import (
    AgentSelector,
    AllOf,
    AnyOf,
    CombinationTrigger,
    ConditionTrigger,
    FactTrigger,
    InteractionTrigger,
    MedicationTrigger,
    NotOf,
    ObservationTrigger,
    SafetyRuleSet,
    Trigger,
)
from immunobalance.units import UnitError, convert

__all__ = ["default_rules_path", "load_safety_rules", "validate_rule_set"]


def default_rules_path() -> Path:
    """The bundled rule file."""
    return data_dir() / "safety_rules.yaml"


def _walk(trigger: Trigger) -> Iterator[Trigger]:
    yield trigger
    if isinstance(trigger, AllOf):
        for t in trigger.all:
            yield from _walk(t)
    elif isinstance(trigger, AnyOf):
        for t in trigger.any:
            yield from _walk(t)
    elif isinstance(trigger, NotOf):
        yield from _walk(trigger.not_)


def _icd10_ok(code: str) -> bool:
    if "-" in code:
        lo, hi = code.split("-", 1)
        return is_icd10cm(lo) and is_icd10cm(hi) and lo <= hi
    return is_icd10cm(code)


def _check_selector(sel: AgentSelector, kb: KnowledgeBase, where: str, problems: list[str]) -> None:
    classes = {a.drug_class for a in kb.agents.values()}
    for key in (*sel.agents, *sel.except_agents):
        if key not in kb.agents:
            problems.append(f"{where}: unknown agent {key!r}")
    for cls in (*sel.classes, *sel.except_classes):
        if cls not in classes:
            problems.append(f"{where}: no agent of class {cls!r} in the knowledge base")
    for name in sel.other_names:
        if name in kb.agents:
            problems.append(f"{where}: {name!r} is a knowledge-base agent; list it under agents")


def _check_trigger(
    trigger: Trigger,
    kb: KnowledgeBase,
    rules: SafetyRuleSet,
    where: str,
    problems: list[str],
    *,
    in_definition: bool,
) -> None:
    for i, t in enumerate(_walk(trigger)):
        here = f"{where}" if i == 0 else f"{where} (part {i})"
        if isinstance(t, ConditionTrigger):
            bad = [c for c in (*t.condition.codes, *t.condition.exclude) if not _icd10_ok(c)]
            if bad:
                problems.append(f"{here}: not ICD-10-CM codes or ranges: {bad}")
        elif isinstance(t, ObservationTrigger):
            _check_observation(t, kb, rules, here, problems)
        elif isinstance(t, MedicationTrigger):
            _check_selector(t.medication.select, kb, here, problems)
        elif isinstance(t, CombinationTrigger):
            _check_selector(t.combination, kb, here, problems)
            if in_definition:
                problems.append(f"{here}: a definition cannot read the regimen (combination)")
        elif isinstance(t, InteractionTrigger):
            if in_definition or t is not trigger:
                problems.append(f"{here}: an interaction trigger must be a rule's whole trigger")
        elif isinstance(t, FactTrigger) and t.fact not in rules.definitions:
            problems.append(
                f"{here}: unknown fact {t.fact!r} (defined: {', '.join(sorted(rules.definitions))})"
            )


def _check_observation(
    t: ObservationTrigger, kb: KnowledgeBase, rules: SafetyRuleSet, where: str, problems: list[str]
) -> None:
    spec = t.observation
    biomarker = kb.biomarkers.get(spec.code)
    if biomarker is None:
        problems.append(f"{where}: unknown observation code {spec.code!r}")
        return
    if spec.value is not None:
        if biomarker.unit is not None and spec.unit is None:
            problems.append(
                f"{where}: threshold for {spec.code} needs a unit (default {biomarker.unit!r})"
            )
        elif biomarker.unit is not None and spec.unit is not None:
            try:
                convert(spec.value, spec.unit, biomarker.unit)
            except UnitError as exc:
                problems.append(f"{where}: {spec.code} threshold unit: {exc}")
        elif biomarker.unit is None and spec.unit not in (None, "1"):
            problems.append(f"{where}: {spec.code} has no unit, got {spec.unit!r}")
    if spec.times_uln is not None:
        uln = rules.upper_limits_of_normal.get(spec.code)
        if uln is None:
            problems.append(f"{where}: no upper_limits_of_normal entry for {spec.code}")
        elif biomarker.unit is not None:
            try:
                convert(uln.value, uln.unit, biomarker.unit)
            except UnitError as exc:
                problems.append(f"{where}: upper limit of normal of {spec.code}: {exc}")
    if isinstance(spec.equals, bool) and biomarker.kind != "boolean":
        problems.append(f"{where}: {spec.code} is {biomarker.kind}, not boolean")
    if isinstance(spec.equals, str) and spec.equals not in biomarker.categories:
        problems.append(
            f"{where}: {spec.equals!r} is not a category of {spec.code} "
            f"(expected one of {biomarker.categories})"
        )


def _check_cycles(rules: SafetyRuleSet, problems: list[str]) -> None:
    def deps(name: str) -> set[str]:
        return {
            t.fact for t in _walk(rules.definitions[name].trigger) if isinstance(t, FactTrigger)
        }

    for start in rules.definitions:
        seen: set[str] = set()
        stack = [start]
        while stack:
            for d in deps(stack.pop()) & set(rules.definitions):
                if d == start:
                    problems.append(f"definitions.{start}: refers to itself through facts")
                    stack = []
                    break
                if d not in seen:
                    seen.add(d)
                    stack.append(d)


def validate_rule_set(rules: SafetyRuleSet, kb: KnowledgeBase) -> list[str]:
    """Every problem of ``rules`` against ``kb`` (empty when the rule set is sound)."""
    problems: list[str] = []
    seen: set[str] = set()
    for name, definition in rules.definitions.items():
        _check_trigger(
            definition.trigger, kb, rules, f"definitions.{name}", problems, in_definition=True
        )
    _check_cycles(rules, problems)
    for code in rules.upper_limits_of_normal:
        if code not in kb.biomarkers:
            problems.append(f"upper_limits_of_normal.{code}: unknown observation code")
    for i, rule in enumerate(rules.rules):
        where = f"rules[{i}] ({rule.id})"
        if rule.id in seen:
            problems.append(f"{where}: duplicate rule id")
        seen.add(rule.id)
        _check_selector(rule.applies_to, kb, f"{where}.applies_to", problems)
        if rule.applies_to.other_names:
            problems.append(f"{where}.applies_to: rules apply to knowledge-base agents only")
        _check_trigger(rule.trigger, kb, rules, f"{where}.trigger", problems, in_definition=False)
    return problems


def _parse(raw: Any, where: str) -> SafetyRuleSet:
    try:
        return SafetyRuleSet.model_validate(raw)
    except ValidationError as exc:
        lines = [
            f"  {where}:{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        ]
        raise KnowledgeBaseError("safety rules are invalid:\n" + "\n".join(lines)) from None


_CACHE: dict[tuple[Path, int], tuple[KnowledgeBase, SafetyRuleSet]] = {}


def _load_cached(path: Path, kb: KnowledgeBase) -> SafetyRuleSet:
    hit = _CACHE.get((path, id(kb)))
    if hit is not None and hit[0] is kb:
        return hit[1]
    with path.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    rules = _parse(raw, path.name)
    problems = validate_rule_set(rules, kb)
    if problems:
        raise KnowledgeBaseError(
            "safety rules are invalid:\n" + "\n".join(f"  {path.name}: {p}" for p in problems)
        )
    _CACHE[(path, id(kb))] = (kb, rules)
    return rules


def load_safety_rules(path: Path | None = None, kb: KnowledgeBase | None = None) -> SafetyRuleSet:
    """Load and validate the safety rules (default: the bundled ``safety_rules.yaml``).

    Raises
    ------
    KnowledgeBaseError
        Listing every invalid field, unknown agent/class/observation code, unit that does not
        convert, malformed ICD-10-CM code, unknown or circular fact, and duplicate rule id.
    """
    return _load_cached(path or default_rules_path(), kb or load_knowledge_base())
