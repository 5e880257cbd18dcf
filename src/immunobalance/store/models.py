"""SQLAlchemy 2 models of everything immunobalance keeps: patients, visits and their observations,
medications, computed assessments and recommendations, in-silico trial runs, API tokens and the
audit log.

Why relational rows instead of one JSON blob per patient: visits are appended concurrently by
several clinicians, each append must be atomic and must not rewrite what others wrote, and the
audit log and timelines query by patient and date. The *normalised* patient (units converted,
codes mapped by the readers) is what is stored, so loading a patient back needs no re-validation.

Schema changes go through Alembic (``store/alembic/versions``); ``tests/store/test_migrations.py``
fails when these models and the migrations disagree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ACTION_KINDS",
    "ROLES",
    "TRIAL_STATUSES",
    "AllergyRow",
    "ApiToken",
    "AssessmentRecord",
    "AuditEvent",
    "Base",
    "ConditionRow",
    "MedicationRow",
    "MonitorAction",
    "ObservationRow",
    "PatientRow",
    "RecommendationRecord",
    "TrialRun",
    "Visit",
    "utcnow",
]

#: API roles, lowest first: ``read`` may only GET; ``clinician`` may also write patients, visits
#: and trials; ``admin`` may also manage tokens.
ROLES: tuple[str, ...] = ("read", "clinician", "admin")

#: Treat-to-target actions the monitor proposes (``immunobalance.monitor.ACTION_KINDS``).
ACTION_KINDS: tuple[str, ...] = (
    "continue",
    "optimise_dose",
    "add",
    "switch_class",
    "taper",
    "review",
)

#: Life cycle of a trial run: queued → running → done | failed.
TRIAL_STATUSES: tuple[str, ...] = ("queued", "running", "done", "failed")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (every timestamp in the store is UTC)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware.

    SQLite has no timezone type and returns naive datetimes; this makes both backends return the
    same aware values, so comparisons never mix naive and aware times.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timestamps in UTC (aware)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


def _one_of(*columns: str) -> str:
    """SQL for 'exactly one of these columns is not NULL' (portable: no boolean arithmetic)."""
    terms = " + ".join(f"(CASE WHEN {c} IS NOT NULL THEN 1 ELSE 0 END)" for c in columns)
    return f"{terms} = 1"


def _patient_fk() -> Any:
    """The owning patient's key; rows go when their patient goes."""
    return mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# ---------------------------------------------------------------------------------- patients
class PatientRow(Base):
    """A patient's demographics and record-level fields; clinical facts live in child rows.

    ``record_id`` is the patient's id in the record (``"pt-001"``); ``id`` is internal.
    ``revision`` increases with every change, so derived results (assessments) know whether they
    are current.
    """

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[str] = mapped_column(String(128), unique=True)
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date | None] = mapped_column(Date)
    age_years: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    height_cm: Mapped[float | None] = mapped_column(Float)
    genetics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    conditions: Mapped[list[ConditionRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="ConditionRow.position"
    )
    allergies: Mapped[list[AllergyRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="AllergyRow.position"
    )
    visits: Mapped[list[Visit]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Visit.id"
    )
    medications: Mapped[list[MedicationRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint(_in("sex", ("female", "male", "other", "unknown")), "sex"),)


class ConditionRow(Base):
    """A diagnosis (ICD-10-CM or SNOMED CT) of a patient.

    Columns carry the names of :class:`~immunobalance.patient.Condition`'s fields (likewise for
    allergies and medications), and the mapping is by name, so a field added to the patient
    model without a column fails the round-trip test instead of being dropped silently.
    """

    __tablename__ = "conditions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = _patient_fk()
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    system: Mapped[str] = mapped_column(String(8))
    onset: Mapped[date | None] = mapped_column(Date)
    abatement: Mapped[date | None] = mapped_column(Date)
    display: Mapped[str | None] = mapped_column(String(256))
    icd10_equivalent: Mapped[str | None] = mapped_column(String(32))
    clinical_status: Mapped[str | None] = mapped_column(String(16))

    patient: Mapped[PatientRow] = relationship(back_populates="conditions")


class AllergyRow(Base):
    """An allergy or intolerance of a patient."""

    __tablename__ = "allergies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = _patient_fk()
    position: Mapped[int] = mapped_column(Integer)
    substance: Mapped[str] = mapped_column(String(256))
    agent: Mapped[str | None] = mapped_column(String(64))
    criticality: Mapped[str | None] = mapped_column(String(20))

    patient: Mapped[PatientRow] = relationship(back_populates="allergies")


class Visit(Base):
    """One dated encounter: the observations taken and therapies recorded on that date.

    A record submitted whole becomes one visit per distinct observation date (``source =
    'record'``); ``POST /patients/{id}/visits`` appends one visit (``source = 'visit'``).
    """

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = _patient_fk()
    date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(8))
    recorded_by: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    patient: Mapped[PatientRow] = relationship(back_populates="visits")
    observations: Mapped[list[ObservationRow]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="ObservationRow.position"
    )
    medications: Mapped[list[MedicationRow]] = relationship(back_populates="visit")

    __table_args__ = (CheckConstraint(_in("source", ("record", "visit")), "source"),)


class ObservationRow(Base):
    """One normalised observation (knowledge-base key, value in the key's default unit).

    The value is typed: exactly one of ``value_num`` (quantities, counts, scores), ``value_bool``
    (descriptors) or ``value_text`` (categories) is set. ``original_*`` keep what was submitted.
    """

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64), index=True)
    value_num: Mapped[float | None] = mapped_column(Float)
    value_bool: Mapped[bool | None] = mapped_column()
    value_text: Mapped[str | None] = mapped_column(String(256))
    unit: Mapped[str | None] = mapped_column(String(64))
    original_code: Mapped[str | None] = mapped_column(String(64))
    original_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    original_unit: Mapped[str | None] = mapped_column(String(64))

    visit: Mapped[Visit] = relationship(back_populates="observations")

    __table_args__ = (CheckConstraint(_one_of("value_num", "value_bool", "value_text"), "value"),)


