"""POST/GET /patients: stored exactly as the readers normalise it; every problem listed; nothing
half-stored; every write and view audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from immunobalance.errors import InvalidRecordError
from immunobalance.patient import parse_fhir_bundle, parse_patient_dict
from immunobalance.store.crud import audit
from immunobalance.store.models import ObservationRow, PatientRow, Visit

FHIR_SAMPLE = Path("/work/shared/reference/fhir/synthea-sample-complete-patient.json")


def _clinical_rows(api: Any) -> int:
    with api.db.read() as session:
        return sum(
            session.scalar(select(func.count()).select_from(m)) or 0
            for m in (PatientRow, Visit, ObservationRow)
        )


def _actions(api: Any, patient_id: str | None = None) -> list[str]:
    with api.db.read() as session:
        return [e.action for e in audit.list_events(session, patient_record_id=patient_id)]


def test_create_then_get(api: Any, ra_record: Any) -> None:
    r = api.client.post("/api/v1/patients", json=ra_record(), headers=api.auth("clinician"))
    assert r.status_code == 201, r.text
    assert r.json() == {"id": "pt-001"}
    assert r.headers["Location"] == "/api/v1/patients/pt-001"
    got = api.client.get("/api/v1/patients/pt-001", headers=api.auth("read"))
    assert got.status_code == 200
    expected = parse_patient_dict(ra_record()).model_dump(mode="json")
    assert got.json() == expected
    assert _actions(api, "pt-001") == ["patient.create", "patient.view"]


def test_duplicate_is_409(api: Any, ra_record: Any) -> None:
    assert (
        api.client.post(
            "/api/v1/patients", json=ra_record(), headers=api.auth("clinician")
        ).status_code
        == 201
    )
    before = _clinical_rows(api)
    r = api.client.post("/api/v1/patients", json=ra_record(), headers=api.auth("clinician"))
    assert r.status_code == 409 and "pt-001" in r.json()["detail"]
    assert _clinical_rows(api) == before


def test_invalid_record_lists_every_problem_and_stores_nothing(api: Any, ra_record: Any) -> None:
    bad = ra_record()
    bad["sex"] = "robot"
    bad["observations"][1]["unit"] = "mg/dl/h"
    bad["observations"].append({"code": "NOPE", "value": 1, "date": "2026-10-01"})
    bad["medications"][0]["route"] = "nasal"
    try:
        parse_patient_dict(bad)
    except InvalidRecordError as exc:  # the reader's own verdict is the reference
        expected = exc.as_dicts()
    assert len(expected) >= 4
    r = api.client.post("/api/v1/patients", json=bad, headers=api.auth("clinician"))
    assert r.status_code == 422
    assert r.json()["problems"] == expected
    paths = {p["path"] for p in expected}
    assert {"sex", "observations[1].unit", "medications[0].route"} <= paths
    assert _clinical_rows(api) == 0
    assert "patient.create" not in _actions(api)


def test_non_object_body_is_422(api: Any) -> None:
    r = api.client.post("/api/v1/patients", json=[1, 2], headers=api.auth("clinician"))
    assert r.status_code == 422 and r.json()["problems"]
    r = api.client.post(
        "/api/v1/patients",
        content=b"{not json",
        headers={**api.auth("clinician"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422


def test_fhir_bundle(api: Any) -> None:
    bundle = json.loads(FHIR_SAMPLE.read_text())
    expected = parse_fhir_bundle(bundle)
    r = api.client.post("/api/v1/patients", json=bundle, headers=api.auth("clinician"))
    assert r.status_code == 201, r.text
    assert r.json() == {"id": expected.id}
    got = api.client.get(f"/api/v1/patients/{expected.id}", headers=api.auth("read")).json()
    assert got == expected.model_dump(mode="json")


def test_unknown_patient_is_404(api: Any) -> None:
    r = api.client.get("/api/v1/patients/nobody", headers=api.auth("read"))
    assert r.status_code == 404 and "nobody" in r.json()["detail"]


def test_list(api: Any, ra_record: Any) -> None:
    for pid in ("pt-2", "pt-1"):
        api.client.post("/api/v1/patients", json=ra_record(pid), headers=api.auth("clinician"))
    r = api.client.get("/api/v1/patients", headers=api.auth("read"))
    assert r.status_code == 200
    assert [(p["id"], p["visits"], p["last_visit"]) for p in r.json()] == [
        ("pt-1", 3, "2026-10-01"),
        ("pt-2", 3, "2026-10-01"),
    ]
    page = api.client.get("/api/v1/patients?offset=1&limit=1", headers=api.auth("read")).json()
    assert [p["id"] for p in page] == ["pt-2"]
