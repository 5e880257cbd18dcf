"""The audit trail: who did what, when, to which patient id. Never patient data: an event holds
the actor (token id and name), an action name, the patient's record id and an optional target id
(trial, token) — nothing from the record itself."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from immunobalance.store.models import ApiToken, AuditEvent

__all__ = ["list_events", "record_event"]


def record_event(
    session: Session,
    actor: ApiToken | None,
    action: str,
    *,
    patient_record_id: str | None = None,
    target: str | None = None,
) -> AuditEvent:
    """Add one audit event to the caller's transaction.

    Parameters
    ----------
    actor
        The token that acted; None for local operations (CLI), recorded as ``"local"``.
    action
        Dotted name, resource first: ``patient.create``, ``patient.view``, ``visit.create``,
        ``assessment.view``, ``timeline.view``, ``trial.create``, ``token.create``,
        ``token.revoke``.
    """
    event = AuditEvent(
        token_id=actor.id if actor is not None else None,
        actor=actor.name if actor is not None else "local",
        action=action,
        patient_record_id=patient_record_id,
        target=target,
    )
    session.add(event)
    session.flush()
    return event


def list_events(
    session: Session, *, patient_record_id: str | None = None, limit: int = 1000
) -> list[AuditEvent]:
    """Audit events, oldest first, optionally for one patient."""
    stmt = select(AuditEvent).order_by(AuditEvent.id).limit(limit)
    if patient_record_id is not None:
        stmt = stmt.where(AuditEvent.patient_record_id == patient_record_id)
    return list(session.scalars(stmt))
