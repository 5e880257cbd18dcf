"""``/patients/{id}/assessment`` and ``/patients/{id}/timeline``: disease activity of a stored
patient (``assess --format json``) and its course over visits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from immunobalance import __version__
from immunobalance.api.deps import DatabaseDep, ReadToken
from immunobalance.api.errors import error_responses
from immunobalance.api.schemas.patients import Timeline
from immunobalance.api.timeline import build_timeline
from immunobalance.indices.assess import Assessment, assess_patient
from immunobalance.patient.model import Patient
from immunobalance.store.crud import actions as action_crud
from immunobalance.store.crud import audit, derived
from immunobalance.store.crud import patients as crud
from immunobalance.store.errors import RecordNotFoundError
from immunobalance.store.models import AssessmentRecord

router = APIRouter(prefix="/patients", tags=["patients"], responses=error_responses(404))


def assess_json(patient: Patient) -> dict[str, Any]:
    """``assess --format json`` of ``patient`` (one implementation for CLI and API)."""
    document: dict[str, Any] = assess_patient(patient).model_dump(mode="json", by_alias=True)
    return document


@router.get("/{patient_id}/assessment", response_model=Assessment)
def get_assessment(patient_id: str, token: ReadToken, db: DatabaseDep) -> Any:
    """Disease-activity indices at the latest visit and response vs the first, as
    ``assess --format json``; kept per record revision as shown."""
    with db.write() as session:
        row = crud.get_patient_row(session, patient_id)
        if row is None:
            raise RecordNotFoundError("patient", patient_id)
        document = derived.get_or_compute(
            session,
            AssessmentRecord,
            row,
            __version__,
            lambda: assess_json(crud.patient_from_row(row)),
        )
        audit.record_event(session, token, "assessment.view", patient_record_id=patient_id)
    return document


@router.get("/{patient_id}/timeline", response_model=Timeline)
def get_timeline(patient_id: str, token: ReadToken, db: DatabaseDep) -> Timeline:
    """Visits in date order with their observations, therapies and the indices at each, and the
    treat-to-target actions proposed at visits."""
    with db.write() as session:
        row = crud.get_patient_row(session, patient_id)
        if row is None:
            raise RecordNotFoundError("patient", patient_id)
        timeline = build_timeline(row, assess_json, action_crud.list_actions(session, row))
        audit.record_event(session, token, "timeline.view", patient_record_id=patient_id)
    return timeline
