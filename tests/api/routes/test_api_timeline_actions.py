"""Treat-to-target actions: proposed when a patient is stored and at every visit, stored with the
visit in one transaction, shown in GET /timeline."""

from __future__ import annotations

from typing import Any

from immunobalance.store.crud import actions as crud_actions
from immunobalance.store.crud import patients as crud_patients


def _ra(patient_id: str = "pt-t2t") -> dict[str, Any]:
    visit = {"TJC28": 10, "SJC28": 8, "PTGA": 60, "PHGA": 60}  # CDAI 30
    return {
        "id": patient_id,
        "sex": "female",
        "birth_date": "1970-01-01",
        "conditions": [{"code": "M05.79", "system": "icd10"}],
        "observations": [{"code": k, "value": v, "date": "2026-01-01"} for k, v in visit.items()],
        "medications": [
            {
                "agent": "adalimumab",
                "dose": "40 mg",
                "every": "2 weeks",
                "route": "sc",
                "start": "2026-01-01",
            },
            {
                "agent": "methotrexate",
                "dose": "25 mg",
                "every": "1 week",
                "route": "oral",
                "start": "2025-01-01",
            },
        ],
    }


def test_visit_gets_an_action_shown_in_the_timeline(api: Any) -> None:
    assert (
        api.client.post("/api/v1/patients", json=_ra(), headers=api.auth("clinician")).status_code
        == 201
    )
    visit = {
        "date": "2026-04-05",
        "observations": [
            {"code": "TJC28", "value": 8},
            {"code": "SJC28", "value": 6},
            {"code": "PTGA", "value": 30},
            {"code": "PHGA", "value": 30},
        ],
    }  # CDAI 20: < 50 % at 3 m
    r = api.client.post("/api/v1/patients/pt-t2t/visits", json=visit, headers=api.auth("clinician"))
    assert r.status_code == 201, r.text
    action = r.json()["action"]
    assert action["kind"] == "switch_class" and action["index"] == "CDAI"
    assert action["sources"] and action["reasons"]
    timeline = api.client.get("/api/v1/patients/pt-t2t/timeline", headers=api.auth("read")).json()
    kinds = [(a["date"], a["kind"]) for a in timeline["actions"]]
    assert kinds == [("2026-01-01", "continue"), ("2026-04-05", "switch_class")]
    assert timeline["actions"][1]["visit_id"] == r.json()["id"]


def test_invalid_visit_stores_neither_visit_nor_action(api: Any) -> None:
    api.client.post("/api/v1/patients", json=_ra(), headers=api.auth("clinician"))
    bad = {"date": "2026-04-05", "observations": [{"code": "TJC28", "value": 31}]}
    r = api.client.post("/api/v1/patients/pt-t2t/visits", json=bad, headers=api.auth("clinician"))
    assert r.status_code == 422
    with api.db.read() as session:
        row = crud_patients.get_patient_row(session, "pt-t2t")
        assert row is not None
        assert len(crud_actions.list_actions(session, row)) == 1  # the one from creation
        assert len(row.visits) == 1
