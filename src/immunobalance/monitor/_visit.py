"""Assess one visit: activity at the visit, response vs the baseline and vs the previous visit.

Everything is computed by :func:`immunobalance.indices.assess.assess_patient` on the record *as it
stood* (observations up to a date), so the monitor and ``immunobalance assess`` can never
disagree:

* **activity** — the indices whose inputs were measured at this visit;
* **vs baseline** — ``assess`` of the record up to this visit (its response is against the first
  visit with complete inputs);
* **vs previous** — ``assess`` of the record restricted to the previous assessment visit (and the
  lab window before it) and this visit, so its response criteria compare those two visits;
* **series** — each index at every visit, for the therapy-start baseline and sustained-remission
  rules.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from immunobalance.indices.assess import (
    VISIT_WINDOW_DAYS,
    Assessment,
    IndexResult,
    assess_patient,
)
from immunobalance.patient.model import Patient

__all__ = ["IndexPoint", "VisitAssessment", "as_of", "assess_visit", "index_series"]


class IndexPoint(BaseModel):
    """One index value at one visit."""

    model_config = ConfigDict(frozen=True)

    date: date
    value: float
    category: str | None


class VisitAssessment(BaseModel):
    """Disease activity at a visit and response vs the baseline and the previous visit.

    ``vs_baseline`` and ``vs_previous`` hold the response criteria of ``assess`` (``EULAR``,
    ``ACR20``…, ``PASI75``…, ``SRI4``, ``MAYO_RESPONSE``, ``HBI_RESPONSE``, ``CDP12``,
    ``CPEPTIDE_CHANGE``) with the basis of each in ``*_basis``.
    """

    model_config = ConfigDict(frozen=True)

    patient: str
    disease: str | None
    date: date
    previous_date: dt.date | None = None
    baseline_date: dt.date | None = None
    indices: dict[str, IndexResult] = Field(default_factory=dict)
    previous_indices: dict[str, IndexResult] = Field(default_factory=dict)
    vs_baseline: dict[str, bool | str | float] = Field(default_factory=dict)
    vs_baseline_basis: dict[str, str] = Field(default_factory=dict)
    vs_previous: dict[str, bool | str | float] = Field(default_factory=dict)
    vs_previous_basis: dict[str, str] = Field(default_factory=dict)
    series: dict[str, list[IndexPoint]] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


def as_of(patient: Patient, when: date, *, since: date | None = None) -> Patient:
    """The record as it stood on ``when`` (observations dated ``since``..``when``)."""
    return patient.model_copy(
        update={
            "observations": tuple(
                o
                for o in patient.observations
                if o.date <= when and (since is None or o.date >= since)
            )
        }
    )


def _at(assessment: Assessment, when: date) -> dict[str, IndexResult]:
    return {k: r for k, r in assessment.indices.items() if r.date == when}


def index_series(patient: Patient, disease: str | None = None) -> dict[str, list[IndexPoint]]:
    """Every index at every visit where its inputs were measured, oldest first."""
    series: dict[str, list[IndexPoint]] = {}
    for when in patient.visit_dates():
        for key, result in _at(assess_patient(as_of(patient, when), disease=disease), when).items():
            series.setdefault(key, []).append(
                IndexPoint(date=when, value=result.value, category=result.category)
            )
    return series


def assess_visit(patient: Patient, when: date | None = None) -> VisitAssessment:
    """Assess the visit on ``when`` (default: the latest visit).

    Parameters
    ----------
    patient
        The validated patient, including the visit.
    when
        The visit date; observations after it are ignored (the record as it stood then).

    Returns
    -------
    VisitAssessment
        With no index disease, no indices and a note (as ``assess``).
    """
    dates = patient.visit_dates()
    when = when or (dates[-1] if dates else date.today())
    record = as_of(patient, when)
    current = assess_patient(record)
    notes = list(current.notes)
    disease = current.disease
    series = index_series(record, disease) if disease is not None else {}
    assessment_dates = sorted({p.date for points in series.values() for p in points})
    previous = max((d for d in assessment_dates if d < when), default=None)
    vs_previous: dict[str, bool | str | float] = {}
    vs_previous_basis: dict[str, str] = {}
    previous_indices: dict[str, IndexResult] = {}
    if previous is not None:
        since = previous - timedelta(days=VISIT_WINDOW_DAYS)
        pair = assess_patient(as_of(patient, when, since=since), disease=disease)
        vs_previous, vs_previous_basis = dict(pair.response), dict(pair.response_basis)
        previous_indices = _at(assess_patient(as_of(patient, previous), disease=disease), previous)
    elif disease is not None:
        notes.append("first assessment visit: no previous visit to compare with")
    return VisitAssessment(
        patient=patient.id,
        disease=disease,
        date=when,
        previous_date=previous,
        baseline_date=current.baseline_date,
        indices=_at(current, when),
        previous_indices=previous_indices,
        vs_baseline=dict(current.response),
        vs_baseline_basis=dict(current.response_basis),
        vs_previous=vs_previous,
        vs_previous_basis=vs_previous_basis,
        series=series,
        notes=notes,
    )
