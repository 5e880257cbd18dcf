"""Typed safety rules: what a rule applies to, the patient facts that trigger it, and its outcome.

A rule is data (``knowledge/data/safety_rules.yaml``); this module only declares its shape, so
that a curation mistake fails when the rules are loaded, not when a patient is screened.

The trigger language is small and declarative. A trigger is a mapping with exactly one key:

``all`` / ``any`` / ``not``
    Boolean combination of triggers.
``condition``
    ICD-10-CM codes or ranges (``I50``, ``C00-C96``), matched hierarchically, with optional
    ``exclude`` codes, ``active_only`` and ``within_years`` (recency).
``observation``
    The latest observation of a knowledge-base key compared with a threshold in an explicit unit
    (``op``/``value``/``unit``), a multiple of the upper limit of normal (``times_uln``), a category
    (``equals``) or its absence (``missing``).
``medication``
    Current or prior therapy matching an agent selector.
``age`` / ``sex``
    Demographics (age in years at the assessment date).
``fact``
    A named definition of the rule set (``pregnancy``, ``cv_risk_factor``), reused by many rules.
``combination``
    Another agent of the candidate regimen, or a continuing current therapy, matching a selector.
``interaction``
    A combination rule of ``knowledge/data/interactions.yaml`` of the given kinds.
``always``
    Fires for every patient (monitoring notes, agents never offered).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

__all__ = [
    "AgentGroup",
    "AgentSelector",
    "ComparisonOp",
    "Definition",
    "Outcome",
    "SafetyRule",
    "SafetyRuleSet",
    "Trigger",
    "UpperLimitOfNormal",
]

Outcome = Literal["contraindicated", "caution", "monitor"]
"""``contraindicated``: never ranked; ``caution``: allowed with the stated monitoring;
``monitor``: a monitoring note that does not change the status."""

ComparisonOp = Literal["<", "<=", ">", ">=", "==", "!="]

AgentGroup = Literal[
    "any_agent",  # every agent of the knowledge base
    "any_biologic",  # Agent.is_biologic: protein or cell agents used as treatment
    "any_targeted_synthetic",  # JAK, TYK2, PDE4 and SYK inhibitors
    "conventional_immunosuppressant",  # csDMARDs, antimetabolites, alkylators, calcineurin inh.
    "never_offered",  # Agent.offered_as_treatment is False (checkpoint inhibitors)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AgentSelector(_Strict):
    """Which agents a rule (or a medication/combination trigger) is about.

    An agent matches when it is named in ``agents``, belongs to one of ``classes`` or ``groups``,
    and is not excluded. ``other_names`` are medications outside the knowledge base (e.g.
    ``isoniazid`` for latent-TB treatment), matched by the name in the patient record.
    """

    agents: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    groups: tuple[AgentGroup, ...] = ()
    except_agents: tuple[str, ...] = ()
    except_classes: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> AgentSelector:
        if not (self.agents or self.classes or self.groups or self.other_names):
            raise ValueError("select at least one of agents, classes, groups or other_names")
        return self


class ConditionSpec(_Strict):
    """ICD-10-CM condition codes or ranges (hierarchical match, ``C00-C96`` ranges)."""

    codes: tuple[str, ...] = Field(min_length=1)
    exclude: tuple[str, ...] = ()
    active_only: bool = False
    within_years: float | None = Field(default=None, gt=0)


class ObservationSpec(_Strict):
    """A test on the latest observation of ``code`` (a knowledge-base observation key).

    Exactly one of: ``op`` + ``value`` + ``unit`` (quantity threshold; ``unit`` is required for
    observations that have a unit and is converted to the observation's default unit at load),
    ``op`` + ``times_uln`` (multiple of the rule set's upper limit of normal for ``code``),
    ``equals`` (category or boolean), ``missing: true`` (no result on record).
    """

    code: str
    op: ComparisonOp | None = None
    value: float | None = None
    unit: str | None = None
    times_uln: float | None = Field(default=None, gt=0)
    equals: str | bool | None = None
    missing: bool = False

    @model_validator(mode="after")
    def _one_test(self) -> ObservationSpec:
        tests = [
            self.op is not None and self.value is not None,
            self.op is not None and self.times_uln is not None,
            self.equals is not None,
            self.missing,
        ]
        if sum(tests) != 1:
            raise ValueError(
                "give exactly one test: op+value(+unit), op+times_uln, equals, or missing: true"
            )
        if self.op is None and (self.value is not None or self.times_uln is not None):
            raise ValueError("a threshold needs an op (<, <=, >, >=, ==, !=)")
        return self


class MedicationSpec(_Strict):
    """Therapy on record matching ``select``: ``current``, ``prior`` (stopped) or ``ever``."""

    select: AgentSelector
    status: Literal["current", "prior", "ever"] = "ever"


class AgeSpec(_Strict):
    """Age in years at the assessment date compared with ``value``."""

    op: ComparisonOp
    value: float = Field(ge=0, le=130)


class InteractionSpec(_Strict):
    """Combination rules of ``interactions.yaml`` of these kinds between regimen members."""

    kinds: tuple[Literal["not_recommended", "contraindicated"], ...] = Field(min_length=1)


class AllOf(_Strict):
    all: tuple[Trigger, ...] = Field(min_length=1)


class AnyOf(_Strict):
    any: tuple[Trigger, ...] = Field(min_length=1)


class NotOf(_Strict):
    not_: Trigger = Field(alias="not")


class ConditionTrigger(_Strict):
    condition: ConditionSpec


class ObservationTrigger(_Strict):
    observation: ObservationSpec


class MedicationTrigger(_Strict):
    medication: MedicationSpec


class AgeTrigger(_Strict):
    age: AgeSpec


class SexTrigger(_Strict):
    sex: Literal["female", "male", "other", "unknown"]


class FactTrigger(_Strict):
    fact: str = Field(pattern=r"^[a-z][a-z0-9_]*$")


class CombinationTrigger(_Strict):
    combination: AgentSelector


class InteractionTrigger(_Strict):
    interaction: InteractionSpec


class AlwaysTrigger(_Strict):
    always: Literal[True]


_TRIGGER_TAGS = (
    "all",
    "any",
    "not",
    "condition",
    "observation",
    "medication",
    "age",
    "sex",
    "fact",
    "combination",
    "interaction",
    "always",
)


def _trigger_tag(value: Any) -> str | None:
    """The one key that says which kind of trigger a mapping (or model) is."""
    if isinstance(value, dict):
        keys = [k for k in value if k in _TRIGGER_TAGS]
        return keys[0] if len(keys) == 1 and len(value) == 1 else None
    for tag, cls in _TRIGGER_CLASSES.items():
        if isinstance(value, cls):
            return tag
    return None


Trigger = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[ConditionTrigger, Tag("condition")]
    | Annotated[ObservationTrigger, Tag("observation")]
    | Annotated[MedicationTrigger, Tag("medication")]
    | Annotated[AgeTrigger, Tag("age")]
    | Annotated[SexTrigger, Tag("sex")]
    | Annotated[FactTrigger, Tag("fact")]
    | Annotated[CombinationTrigger, Tag("combination")]
    | Annotated[InteractionTrigger, Tag("interaction")]
    | Annotated[AlwaysTrigger, Tag("always")],
    Discriminator(
        _trigger_tag,
        custom_error_type="trigger",
        custom_error_message=(
            "a trigger is a mapping with exactly one of the keys " + ", ".join(_TRIGGER_TAGS)
        ),
    ),
]

_TRIGGER_CLASSES: dict[str, type[BaseModel]] = {
    "all": AllOf,
    "any": AnyOf,
    "not": NotOf,
    "condition": ConditionTrigger,
    "observation": ObservationTrigger,
    "medication": MedicationTrigger,
    "age": AgeTrigger,
    "sex": SexTrigger,
    "fact": FactTrigger,
    "combination": CombinationTrigger,
    "interaction": InteractionTrigger,
    "always": AlwaysTrigger,
}

for _cls in (AllOf, AnyOf, NotOf):
    _cls.model_rebuild()


class Definition(_Strict):
    """A named patient fact (``pregnancy``, ``cv_risk_factor``) that rules reuse via ``fact:``."""

    description: str = Field(min_length=5)
    trigger: Trigger
    source: str = Field(min_length=10)


class UpperLimitOfNormal(_Strict):
    """Upper limit of normal of a laboratory test, for thresholds written as multiples of it."""

    value: float = Field(gt=0)
    unit: str
    source: str = Field(min_length=10)
    note: str | None = None


class SafetyRule(_Strict):
    """One contraindication, warning, combination rule or monitoring note, with its source.

    A finding's message reads ``"{title} ({facts}): {message}"``, e.g. ``"heart failure NYHA
    III/IV (I50.22, NYHA_CLASS=3): TNF inhibitors may worsen heart failure ..."``.
    """

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=3)
    applies_to: AgentSelector
    trigger: Trigger
    outcome: Outcome
    message: str = Field(min_length=10)
    monitoring: str | None = None
    source: str = Field(min_length=10)
    note: str | None = None

    @model_validator(mode="after")
    def _caution_says_what_to_do(self) -> SafetyRule:
        if self.outcome in {"caution", "monitor"} and not self.monitoring:
            raise ValueError(f"a {self.outcome} rule must say what to monitor (monitoring)")
        return self


class SafetyRuleSet(_Strict):
    """The whole rule file: named definitions, upper limits of normal, and the rules in order."""

    version: str
    definitions: dict[str, Definition] = Field(default_factory=dict)
    upper_limits_of_normal: dict[str, UpperLimitOfNormal] = Field(default_factory=dict)
    rules: tuple[SafetyRule, ...] = Field(min_length=1)

    def rule(self, rule_id: str) -> SafetyRule:
        """The rule ``rule_id``; :class:`~immunobalance.errors.UnknownKeyError` if absent."""
        from immunobalance.errors import UnknownKeyError

        for r in self.rules:
            if r.id == rule_id:
                return r
        raise UnknownKeyError("safety rule", rule_id, [r.id for r in self.rules])
