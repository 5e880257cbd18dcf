"""Results derived from a patient (assessments, recommendations), kept as they were shown.

A result is stored once per (patient, patient revision, software version): asking again for an
unchanged patient returns the stored document, and the table is the record of what the system
showed for which state of the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from immunobalance.store.models import AssessmentRecord, PatientRow, RecommendationRecord

__all__ = ["get_or_compute"]

DerivedModel = type[AssessmentRecord] | type[RecommendationRecord]


def get_or_compute(
    session: Session,
    model: DerivedModel,
    patient: PatientRow,
    software_version: str,
    compute: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """The stored result for this patient revision, or ``compute()`` stored and returned.

    Two requests computing the same result at once both succeed: the second insert hits the
    unique constraint inside a savepoint and the stored document is returned instead.
    """

    def stored() -> dict[str, Any] | None:
        return session.scalars(
            select(model.payload).where(
                model.patient_id == patient.id,
                model.patient_revision == patient.revision,
                model.software_version == software_version,
            )
        ).first()

    found = stored()
    if found is not None:
        return found
    payload = compute()
    try:
        with session.begin_nested():
            session.add(
                model(
                    patient_id=patient.id,
                    patient_revision=patient.revision,
                    software_version=software_version,
                    payload=payload,
                )
            )
    except IntegrityError:
        found = stored()
        if found is None:
            raise
        return found
    return payload
