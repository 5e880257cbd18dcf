"""A patient's course as the UI draws it: visits in date order, the disease-activity indices
computable at each visit, and every therapy.

Indices at a visit are those of ``assess`` applied to the record *as it stood on that date*
(observations on or before it), keeping the ones dated that day: an index is shown at a visit
exactly when its inputs were measured then, never carried forward from an earlier visit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from immunobalance.api.schemas.patients import IndexAtVisit, Timeline, TimelineVisit
from immunobalance.patient.model import Patient
from immunobalance.store.crud.patients import (
    medication_from_row,
    observation_from_row,
    patient_from_row,
)
from immunobalance.store.models import PatientRow

__all__ = ["AssessJson", "build_timeline"]

#: ``assess --format json`` of a patient (``{"indices": {KEY: {"value", "category", "date"}}}``).
AssessJson = Callable[[Patient], dict[str, Any]]


def indices_on(patient: Patient, when: dt.date, assess: AssessJson) -> dict[str, IndexAtVisit]:
    """Indices whose inputs were measured on ``when``, from the record as it stood that day."""
    as_of = patient.model_copy(
        update={"observations": tuple(o for o in patient.observations if o.date <= when)}
    )
    indices = assess(as_of).get("indices") or {}
    return {
        key: IndexAtVisit(value=item["value"], category=item.get("category"))
        for key, item in indices.items()
        if item.get("date") == when.isoformat() and item.get("value") is not None
    }


def build_timeline(row: PatientRow, assess: AssessJson) -> Timeline:
    """The timeline of a stored patient (``row`` loaded with its visits and medications)."""
    patient = patient_from_row(row)
    visits = sorted(row.visits, key=lambda v: (v.date, v.id))
    indices = {when: indices_on(patient, when, assess) for when in {v.date for v in visits}}
    return Timeline(
        patient=patient.id,
        visits=[
            TimelineVisit(
                id=str(v.id),
                date=v.date,
                source=v.source,
                observations=[observation_from_row(o, v.date) for o in v.observations],
                medications=[
                    medication_from_row(m)
                    for m in sorted(row.medications, key=lambda m: m.position)
                    if m.visit_id == v.id
                ],
                indices=indices[v.date],
            )
            for v in visits
        ],
        therapies=list(patient.medications),
    )
