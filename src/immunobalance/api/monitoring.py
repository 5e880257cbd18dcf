"""Review a visit (``immunobalance.monitor``) and store its treat-to-target action with it.

The review is CPU work (indices at every visit, rules, safety screen) and runs *outside* the
write transaction, so concurrent writers wait for the database only while rows are inserted
(SQLite has one writer at a time). The record reviewed is the one read when the visit arrived
plus the visit itself; a visit to the same patient committed in between is reviewed by its own
request. The visit and its action are then committed in one transaction, or neither is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from immunobalance import __version__
from immunobalance.api.schemas.patients import TimelineAction
from immunobalance.api.timeline import timeline_action
from immunobalance.monitor import review_visit
from immunobalance.patient.model import Medication, Observation, Patient
from immunobalance.store.crud import actions
from immunobalance.store.crud import patients as crud
from immunobalance.store.errors import RecordNotFoundError

__all__ = ["create_reviewed", "review_document", "store_action", "with_visit"]


def with_visit(
    patient: Patient, observations: tuple[Observation, ...], medications: tuple[Medication, ...]
) -> Patient:
    """``patient`` with one more visit's observations and therapies (as the store will load it)."""
    return patient.model_copy(
        update={
            "observations": (*patient.observations, *observations),
            "medications": (*patient.medications, *medications),
        }
    )


def review_document(patient: Patient, when: dt.date | None) -> dict[str, Any] | None:
    """The monitor's review of the visit on ``when`` as JSON (None without any observation)."""
    if not patient.observations:
        return None
    document: dict[str, Any] = review_visit(patient, when).model_dump(mode="json")
    return document


def store_action(
    session: Session, record_id: str, review: dict[str, Any] | None, *, visit_id: int | None
) -> TimelineAction | None:
    """Store a review computed by :func:`review_document` in the caller's transaction."""
    if review is None:
        return None
    row = crud.get_patient_row(session, record_id, full=False)
    if row is None:
        raise RecordNotFoundError("patient", record_id)
    stored = actions.record_action(
        session, row, review, visit_id=visit_id, software_version=__version__
    )
    return timeline_action(stored)


def create_reviewed(
    session: Session,
    patient: Patient,
    review: dict[str, Any] | None,
    *,
    recorded_by: int | None = None,
) -> TimelineAction | None:
    """Store a new patient and the review of its latest visit (``review_document(patient,
    patient.latest_date())``, computed before the transaction) in the caller's transaction."""
    row = crud.create_patient(session, patient, recorded_by=recorded_by)
    latest = patient.latest_date()
    visit_id = next((v.id for v in row.visits if v.date == latest), None)
    return store_action(session, patient.id, review, visit_id=visit_id)
