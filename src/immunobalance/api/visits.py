"""Validate a follow-up visit with the same normaliser as whole records.

A visit body is ``{"date", "observations": [...], "medications": [...]}``. Its observations and
medications are run through the patient reader as a one-visit record, so units, codes, ranges and
agents are checked exactly as in a full record, and every problem — of the envelope and of each
item — is reported together, with paths relative to the visit body.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from immunobalance.errors import InvalidRecordError, Problem
from immunobalance.patient import parse_patient_dict
from immunobalance.patient.model import Medication, Observation

__all__ = ["ValidVisit", "validate_visit"]

_FIELDS = ("date", "observations", "medications")


@dataclass(frozen=True)
class ValidVisit:
    date: dt.date
    observations: tuple[Observation, ...]
    medications: tuple[Medication, ...]


def _visit_date(raw: Any, problems: list[Problem], today: dt.date) -> dt.date | None:
    if raw is None:
        problems.append(Problem("date", "required: the visit date (YYYY-MM-DD)"))
        return None
    try:
        when = dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        when = None
    if when is None:
        problems.append(Problem("date", f"{raw!r} is not a date (expected YYYY-MM-DD)"))
    elif when > today:
        problems.append(Problem("date", f"{when} is in the future (today is {today})"))
        return None
    return when


def _items(body: dict[str, Any], key: str, problems: list[Problem]) -> list[Any]:
    items = body.get(key, [])
    if not isinstance(items, list):
        problems.append(Problem(key, f"expected a list, got {type(items).__name__}"))
        return []
    return items


def validate_visit(body: dict[str, Any], patient_id: str, *, today: dt.date) -> ValidVisit:
    """Check and normalise a visit body.

    Parameters
    ----------
    body
        The request body.
    patient_id
        The patient the visit belongs to (the reader needs a record id).
    today
        Visits dated after it are refused (a date typo must not become a future visit).

    Raises
    ------
    InvalidRecordError
        Listing every problem (``date``, ``observations[2].unit``, ``medications[0].agent``…).
    """
    problems = [
        Problem(key, f"unexpected field (expected one of {', '.join(_FIELDS)})")
        for key in body
        if key not in _FIELDS
    ]
    when = _visit_date(body.get("date"), problems, today)
    observations = _items(body, "observations", problems)
    medications = _items(body, "medications", problems)
    if not observations and not medications and "observations" not in {p.path for p in problems}:
        problems.append(
            Problem("observations", "a visit needs at least one observation or therapy")
        )
    # Without a valid visit date, the items are still checked (against today's date), so the
    # user sees every problem at once; the date problem itself is reported once, above.
    stamp = (when or today).isoformat()
    dated: list[Any] = []
    for i, obs in enumerate(observations):
        if isinstance(obs, dict):
            own = obs.get("date")
            if own is not None and when is not None and own != stamp:
                message = f"{own!r} differs from the visit date {when}"
                problems.append(Problem(f"observations[{i}].date", message))
            obs = {**obs, "date": stamp}
        dated.append(obs)
    try:
        record = parse_patient_dict(
            {"id": patient_id, "observations": dated, "medications": medications}
        )
    except InvalidRecordError as exc:
        problems.extend(exc.problems)
        record = None
    if problems or record is None or when is None:
        raise InvalidRecordError(problems or [Problem("", "invalid visit")], what="visit")
    return ValidVisit(when, record.observations, record.medications)
