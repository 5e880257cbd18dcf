"""Patients and visits: what the API accepts and returns.

A patient is created from a patient JSON record or a FHIR R4 Bundle (validated by the patient
readers, so the body is declared as an object here) and returned in the normalised record form
(:class:`~immunobalance.patient.Patient`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from immunobalance.patient.model import Medication, Observation, Patient

__all__ = [
    "IndexAtVisit",
    "PatientListItem",
    "PatientPublic",
    "Timeline",
    "TimelineAction",
    "TimelineVisit",
    "VisitCreate",
    "VisitCreated",
]

#: A stored patient, normalised (units converted to each key's default, codes mapped).
PatientPublic = Patient


class PatientListItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    sex: str
    birth_date: dt.date | None = None
    age_years: float | None = None
    visits: int = Field(ge=0)
    last_visit: dt.date | None = None
    updated_at: dt.datetime


class VisitCreate(BaseModel):
    """A follow-up visit: its date, the observations taken and therapies recorded then.

    Observations and medications take the patient-record form (``contracts/patient-record.md``);
    an observation without a ``date`` gets the visit's date.
    """

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    observations: list[dict[str, Any]] = Field(default_factory=list)
    medications: list[dict[str, Any]] = Field(default_factory=list)


class TimelineAction(BaseModel):
    """A treat-to-target action proposed at a visit (``immunobalance.monitor``)."""

    id: str
    visit_id: str | None = Field(description="the visit it was proposed at")
    date: dt.date
    kind: str = Field(
        description="continue | optimise_dose | add | switch_class | taper | review",
        examples=["switch_class"],
    )
    summary: str
    index: str | None = Field(default=None, description="the index the decision rests on")
    at_target: bool | None = None
    target: str = ""
    reasons: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    candidates: list[dict[str, Any]] = Field(default_factory=list)
    safety_alerts: list[dict[str, Any]] = Field(default_factory=list)
    created_at: dt.datetime


class VisitCreated(BaseModel):
    id: str = Field(description="the visit's id")
    patient: str
    date: dt.date
    observations: int = Field(ge=0)
    medications: int = Field(ge=0)
    action: TimelineAction | None = Field(
        default=None, description="the treat-to-target action proposed at this visit"
    )


class IndexAtVisit(BaseModel):
    value: float
    category: str | None = None


class TimelineVisit(BaseModel):
    id: str
    date: dt.date
    source: str = Field(description="'record' (came with the record) or 'visit' (appended)")
    observations: list[Observation]
    medications: list[Medication] = Field(description="therapies recorded at this visit")
    indices: dict[str, IndexAtVisit] = Field(
        description="disease-activity indices computable from the record up to this visit"
    )


class Timeline(BaseModel):
    patient: str
    visits: list[TimelineVisit]
    therapies: list[Medication] = Field(description="every therapy, record history first")
    actions: list[TimelineAction] = Field(
        default_factory=list, description="treat-to-target actions proposed at visits"
    )
