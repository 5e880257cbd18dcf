"""``/patients/{id}/visits``: append a follow-up visit atomically."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Body, status

from immunobalance.api.deps import ClinicianToken, DatabaseDep, SessionDep
from immunobalance.api.errors import error_responses
from immunobalance.api.monitoring import review_document, store_action, with_visit
from immunobalance.api.schemas.patients import VisitCreate, VisitCreated
from immunobalance.api.visits import validate_visit
from immunobalance.store.crud import audit
from immunobalance.store.crud import patients as crud
from immunobalance.store.errors import RecordNotFoundError

router = APIRouter(prefix="/patients", tags=["patients"], responses=error_responses())


@router.post(
    "/{patient_id}/visits",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitCreated,
    responses=error_responses(404),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": VisitCreate.model_json_schema()}},
        }
    },
)
def add_visit(
    patient_id: str,
    token: ClinicianToken,
    db: DatabaseDep,
    session: SessionDep,
    body: dict[str, Any] = Body(..., include_in_schema=False),
) -> VisitCreated:
    """Append a visit (observations and therapies of one date) to a stored patient.

    The body is validated with the same normaliser as whole records; 422 lists every problem and
    nothing is stored. The visit is reviewed against the baseline and the previous visit and
    the proposed treat-to-target action (``immunobalance.monitor``) is stored with it and
    returned.
    """
    if crud.get_patient_row(session, patient_id, full=False) is None:
        raise RecordNotFoundError("patient", patient_id)
    visit = validate_visit(body, patient_id, today=dt.date.today())
    stored = crud.load_patient(session, patient_id)
    session.rollback()  # end the read transaction before the (long) review
    review = review_document(with_visit(stored, visit.observations, visit.medications), visit.date)
    with db.write() as write:
        row = crud.add_visit(
            write,
            patient_id,
            visit.date,
            visit.observations,
            visit.medications,
            recorded_by=token.id,
        )
        action = store_action(write, patient_id, review, visit_id=row.id)
        audit.record_event(
            write, token, "visit.create", patient_record_id=patient_id, target=str(row.id)
        )
    return VisitCreated(
        id=str(row.id),
        patient=patient_id,
        date=visit.date,
        observations=len(visit.observations),
        medications=len(visit.medications),
        action=action,
    )
