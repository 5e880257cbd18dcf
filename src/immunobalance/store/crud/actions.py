"""Treat-to-target actions: store the monitor's review of a visit, list a patient's actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from immunobalance.store.models import MonitorAction, PatientRow

__all__ = ["list_actions", "record_action"]


def record_action(
    session: Session,
    patient: PatientRow,
    review: dict[str, Any],
    *,
    visit_id: int | None,
    software_version: str,
) -> MonitorAction:
    """Store a review (``VisitReview`` as JSON) in the caller's transaction.

    ``review`` must hold ``date`` and ``action`` with ``kind`` and ``summary``.
    """
    action = review["action"]
    row = MonitorAction(
        patient_id=patient.id,
        visit_id=visit_id,
        visit_date=date.fromisoformat(str(review["date"])),
        kind=str(action["kind"]),
        summary=str(action["summary"])[:256],
        patient_revision=patient.revision,
        software_version=software_version,
        payload=review,
    )
    session.add(row)
    session.flush()
    return row


def list_actions(session: Session, patient: PatientRow) -> list[MonitorAction]:
    """The patient's actions, by visit date then creation."""
    return list(
        session.scalars(
            select(MonitorAction)
            .where(MonitorAction.patient_id == patient.id)
            .order_by(MonitorAction.visit_date, MonitorAction.id)
        )
    )
