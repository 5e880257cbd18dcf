"""Patients and their visits: store a validated :class:`~immunobalance.patient.Patient`, load it
back, append visits.

A stored record keeps the readers' normalised form, so :func:`load_patient` rebuilds the same
``Patient`` that was stored (observation order included) without re-validating.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from immunobalance.patient.model import (
    Allergy,
    Condition,
    Medication,
    Observation,
    ObservationValue,
    Patient,
)
from immunobalance.store.errors import DuplicateRecordError, RecordNotFoundError
from immunobalance.store.models import (
    AllergyRow,
    ConditionRow,
    MedicationRow,
    ObservationRow,
    PatientRow,
    Visit,
    utcnow,
)

_R = TypeVar("_R", Condition, Allergy, Medication)

__all__ = [
    "PatientListing",
    "add_visit",
    "create_patient",
    "get_patient_row",
    "list_patients",
    "load_patient",
    "medication_from_row",
    "observation_from_row",
    "patient_from_row",
    "visits_of",
]


# ------------------------------------------------------------------------------ row mapping
def _observation_row(obs: Observation, position: int) -> ObservationRow:
    value: ObservationValue = obs.value
    return ObservationRow(
        position=position,
        code=obs.code,
        # bool before float: bool is an int subclass and must stay a descriptor, not 1.0
        value_bool=value if isinstance(value, bool) else None,
        value_num=float(value)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else None,
        value_text=value if isinstance(value, str) else None,
        unit=obs.unit,
        original_code=obs.original_code,
        original_value=obs.original_value,
        original_unit=obs.original_unit,
    )


def observation_from_row(row: ObservationRow, when: date) -> Observation:
    """The :class:`Observation` a row stores (``when``: its visit's date)."""
    value: ObservationValue
    if row.value_bool is not None:
        value = row.value_bool
    elif row.value_num is not None:
        value = row.value_num
    else:
        value = str(row.value_text)
    return Observation(
        code=row.code,
        value=value,
        unit=row.unit,
        date=when,
        original_code=row.original_code,
        original_value=row.original_value,
        original_unit=row.original_unit,
    )


def _fields(record: Condition | Allergy | Medication) -> dict[str, Any]:
    return {name: getattr(record, name) for name in type(record).model_fields}


def _from_row(model: type[_R], row: object) -> _R:
    return model.model_validate({name: getattr(row, name) for name in model.model_fields})


def _medication_row(med: Medication, position: int, visit: Visit | None) -> MedicationRow:
    return MedicationRow(position=position, visit=visit, **_fields(med))


def medication_from_row(row: MedicationRow) -> Medication:
    """The :class:`Medication` a row stores."""
    return _from_row(Medication, row)


def patient_from_row(row: PatientRow) -> Patient:
    """Rebuild the stored :class:`Patient` from its rows.

    Observations and medications that came with the record keep the record's order; those
    appended by visits follow, oldest visit first.
    """
    observations: list[tuple[tuple[int, date, int, int], Observation]] = []
    for visit in row.visits:
        for obs in visit.observations:
            key = (
                (0, date.min, 0, obs.position)
                if visit.source == "record"
                else (1, visit.date, visit.id, obs.position)
            )
            observations.append((key, observation_from_row(obs, visit.date)))
    medications = sorted(
        row.medications,
        key=lambda m: (
            (0, date.min, 0, m.position)
            if m.visit is None
            else (1, m.visit.date, m.visit.id, m.position)
        ),
    )
    return Patient.model_validate(
        {
            "id": row.record_id,
            "sex": row.sex,
            "birth_date": row.birth_date,
            "age_years": row.age_years,
            "weight_kg": row.weight_kg,
            "height_cm": row.height_cm,
            "conditions": [_from_row(Condition, c) for c in row.conditions],
            "observations": [o for _, o in sorted(observations, key=lambda item: item[0])],
            "medications": [medication_from_row(m) for m in medications],
            "allergies": [_from_row(Allergy, a) for a in row.allergies],
            "genetics": row.genetics,
            "warnings": tuple(row.warnings),
        }
    )


def _with_record() -> Sequence[object]:
    return (
        selectinload(PatientRow.conditions),
        selectinload(PatientRow.allergies),
        selectinload(PatientRow.visits).selectinload(Visit.observations),
        selectinload(PatientRow.medications).selectinload(MedicationRow.visit),
    )


# ---------------------------------------------------------------------------------- queries
def get_patient_row(session: Session, record_id: str, *, full: bool = True) -> PatientRow | None:
    """The stored patient ``record_id`` (with all child rows when ``full``), or None."""
    stmt = select(PatientRow).where(PatientRow.record_id == record_id)
    if full:
        stmt = stmt.options(*_with_record())  # type: ignore[arg-type]
    return session.scalars(stmt).one_or_none()


def load_patient(session: Session, record_id: str) -> Patient:
    """The stored patient ``record_id``.

    Raises
    ------
    RecordNotFoundError
        When no patient has this id.
    """
    row = get_patient_row(session, record_id)
    if row is None:
        raise RecordNotFoundError("patient", record_id)
    return patient_from_row(row)


@dataclass(frozen=True)
class PatientListing:
    """One line of the patient list: who, how much is recorded, when it last changed."""

    id: str
    sex: str
    birth_date: date | None
    age_years: float | None
    visits: int
    last_visit: date | None
    updated_at: datetime


def list_patients(session: Session, *, offset: int = 0, limit: int = 100) -> list[PatientListing]:
    """Patients ordered by record id, with their visit count and latest visit date."""
    visit_stats = (
        select(
            Visit.patient_id,
            func.count(Visit.id).label("n"),
            func.max(Visit.date).label("last"),
        )
        .group_by(Visit.patient_id)
        .subquery()
    )
    stmt = (
        select(PatientRow, visit_stats.c.n, visit_stats.c.last)
        .outerjoin(visit_stats, visit_stats.c.patient_id == PatientRow.id)
        .order_by(PatientRow.record_id)
        .offset(offset)
        .limit(limit)
    )
    return [
        PatientListing(
            id=row.record_id,
            sex=row.sex,
            birth_date=row.birth_date,
            age_years=row.age_years,
            visits=n or 0,
            last_visit=last,
            updated_at=row.updated_at,
        )
        for row, n, last in session.execute(stmt)
    ]


# ----------------------------------------------------------------------------------- writes
def create_patient(
    session: Session, patient: Patient, *, recorded_by: int | None = None
) -> PatientRow:
    """Store a validated patient: demographics, conditions, allergies, medication history, and
    one visit per distinct observation date.

    Raises
    ------
    DuplicateRecordError
        When a patient with ``patient.id`` is already stored (also when a concurrent request
        stored it first).
    """
    if get_patient_row(session, patient.id, full=False) is not None:
        raise DuplicateRecordError("patient", patient.id)
    row = PatientRow(
        record_id=patient.id,
        sex=patient.sex,
        birth_date=patient.birth_date,
        age_years=patient.age_years,
        weight_kg=patient.weight_kg,
        height_cm=patient.height_cm,
        genetics=dict(patient.genetics),
        warnings=list(patient.warnings),
        conditions=[
            ConditionRow(position=i, **_fields(c)) for i, c in enumerate(patient.conditions)
        ],
        allergies=[AllergyRow(position=i, **_fields(a)) for i, a in enumerate(patient.allergies)],
    )
    by_date: dict[date, list[tuple[int, Observation]]] = defaultdict(list)
    for i, obs in enumerate(patient.observations):
        by_date[obs.date].append((i, obs))
    for when in sorted(by_date):
        row.visits.append(
            Visit(
                date=when,
                source="record",
                recorded_by=recorded_by,
                observations=[_observation_row(o, i) for i, o in by_date[when]],
            )
        )
    row.medications = [_medication_row(m, i, None) for i, m in enumerate(patient.medications)]
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # lost a race with a concurrent create of the same id
        raise DuplicateRecordError("patient", patient.id) from exc
    return row


def add_visit(
    session: Session,
    record_id: str,
    when: date,
    observations: Iterable[Observation],
    medications: Iterable[Medication] = (),
    *,
    recorded_by: int | None = None,
) -> Visit:
    """Append one visit (its observations and therapies) to a stored patient.

    The patient's ``revision`` is bumped with an atomic ``UPDATE``, which also locks the patient
    row, so concurrent visits to one patient are serialised and none is lost.

    Raises
    ------
    RecordNotFoundError
        When no patient has this id.
    """
    bumped = session.execute(
        update(PatientRow)
        .where(PatientRow.record_id == record_id)
        .values(revision=PatientRow.revision + 1, updated_at=utcnow())
        .returning(PatientRow.id)
    ).scalar_one_or_none()
    if bumped is None:
        raise RecordNotFoundError("patient", record_id)
    visit = Visit(
        patient_id=bumped,
        date=when,
        source="visit",
        recorded_by=recorded_by,
        observations=[_observation_row(o, i) for i, o in enumerate(observations)],
    )
    session.add(visit)
    for i, med in enumerate(medications):
        med_row = _medication_row(med, i, visit)
        med_row.patient_id = bumped
        session.add(med_row)
    session.flush()
    return visit


def visits_of(session: Session, record_id: str) -> list[Visit]:
    """The patient's visits with their observations and therapies, oldest first.

    Raises
    ------
    RecordNotFoundError
        When no patient has this id.
    """
    row = get_patient_row(session, record_id, full=False)
    if row is None:
        raise RecordNotFoundError("patient", record_id)
    stmt = (
        select(Visit)
        .where(Visit.patient_id == row.id)
        .options(selectinload(Visit.observations), selectinload(Visit.medications))
        .order_by(Visit.date, Visit.id)
    )
    return list(session.scalars(stmt))
