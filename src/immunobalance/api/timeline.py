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

from immunobalance.api.schemas.patients import (
    IndexAtVisit,
    Timeline,
    TimelineAction,
    TimelineVisit,
)
from immunobalance.patient.model import Patient
from immunobalance.store.crud.patients import (
    medication_from_row,
    observation_from_row,
    patient_from_row,
)
from immunobalance.store.models import MonitorAction, PatientRow

__all__ = ["AssessJson", "build_timeline", "timeline_action"]

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


def timeline_action(action: MonitorAction) -> TimelineAction:
    """A stored treat-to-target action as the timeline shows it."""
    review: dict[str, Any] = action.payload
    proposed: dict[str, Any] = review.get("action", {})
    return TimelineAction(
        id=str(action.id),
        visit_id=str(action.visit_id) if action.visit_id is not None else None,
        date=action.visit_date,
        kind=action.kind,
        summary=action.summary,
        index=proposed.get("index"),
        at_target=proposed.get("at_target"),
        target=proposed.get("target", ""),
        reasons=list(proposed.get("reasons", [])),
        sources=list(proposed.get("sources", [])),
        candidates=list(proposed.get("candidates", [])),
        safety_alerts=list(review.get("safety_alerts", [])),
        created_at=action.created_at,
    )


def build_timeline(
    row: PatientRow, assess: AssessJson, actions: list[MonitorAction] | None = None
) -> Timeline:
    """The timeline of a stored patient (``row`` loaded with its visits and medications) and
    the treat-to-target ``actions`` proposed at its visits."""
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
        actions=[timeline_action(a) for a in actions or []],
    )