class MedicationRow(Base):
    """A therapy (one regimen item) a patient had or has, with how it went.

    ``visit_id`` is set when the therapy was recorded at a visit, NULL when it came with the
    record's medication history.
    """

    __tablename__ = "medications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = _patient_fk()
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    agent: Mapped[str] = mapped_column(String(64))
    dose: Mapped[str | None] = mapped_column(String(64))
    every: Mapped[str | None] = mapped_column(String(64))
    route: Mapped[str | None] = mapped_column(String(8))
    start: Mapped[date | None] = mapped_column(Date)
    stop: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(32))

    patient: Mapped[PatientRow] = relationship(back_populates="medications")
    visit: Mapped[Visit | None] = relationship(back_populates="medications")


# ---------------------------------------------------------------------------- derived results
class _DerivedResult:
    """A result computed from a patient at one revision, kept as shown (JSON payload)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = _patient_fk()
    patient_revision: Mapped[int] = mapped_column(Integer)
    software_version: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class AssessmentRecord(_DerivedResult, Base):
    """Disease-activity indices of a patient (the ``assess --format json`` document)."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint(
            "patient_id",
            "patient_revision",
            "software_version",
            name="uq_assessments_patient_revision",
        ),
    )


class RecommendationRecord(_DerivedResult, Base):
    """Ranked regimens for a patient (the ``recommend --format json`` document)."""

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint(
            "patient_id",
            "patient_revision",
            "software_version",
            name="uq_recommendations_patient_revision",
        ),
    )


class MonitorAction(Base):
    """A treat-to-target action proposed at a visit, kept as shown.

    ``payload`` is the monitor's whole review (assessment vs baseline and previous visit, the
    action with reasons and sources, safety alerts); ``kind`` and ``summary`` are copied out for
    lists. A visit appended twice is two visits, each with its action; the action goes with its
    visit.
    """

    __tablename__ = "monitor_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = _patient_fk()
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), index=True
    )
    visit_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(256))
    patient_revision: Mapped[int] = mapped_column(Integer)
    software_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (CheckConstraint(_in("kind", ACTION_KINDS), "kind"),)


# --------------------------------------------------------------------------------- trial runs
class TrialRun(Base):
    """One in-silico trial job: its spec, life cycle and where its result files are.

    Results live on disk (``<data_dir>/trials/<id>/``); ``result_path`` is relative to the data
    directory so a moved data directory keeps working.
    """

    __tablename__ = "trial_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), index=True, default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    submitted_by: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    worker: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    result_path: Mapped[str | None] = mapped_column(String(512))

    __table_args__ = (
        CheckConstraint(_in("status", TRIAL_STATUSES), "status"),
        CheckConstraint("progress >= 0 AND progress <= 1", "progress"),
    )


# -------------------------------------------------------------------------------- tokens, audit
class ApiToken(Base):
    """An API token: only the SHA-256 of the secret is stored, with a role and a name.

    SHA-256 (not a slow password hash) is the right tool here: the secret is 32 random bytes
    from :func:`secrets.token_urlsafe`, so there is nothing to guess by dictionary, and a fast
    hash lets every request find its token by an indexed equality lookup.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (CheckConstraint(_in("role", ROLES), "role"),)


class AuditEvent(Base):
    """Who did what, when, to which patient (by id) — never any patient data.

    ``actor`` copies the token name at the time, so the trail stays readable after a token is
    revoked; ``patient_record_id`` is the record id, not a foreign key, so the trail outlives
    the patient row.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    patient_record_id: Mapped[str | None] = mapped_column(String(128), index=True)
    target: Mapped[str | None] = mapped_column(String(128))
