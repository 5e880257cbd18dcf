"""GET /patients/{id}/assessment and /timeline: the same numbers as ``assess``."""

from __future__ import annotations

from typing import Any

from immunobalance.indices.assess import assess_patient
from immunobalance.patient import parse_patient_dict


def test_assessment_is_assess_json(api: Any, ra_record: Any) -> None:
    api.client.post("/api/v1/patients", json=ra_record(), headers=api.auth("clinician"))
    r = api.client.get("/api/v1/patients/pt-001/assessment", headers=api.auth("read"))
    assert r.status_code == 200, r.text
    expected = assess_patient(parse_patient_dict(ra_record())).model_dump(mode="json")
    assert r.json() == expected
    assert set(r.json()["indices"]) >= {"DAS28CRP", "CDAI"}


def test_assessment_follows_new_visits(api: Any, ra_record: Any) -> None:
    api.client.post("/api/v1/patients", json=ra_record(), headers=api.auth("clinician"))
    first = api.client.get("/api/v1/patients/pt-001/assessment", headers=api.auth("read")).json()
    visit = {
        "date": "2026-11-20",
        "observations": [
            {"code": "TJC28", "value": 0},
            {"code": "SJC28", "value": 0},
            {"code": "PTGA", "value": 5},
            {"code": "PHGA", "value": 5},
            {"code": "CRP", "value": 2, "unit": "mg/L"},
        ],
    }
    assert (
        api.client.post(
            "/api/v1/patients/pt-001/visits", json=visit, headers=api.auth("clinician")
        ).status_code
        == 201
    )
    second = api.client.get("/api/v1/patients/pt-001/assessment", headers=api.auth("read")).json()
    assert first["indices"]["CDAI"]["date"] == "2026-10-01"
    assert second["indices"]["CDAI"] == {
        "value": 1.0,
        "category": "remission",
        "date": "2026-11-20",
    }  # 0 + 0 + 0.5 + 0.5


def test_timeline(api: Any, ra_record: Any) -> None:
    api.client.post("/api/v1/patients", json=ra_record(), headers=api.auth("clinician"))
    r = api.client.get("/api/v1/patients/pt-001/timeline", headers=api.auth("read"))
    assert r.status_code == 200, r.text
    timeline = r.json()
    assert [v["date"] for v in timeline["visits"]] == ["2026-03-15", "2026-04-01", "2026-10-01"]
    assert timeline["visits"][0]["indices"] == {}  # TB screen only
    baseline = assess_patient(
        parse_patient_dict(
            {
                **ra_record(),
                "observations": [
                    o for o in ra_record()["observations"] if o["date"] <= "2026-04-01"
                ],
            }
        )
    )
    assert (
        timeline["visits"][1]["indices"]["DAS28CRP"]["value"] == baseline.indices["DAS28CRP"].value
    )
    latest = assess_patient(parse_patient_dict(ra_record()))
    assert timeline["visits"][2]["indices"]["CDAI"]["value"] == latest.indices["CDAI"].value
    assert [t["agent"] for t in timeline["therapies"]] == ["methotrexate"]


def test_unknown_patient(api: Any) -> None:
    for tail in ("assessment", "timeline"):
        r = api.client.get(f"/api/v1/patients/nobody/{tail}", headers=api.auth("read"))
        assert r.status_code == 404
