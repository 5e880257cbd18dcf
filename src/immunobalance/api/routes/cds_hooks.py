"""CDS Hooks: ``GET /cds-services`` (discovery, public: it holds no patient data) and
``POST /cds-services/{id}`` (the ``patient-view`` service, Bearer API token of role ``read`` or
higher — see ``docs/cds-hooks.md`` for why not the EHR's JWT).

The service stores nothing: the prefetched record is read, reviewed and answered; only an audit
event (token, action, patient id) is written.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request

from immunobalance.api.cds import (
    CdsResponse,
    Discovery,
    build_cards,
    discovery,
    patient_from_prefetch,
    validate_request,
)
from immunobalance.api.deps import DatabaseDep, ReadToken
from immunobalance.api.errors import error_responses
from immunobalance.api.recommender import Recommender
from immunobalance.errors import InvalidInputError
from immunobalance.monitor import review_visit
from immunobalance.store.crud import audit

router = APIRouter(prefix="/cds-services", tags=["CDS Hooks"])


@router.get("", response_model=Discovery)
def get_discovery() -> Discovery:
    """The CDS services offered: one ``patient-view`` service with its prefetch templates."""
    return discovery()


@router.post(
    "/{service_id}",
    response_model=CdsResponse,
    response_model_exclude_none=True,
    responses=error_responses(),
)
def call_service(
    service_id: str,
    request: Request,
    token: ReadToken,
    db: DatabaseDep,
    body: dict[str, Any] = Body(..., description="a CDS Hooks request with prefetch"),
) -> CdsResponse:
    """Cards for the patient in ``context.patientId`` from the prefetched FHIR resources: safety
    alerts of the current therapy, activity with the treat-to-target action, top options.
    422 lists every problem of the request (or of the prefetched resources)."""
    patient_id, resources = validate_request(body, service_id)
    patient = patient_from_prefetch(patient_id, resources)
    review = review_visit(patient)
    recommendation = None
    if review.disease is not None:
        recommender: Recommender = request.app.state.recommender
        try:
            recommendation = recommender(patient)
        except InvalidInputError:
            recommendation = None
    with db.write() as session:
        audit.record_event(session, token, "cds.patient-view", patient_record_id=patient.id)
    return CdsResponse(cards=build_cards(review, recommendation))
