"""Trial runs as a job queue in the database: submit, claim, report progress, finish or fail.

The state machine is ``queued → running → done | failed``. A worker claims a job with a
conditional ``UPDATE … WHERE status = 'queued'``, so two workers (threads or processes, SQLite or
PostgreSQL) never run the same job.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from immunobalance.store.errors import RecordNotFoundError
from immunobalance.store.models import TrialRun, utcnow

__all__ = [
    "claim_next_trial",
    "fail_orphaned_trials",
    "fail_trial",
    "finish_trial",
    "get_trial",
    "report_progress",
    "submit_trial",
]


def submit_trial(
    session: Session, spec: dict[str, Any], name: str, *, submitted_by: int | None = None
) -> TrialRun:
    """Queue a trial; ``spec`` is the validated spec's JSON form. The id is random (uuid4)."""
    run = TrialRun(
        id=uuid.uuid4().hex,
        name=name,
        spec=spec,
        status="queued",
        progress=0.0,
        submitted_by=submitted_by,
    )
    session.add(run)
    session.flush()
    return run


def get_trial(session: Session, trial_id: str) -> TrialRun:
    """The trial run ``trial_id``.

    Raises
    ------
    RecordNotFoundError
        When no trial run has this id.
    """
    run = session.get(TrialRun, trial_id)
    if run is None:
        raise RecordNotFoundError("trial", trial_id)
    return run


def claim_next_trial(session: Session, worker: str) -> TrialRun | None:
    """Mark the oldest queued trial as running by ``worker`` and return it (None if none)."""
    while True:
        candidate = session.scalars(
            select(TrialRun.id)
            .where(TrialRun.status == "queued")
            .order_by(TrialRun.submitted_at, TrialRun.id)
            .limit(1)
        ).first()
        if candidate is None:
            return None
        now = utcnow()
        claimed = session.execute(
            update(TrialRun)
            .where(TrialRun.id == candidate, TrialRun.status == "queued")
            .values(status="running", worker=worker, started_at=now, heartbeat_at=now)
            .returning(TrialRun.id)
        ).scalar_one_or_none()
        if claimed is not None:
            run = session.get(TrialRun, claimed, populate_existing=True)
            assert run is not None
            return run


def _set(session: Session, trial_id: str, **values: Any) -> None:
    done = session.execute(
        update(TrialRun).where(TrialRun.id == trial_id).values(**values).returning(TrialRun.id)
    ).scalar_one_or_none()
    if done is None:
        raise RecordNotFoundError("trial", trial_id)


def report_progress(session: Session, trial_id: str, progress: float) -> None:
    """Record progress (0–1) and a heartbeat of a running trial."""
    if not 0.0 <= progress <= 1.0:
        raise ValueError(f"progress must be in [0, 1], got {progress!r}")
    _set(session, trial_id, progress=progress, heartbeat_at=utcnow())


def finish_trial(session: Session, trial_id: str, result_path: str) -> None:
    """Mark a trial done; ``result_path`` is relative to the data directory."""
    now = utcnow()
    _set(
        session,
        trial_id,
        status="done",
        progress=1.0,
        result_path=result_path,
        finished_at=now,
        heartbeat_at=now,
    )


def fail_trial(session: Session, trial_id: str, error: str) -> None:
    """Mark a trial failed with a message for the user."""
    now = utcnow()
    _set(session, trial_id, status="failed", error=error, finished_at=now, heartbeat_at=now)


def fail_orphaned_trials(session: Session, *, silent_for: timedelta) -> list[str]:
    """Fail running trials whose worker has been silent longer than ``silent_for``.

    A server that stops while a trial runs leaves it ``running`` forever; this tells the user to
    resubmit instead. Returns the ids failed.
    """
    cutoff: datetime = utcnow() - silent_for
    ids = list(
        session.scalars(
            select(TrialRun.id).where(TrialRun.status == "running", TrialRun.heartbeat_at < cutoff)
        )
    )
    for trial_id in ids:
        fail_trial(session, trial_id, "the server stopped while this trial ran; submit it again")
    return ids
