"""The validated patient: one typed object whatever the source (JSON, CSV, FHIR R4).

Readers parse and normalise (units converted to each observation key's default UCUM unit,
codes mapped to keys) and return a :class:`Patient`; everything downstream trusts it.
Contract: ``contracts/patient-record.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from immunobalance.knowledge.codes import icd10_matches

__all__ = ["Allergy", "Condition", "Medication", "Observation", "ObservationValue", "Patient"]

ObservationValue = float | bool | str

Outcome = Literal[
    "ongoing",
    "inadequate_response",
    "loss_of_response",
    "intolerance",
    "adverse_event",
    "remission",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Frozen):
    """A diagnosis or state, coded in ICD-10-CM (``icd10``) or SNOMED CT (``snomed``)."""

    code: str
    system: Literal["icd10", "snomed"] = "icd10"
    onset: date | None = None
    abatement: date | None = None
    display: str | None = None
    icd10_equivalent: str | None = None  # ICD-10-CM code a SNOMED code maps to, when known
    clinical_status: (
        Literal["active", "recurrence", "relapse", "inactive", "remission", "resolved"] | None
    ) = None  # FHIR Condition.clinicalStatus, when the source says

    def matches(self, rule: str) -> bool:
        """Hierarchical ICD-10-CM match (``I50`` matches ``I50.23``; ranges ``C00-C96``)."""
        code = self.code if self.system == "icd10" else self.icd10_equivalent
        return code is not None and icd10_matches(code, rule)


class Observation(_Frozen):
    """One observation, normalised: ``code`` is a knowledge-base key, ``unit`` its default unit.

    ``value`` is a float for quantities, counts and scores, a bool for descriptors (SLEDAI items,
    SMOKING), and a lower-case category string (``"positive"``, ``"high"``) for categorical ones.
    """

    code: str
    value: ObservationValue
    unit: str | None = None
    date: date
    original_code: str | None = None  # e.g. the LOINC code it came as
    original_value: ObservationValue | None = None
    original_unit: str | None = None


class Medication(_Frozen):
    """A therapy the patient had or has, with how it went."""

    agent: str
    dose: str | None = None
    every: str | None = None
    route: Literal["iv", "sc", "oral", "im"] | None = None
    start: date | None = None
    stop: date | None = None
    outcome: Outcome | None = None

    @property
    def current(self) -> bool:
        """True when the therapy has no stop date (still taken)."""
        return self.stop is None and self.outcome not in {
            "inadequate_response",
            "loss_of_response",
            "intolerance",
            "adverse_event",
        }


class Allergy(_Frozen):
    """An allergy or intolerance to an agent (key) or substance (free text)."""

    substance: str
    agent: str | None = None
    criticality: Literal["low", "high", "unable-to-assess"] | None = None


class Patient(_Frozen):
    """A patient record, validated and normalised.

    Use the query helpers instead of scanning lists by hand, so that "latest value" and
    "has condition" mean the same thing in indices, safety rules and the digital twin.
    """

    id: str = Field(min_length=1)
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    birth_date: date | None = None
    age_years: float | None = Field(default=None, ge=0, le=130)
    weight_kg: float | None = Field(default=None, gt=0, le=500)
    height_cm: float | None = Field(default=None, gt=0, le=272)
    conditions: tuple[Condition, ...] = ()
    observations: tuple[Observation, ...] = ()
    medications: tuple[Medication, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    genetics: dict[str, str | list[str]] = Field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # reader notes (e.g. skipped FHIR resources), never errors

    # ------------------------------------------------------------------ queries
    def age_at(self, when: date | None = None) -> float | None:
        """Age in years at ``when`` (default: the latest observation date, else today)."""
        if self.birth_date is None:
            return self.age_years
        when = when or self.latest_date() or date.today()
        return (when - self.birth_date).days / 365.25

    def has_condition(self, rule: str) -> bool:
        """True if any condition matches the ICD-10-CM rule (hierarchical, ranges allowed)."""
        return any(c.matches(rule) for c in self.conditions)

    def matching_conditions(self, rules: Iterable[str]) -> list[Condition]:
        rules = list(rules)
        return [c for c in self.conditions if any(c.matches(r) for r in rules)]

    def visit_dates(self) -> list[date]:
        """Distinct observation dates, oldest first."""
        return sorted({o.date for o in self.observations})

    def latest_date(self) -> date | None:
        dates = self.visit_dates()
        return dates[-1] if dates else None

    def observations_on(self, when: date) -> dict[str, Observation]:
        """Observations of one date, keyed by code (last one wins for duplicates)."""
        return {o.code: o for o in self.observations if o.date == when}

    def latest(self, code: str, *, on_or_before: date | None = None) -> Observation | None:
        """Most recent observation of ``code`` (optionally not after ``on_or_before``)."""
        candidates = [
            o
            for o in self.observations
            if o.code == code and (on_or_before is None or o.date <= on_or_before)
        ]
        return max(candidates, key=lambda o: o.date) if candidates else None

    def latest_value(self, code: str) -> ObservationValue | None:
        obs = self.latest(code)
        return None if obs is None else obs.value

    def current_medications(self) -> list[Medication]:
        return [m for m in self.medications if m.current]

    def prior_agents(self, outcomes: Iterable[str] | None = None) -> list[str]:
        """Agents taken before, optionally only those that ended with one of ``outcomes``."""
        wanted = set(outcomes) if outcomes is not None else None
        return [m.agent for m in self.medications if wanted is None or m.outcome in wanted]
