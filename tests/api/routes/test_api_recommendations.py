"""GET /patients/{id}/recommendations: ``recommend --format json`` for a stored patient, kept per
record revision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from immunobalance.knowledge import load_knowledge_base
from immunobalance.patient import read_patient
from immunobalance.recommend import recommend
from immunobalance.twin._outcomes import OutcomeCache

EXAMPLE = Path(__file__).parents[3] / "examples" / "patients" / "psoriasis.json"


def _store(api: Any) -> str:
    record = json.loads(EXAMPLE.read_text())
    r = api.client.post("/api/v1/patients", json=record, headers=api.auth("clinician"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_recommendations_match_the_recommend_command(
    make_api: Any, small_recommender: Any, tmp_path: Path
) -> None:
    api = make_api(recommender=small_recommender)
    pid = _store(api)
    r = api.client.get(f"/api/v1/patients/{pid}/recommendations", headers=api.auth("read"))
    assert r.status_code == 200, r.text
    body = r.json()
    direct = recommend(read_patient(EXAMPLE), n=40, cache=OutcomeCache(tmp_path / "c")).to_json()
    assert body == json.loads(json.dumps(direct))  # same numbers: same seed, same population
    assert body["patient"] == pid and body["disease"] == "psoriasis"
    statuses = {o["status"] for o in body["options"]}
    assert statuses <= {"recommended", "caution", "contraindicated"}
    ranked = [o["rank"] for o in body["options"] if o["rank"] is not None]
    assert ranked == list(range(1, len(ranked) + 1))
    # every agent for the disease appears in an option or in not_offered (contract)
    kb = load_knowledge_base()
    shown = {i["agent"] for o in body["options"] for i in o["regimen"]}
    shown |= {x["agent"] for x in body["not_offered"]}
    assert {a.key for a in kb.agents_for_disease("psoriasis")} <= shown


def test_recommendations_are_kept_per_revision(make_api: Any, small_recommender: Any) -> None:
    calls: list[str] = []

    def counting(patient: Any) -> dict[str, Any]:
        calls.append(patient.id)
        return small_recommender(patient)

    api = make_api(recommender=counting)
    pid = _store(api)
    url = f"/api/v1/patients/{pid}/recommendations"
    first = api.client.get(url, headers=api.auth("read")).json()
    assert api.client.get(url, headers=api.auth("read")).json() == first
    assert calls == [pid]
    visit = {"date": "2026-11-01", "observations": [{"code": "PASI", "value": 3.0}]}
    r = api.client.post(f"/api/v1/patients/{pid}/visits", json=visit, headers=api.auth("clinician"))
    assert r.status_code == 201, r.text
    api.client.get(url, headers=api.auth("read"))
    assert calls == [pid, pid]  # a new revision: the twin is re-weighted with the new visit


def test_recommendations_of_unknown_patient_is_404(api: Any) -> None:
    r = api.client.get("/api/v1/patients/nobody/recommendations", headers=api.auth("read"))
    assert r.status_code == 404


def test_recommendations_without_index_disease_is_422(
    make_api: Any, small_recommender: Any
) -> None:
    api = make_api(recommender=small_recommender)
    record = {
        "id": "no-disease",
        "conditions": [{"code": "I10", "system": "icd10"}],
        "observations": [{"code": "CRP", "value": 3, "date": "2026-01-01"}],
    }
    assert (
        api.client.post("/api/v1/patients", json=record, headers=api.auth("clinician")).status_code
        == 201
    )
    r = api.client.get("/api/v1/patients/no-disease/recommendations", headers=api.auth("read"))
    assert r.status_code == 422
    assert r.json()["problems"][0]["path"] == "conditions"
