"""POST /patients/{id}/visits: normalised like records, atomic, every problem at once."""

from __future__ import annotations

import threading
from typing import Any

from immunobalance.patient import parse_patient_dict
from immunobalance.store.crud import audit
from immunobalance.store.crud import patients as crud


def _create(api: Any, ra_record: Any) -> None:
    r = api.client.post("/api/v1/patients", json=ra_record(), headers=api.auth("clinician"))
    assert r.status_code == 201


def test_visit_is_normalised_and_appended(api: Any, ra_record: Any) -> None:
    _create(api, ra_record)
    body = {
        "date": "2026-11-05",
        "observations": [
            {"code": "CRP", "value": 0.8, "unit": "mg/dL"},
            {"code": "TJC28", "value": 2},
        ],
        "medications": [
            {
                "agent": "adalimumab",
                "dose": "40 mg",
                "every": "2 weeks",
                "route": "sc",
                "start": "2026-11-05",
            }
        ],
    }
    r = api.client.post("/api/v1/patients/pt-001/visits", json=body, headers=api.auth("clinician"))
    assert r.status_code == 201, r.text
    assert r.json()["observations"] == 2 and r.json()["medications"] == 1
    # the same items inside a whole record, read by the reader, are the reference
    reference = parse_patient_dict(
        {
            "id": "pt-001",
            "observations": [{**o, "date": "2026-11-05"} for o in body["observations"]],
            "medications": body["medications"],
        }
    )
    with api.db.read() as session:
        stored = crud.load_patient(session, "pt-001")
    assert stored.observations[-2:] == reference.observations
    assert stored.medications[-1:] == reference.medications
    with api.db.read() as session:
        assert [e.action for e in audit.list_events(session, patient_record_id="pt-001")] == [
            "patient.create",
            "visit.create",
        ]


def test_invalid_visit_lists_every_problem_and_stores_nothing(api: Any, ra_record: Any) -> None:
    _create(api, ra_record)
    with api.db.read() as session:
        before = crud.load_patient(session, "pt-001")
    body = {
        "date": "2026-13-40",
        "observations": [
            {"code": "CRP", "value": 1, "unit": "mg/dl/h"},
            {"code": "NOPE", "value": 1},
        ],
        "medications": [{"agent": "adalimumab", "route": "nasal"}],
        "notes": "x",
    }
    r = api.client.post("/api/v1/patients/pt-001/visits", json=body, headers=api.auth("clinician"))
    assert r.status_code == 422
    paths = [p["path"] for p in r.json()["problems"]]
    for expected in (
        "notes",
        "date",
        "observations[0].unit",
        "observations[1].code",
        "medications[0].route",
    ):
        assert expected in paths, paths
    assert not any(p.endswith(".date") for p in paths)  # the bad date is reported once
    with api.db.read() as session:
        assert crud.load_patient(session, "pt-001") == before


def test_empty_or_future_visit_is_refused(api: Any, ra_record: Any) -> None:
    _create(api, ra_record)
    for body, path in (
        ({"date": "2026-11-05"}, "observations"),
        ({"date": "2999-01-01", "observations": [{"code": "TJC28", "value": 1}]}, "date"),
    ):
        r = api.client.post(
            "/api/v1/patients/pt-001/visits", json=body, headers=api.auth("clinician")
        )
        assert r.status_code == 422 and path in [p["path"] for p in r.json()["problems"]]


def test_visit_to_unknown_patient_is_404(api: Any) -> None:
    r = api.client.post(
        "/api/v1/patients/nobody/visits",
        json={"date": "2026-01-01", "observations": []},
        headers=api.auth("clinician"),
    )
    assert r.status_code == 404


def test_concurrent_visits_through_the_api_are_all_kept(api: Any, ra_record: Any) -> None:
    _create(api, ra_record)
    n = 12
    start = threading.Barrier(n)
    statuses: list[int] = []

    def post(i: int) -> None:
        body = {"date": f"2026-11-{i + 1:02d}", "observations": [{"code": "SJC28", "value": i}]}
        start.wait()
        r = api.client.post(
            "/api/v1/patients/pt-001/visits", json=body, headers=api.auth("clinician")
        )
        statuses.append(r.status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * n
    patient = api.client.get("/api/v1/patients/pt-001", headers=api.auth("read")).json()
    november = sorted(o["value"] for o in patient["observations"] if o["date"] >= "2026-11-01")
    assert november == [float(i) for i in range(n)]
