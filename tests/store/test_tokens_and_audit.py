"""API tokens are stored hashed; the audit trail names actors and patient ids only."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from immunobalance.errors import InvalidInputError
from immunobalance.patient.read_json import parse_patient_dict
from immunobalance.store.crud import audit, tokens
from immunobalance.store.crud import patients as patient_crud
from immunobalance.store.errors import RecordNotFoundError
from immunobalance.store.session import Database


def _all_text(db: Database, table: str) -> str:
    with db.engine.connect() as conn:
        return repr(conn.execute(text(f"SELECT * FROM {table}")).all())


def test_token_secret_is_never_stored(database: Database) -> None:
    with database.write() as session:
        row, secret = tokens.create_token(session, "clinician", "ward 3")
    assert len(secret) >= 43  # 32 random bytes, URL-safe base64
    assert secret not in _all_text(database, "api_tokens")
    assert hashlib.sha256(secret.encode()).hexdigest() in _all_text(database, "api_tokens")
    with database.read() as session:
        found = tokens.authenticate(session, secret)
        assert found is not None and (found.id, found.role) == (row.id, "clinician")
        assert tokens.authenticate(session, secret + "x") is None


def test_revoked_token_no_longer_authenticates(database: Database) -> None:
    with database.write() as session:
        row, secret = tokens.create_token(session, "admin", "ops")
    with database.write() as session:
        tokens.revoke_token(session, row.id)
    with database.read() as session:
        assert tokens.authenticate(session, secret) is None
        assert tokens.list_tokens(session) == []
    with pytest.raises(RecordNotFoundError), database.write() as session:
        tokens.revoke_token(session, row.id)


def test_bad_token_request_lists_every_problem(database: Database) -> None:
    with pytest.raises(InvalidInputError) as info, database.write() as session:
        tokens.create_token(session, "superuser", "")
    assert [p.path for p in info.value.problems] == ["role", "name"]


@pytest.mark.parametrize(
    ("role", "required", "allowed"),
    [
        ("read", "read", True),
        ("read", "clinician", False),
        ("clinician", "clinician", True),
        ("clinician", "admin", False),
        ("admin", "clinician", True),
    ],
)
def test_role_order(role: str, required: str, allowed: bool) -> None:
    assert tokens.role_at_least(role, required) is allowed


def test_audit_holds_ids_not_patient_data(
    database: Database, ra_record: Callable[..., dict[str, Any]]
) -> None:
    patient = parse_patient_dict(ra_record())
    with database.write() as session:
        actor, _ = tokens.create_token(session, "clinician", "dr-who")
        patient_crud.create_patient(session, patient)
        audit.record_event(session, actor, "patient.create", patient_record_id=patient.id)
        audit.record_event(session, None, "token.create", target="7")
    with database.read() as session:
        events = audit.list_events(session)
        mine = audit.list_events(session, patient_record_id="pt-001")
    assert [(e.actor, e.action, e.patient_record_id) for e in events] == [
        ("dr-who", "patient.create", "pt-001"),
        ("local", "token.create", None),
    ]
    assert [e.action for e in mine] == ["patient.create"]
    trail = _all_text(database, "audit_log")
    for datum in ("1968-04-02", "M05.79", "methotrexate", "HLA-DRB1", "female"):
        assert datum not in trail
