"""Patients in the store: exact round trip, atomic writes, no lost concurrent visits."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from immunobalance.patient.model import Medication, Observation, Patient
from immunobalance.patient.read_json import parse_patient_dict
from immunobalance.store.crud import patients as crud
from immunobalance.store.errors import DuplicateRecordError, RecordNotFoundError
from immunobalance.store.models import (
    AllergyRow,
    ConditionRow,
    MedicationRow,
    ObservationRow,
    PatientRow,
    Visit,
)
from immunobalance.store.session import Database

Record = Callable[..., dict[str, Any]]

CLINICAL_TABLES = (PatientRow, ConditionRow, AllergyRow, Visit, ObservationRow, MedicationRow)


def _counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in CLINICAL_TABLES
        }


def test_every_patient_field_is_mapped() -> None:
    # Observations are mapped field by field (typed value columns); a new field must be added
    # to ObservationRow and to crud.patients, not dropped silently.
    assert set(Observation.model_fields) == {
        "code",
        "value",
        "unit",
        "date",
        "original_code",
        "original_value",
        "original_unit",
    }
    assert set(Patient.model_fields) == {
        "id",
        "sex",
        "birth_date",
        "age_years",
        "weight_kg",
        "height_cm",
        "conditions",
        "observations",
        "medications",
        "allergies",
        "genetics",
        "warnings",
    }


def test_stored_patient_reads_back_identical(database: Database, ra_record: Record) -> None:
    patient = parse_patient_dict(ra_record())
    with database.write() as session:
        crud.create_patient(session, patient)
    with database.read() as session:
        assert crud.load_patient(session, "pt-001") == patient
    # one visit per distinct observation date
    assert _counts(database)["visits"] == len(patient.visit_dates()) == 3


def test_values_keep_their_type(database: Database, ra_record: Record) -> None:
    record = ra_record()
    record["observations"].append({"code": "SMOKING", "value": True, "date": "2026-10-01"})
    patient = parse_patient_dict(record)
    with database.write() as session:
        crud.create_patient(session, patient)
    with database.read() as session:
        loaded = crud.load_patient(session, "pt-001")
    smoking = loaded.latest("SMOKING")
    assert smoking is not None and smoking.value is True
    igra = loaded.latest("TB_IGRA")
    assert igra is not None and igra.value == "negative"
    crp = loaded.latest("CRP", on_or_before=dt.date(2026, 4, 1))
    assert crp is not None and crp.value == pytest.approx(24.0) and crp.original_unit == "mg/dL"


def test_duplicate_id_is_refused_and_changes_nothing(database: Database, ra_record: Record) -> None:
    with database.write() as session:
        crud.create_patient(session, parse_patient_dict(ra_record()))
    before = _counts(database)
    with pytest.raises(DuplicateRecordError, match="pt-001"), database.write() as session:
        crud.create_patient(session, parse_patient_dict(ra_record()))
    assert _counts(database) == before


def test_a_failed_transaction_leaves_nothing(database: Database, ra_record: Record) -> None:
    with pytest.raises(RuntimeError), database.write() as session:
        crud.create_patient(session, parse_patient_dict(ra_record()))
        raise RuntimeError("the request failed after the insert")
    assert set(_counts(database).values()) == {0}


def test_concurrent_creates_of_one_id_store_it_once(database: Database, ra_record: Record) -> None:
    patient = parse_patient_dict(ra_record())
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def create() -> None:
        start.wait()
        try:
            with database.write() as session:
                crud.create_patient(session, patient)
            outcome = "stored"
        except DuplicateRecordError:
            outcome = "duplicate"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["duplicate"] * 5 + ["stored"]
    assert _counts(database)["patients"] == 1


def test_concurrent_visits_are_all_kept(database: Database, ra_record: Record) -> None:
    with database.write() as session:
        crud.create_patient(session, parse_patient_dict(ra_record()))
    n = 16
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def visit(i: int) -> None:
        when = dt.date(2026, 11, 1) + dt.timedelta(days=i)
        obs = Observation(code="TJC28", value=float(i), date=when)
        start.wait()
        try:
            with database.write() as session:
                crud.add_visit(session, "pt-001", when, [obs])
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=visit, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with database.read() as session:
        patient = crud.load_patient(session, "pt-001")
        row = crud.get_patient_row(session, "pt-001", full=False)
    appended = sorted(o.value for o in patient.observations if o.date >= dt.date(2026, 11, 1))
    assert appended == [float(i) for i in range(n)]
    assert row is not None and row.revision == 1 + n


def test_visit_appends_observations_and_therapies(database: Database, ra_record: Record) -> None:
    with database.write() as session:
        crud.create_patient(session, parse_patient_dict(ra_record()))
    when = dt.date(2026, 12, 1)
    start = Medication(agent="adalimumab", dose="40 mg", every="2 weeks", route="sc", start=when)
    with database.write() as session:
        crud.add_visit(
            session, "pt-001", when, [Observation(code="SJC28", value=1, date=when)], [start]
        )
    with database.read() as session:
        patient = crud.load_patient(session, "pt-001")
        visits = crud.visits_of(session, "pt-001")
    assert patient.latest_value("SJC28") == 1
    assert patient.medications[-1] == start
    assert [v.source for v in visits] == ["record", "record", "record", "visit"]


def test_visit_to_unknown_patient(database: Database) -> None:
    with pytest.raises(RecordNotFoundError), database.write() as session:
        crud.add_visit(session, "nobody", dt.date(2026, 1, 1), [])


def test_listing(database: Database, ra_record: Record) -> None:
    with database.write() as session:
        for pid in ("pt-b", "pt-a"):
            crud.create_patient(session, parse_patient_dict(ra_record(pid)))
    with database.read() as session:
        listing = crud.list_patients(session)
    assert [p.id for p in listing] == ["pt-a", "pt-b"]
    assert listing[0].visits == 3 and listing[0].last_visit == dt.date(2026, 10, 1)
