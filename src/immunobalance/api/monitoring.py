"""Propose and store the treat-to-target action of a visit, inside the request's transaction.

Used when a patient is created (the record's latest visit) and when a visit is appended: the
monitor (:func:`immunobalance.monitor.review_visit`) reviews the record as stored in this
transaction, so the action and the visit are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from immunobalance import __version__
from immunobalance.api.timeline import timeline_action
from immunobalance.api.schemas.patients import TimelineAction
from immunobalance.monitor import review_visit
from immunobalance.store.crud import actions
from immunobalance.store.crud import patients as crud
from immunobalance.store.errors import RecordNotFoundError

__all__ = ["propose_action"]


def propose_action(
    session: Session, record_id: str, when: dt.date | None, *, visit_id: int | None
) -> TimelineAction | None:
    """Review the visit on ``when`` (default: the latest) and store its action.

    Returns None when the patient has no visit at all (nothing to review).
    """
    row = crud.get_patient_row(session, record_id)
    if row is None:
        raise RecordNotFoundError("patient", record_id)
    session.refresh(row)  # the visit just flushed must be part of the record reviewed
    patient = crud.patient_from_row(row)
    if not patient.observations:
        return None
    review = review_visit(patient, when)
    stored = actions.record_action(
        session,
        row,
        review.model_dump(mode="json"),
        visit_id=visit_id,
        software_version=__version__,
    )
    return timeline_action(stored)
