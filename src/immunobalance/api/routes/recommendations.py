"""``/patients/{id}/recommendations``: ranked, safety-screened regimens (``recommend --format
json``), kept per record revision as shown.

The twin is computed outside any write transaction (a cold outcome cache means simulations), then
stored; two requests racing for the same revision both return the stored document.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select

from immunobalance import __version__
from immunobalance.api.deps import DatabaseDep, ReadToken
from immunobalance.api.errors import error_responses
from immunobalance.api.recommender import Recommender
from immunobalance.api.schemas.recommendations import RecommendationOut
from immunobalance.store.crud import audit, derived
from immunobalance.store.crud import patients as crud
from immunobalance.store.errors import RecordNotFoundError
from immunobalance.store.models import RecommendationRecord

router = APIRouter(prefix="/patients", tags=["patients"], responses=error_responses(404))


@router.get("/{patient_id}/recommendations", response_model=RecommendationOut)
def get_recommendations(
    patient_id: str, request: Request, token: ReadToken, db: DatabaseDep
) -> Any:
    """Ranked regimens for the patient from their digital twin, as ``recommend --format json``
    (422 when the record codes no index disease)."""
    with db.read() as session:
        row = crud.get_patient_row(session, patient_id)
        if row is None:
            raise RecordNotFoundError("patient", patient_id)
        revision = row.revision
        stored = session.scalars(
            select(RecommendationRecord.payload).where(
                RecommendationRecord.patient_id == row.id,
                RecommendationRecord.patient_revision == revision,
                RecommendationRecord.software_version == __version__,
            )
        ).first()
        patient = crud.patient_from_row(row) if stored is None else None
    if stored is None:
        assert patient is not None
        recommender: Recommender = request.app.state.recommender
        document = recommender(patient)
    with db.write() as session:
        row = crud.get_patient_row(session, patient_id, full=False)
        if row is None:
            raise RecordNotFoundError("patient", patient_id)
        if stored is None and row.revision == revision:
            stored = derived.get_or_compute(
                session, RecommendationRecord, row, __version__, lambda: document
            )
        audit.record_event(session, token, "recommendation.view", patient_record_id=patient_id)
    return stored if stored is not None else document
