"""``/patients``: create from a patient record or FHIR R4 Bundle, list, view.

Creation validates the whole record with the patient readers first (422 listing every problem)
and stores it in one transaction, so a rejected record leaves nothing behind. Every view and
every write is audited by patient id.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query, Response, status

from immunobalance.api.deps import ClinicianToken, DatabaseDep, ReadToken, SessionDep
from immunobalance.api.errors import error_responses
from immunobalance.api.monitoring import create_reviewed, review_document
from immunobalance.api.schemas.common import Created
from immunobalance.api.schemas.patients import PatientListItem, PatientPublic
from immunobalance.patient import read_patient
from immunobalance.store.crud import audit
from immunobalance.store.crud import patients as crud

router = APIRouter(prefix="/patients", tags=["patients"], responses=error_responses())

_RECORD_DOC = (
    "A patient record (`contracts/patient-record.md`) or a FHIR R4 `Bundle` holding a Patient "
    "and its Conditions, Observations, MedicationStatements/Requests and AllergyIntolerances."
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses=error_responses(409),
)
def create_patient(
    token: ClinicianToken,
    db: DatabaseDep,
    response: Response,
    record: dict[str, Any] = Body(..., description=_RECORD_DOC),
    patient_id: str | None = Query(None, description="which Patient of a Bundle holding several"),
) -> Created:
    """Validate and store a patient; 409 if the id exists, 422 with every problem.

    The record's latest visit is reviewed and its treat-to-target action stored (timeline)."""
    patient = read_patient(record, patient_id=patient_id)
    review = review_document(patient, patient.latest_date())  # action at the latest visit
    with db.write() as session:
        create_reviewed(session, patient, review, recorded_by=token.id)
        audit.record_event(session, token, "patient.create", patient_record_id=patient.id)
    response.headers["Location"] = f"/api/v1/patients/{patient.id}"
    return Created(id=patient.id)


@router.get("", response_model=list[PatientListItem])
def list_patients(
    token: ReadToken,
    db: DatabaseDep,
    session: SessionDep,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> list[PatientListItem]:
    """Patients by id with their visit count and latest visit (for the UI's patient list)."""
    listing = crud.list_patients(session, offset=offset, limit=limit)
    with db.write() as write:
        audit.record_event(write, token, "patient.list")
    return [PatientListItem.model_validate(item) for item in listing]


@router.get("/{patient_id}", response_model=PatientPublic, responses=error_responses(404))
def get_patient(
    patient_id: str, token: ReadToken, db: DatabaseDep, session: SessionDep
) -> PatientPublic:
    """The stored patient, normalised (units converted, codes mapped)."""
    patient = crud.load_patient(session, patient_id)
    with db.write() as write:
        audit.record_event(write, token, "patient.view", patient_record_id=patient_id)
    return patient
