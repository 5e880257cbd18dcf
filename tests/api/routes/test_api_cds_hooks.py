"""CDS Hooks: discovery and the patient-view service on prefetched FHIR data (the bundled FHIR
examples, split into the prefetch the discovery document asks for)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

FHIR = Path(__file__).parents[3] / "examples" / "patients" / "fhir"
KEYS = {
    "Condition": "conditions",
    "Observation": "observations",
    "MedicationStatement": "medications",
    "MedicationRequest": "medications",
}


def _request(name: str, *, extra_medications: list[dict[str, Any]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    bundle = json.loads((FHIR / f"{name}.json").read_text())
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    prefetch: dict[str, Any] = {"patient": patient}
    for key in ("conditions", "observations", "medications"):
        prefetch[key] = {"resourceType": "Bundle", "type": "searchset", "entry": []}
    for r in [*resources, *extra_medications]:
        if r["resourceType"] in KEYS:
            prefetch[KEYS[r["resourceType"]]]["entry"].append({"resource": r})
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"patientId": patient["id"], "userId": "Practitioner/1"},
        "prefetch": prefetch,
    }


@pytest.fixture
def cds_api(make_api: Any, small_recommender: Any) -> Any:
    return make_api(recommender=small_recommender)


def test_discovery_lists_the_patient_view_service(api: Any) -> None:
    r = api.client.get("/cds-services")  # public: no patient data
    assert r.status_code == 200
    (service,) = r.json()["services"]
    assert service["hook"] == "patient-view"
    assert service["prefetch"] == {
        "patient": "Patient/{{context.patientId}}",
        "conditions": "Condition?patient={{context.patientId}}",
        "observations": "Observation?patient={{context.patientId}}",
        "medications": "MedicationRequest?patient={{context.patientId}}",
    }


def test_patient_view_returns_activity_and_options_cards(cds_api: Any) -> None:
    service = cds_api.client.get("/cds-services").json()["services"][0]["id"]
    r = cds_api.client.post(
        f"/cds-services/{service}", json=_request("psoriasis"), headers=cds_api.auth("read")
    )
    assert r.status_code == 200, r.text
    cards = r.json()["cards"]
    for card in cards:
        assert len(card["summary"]) <= 140
        assert card["indicator"] in ("info", "warning", "critical")
        assert card["source"]["label"]
    topics = [c["source"]["topic"]["code"] for c in cards]
    assert "activity" in topics and "options" in topics
    activity = cards[topics.index("activity")]
    assert "PASI" in activity["summary"] and "Treat-to-target" in activity["detail"]


def test_current_checkpoint_inhibitor_gives_a_critical_card(cds_api: Any) -> None:
    nivolumab = {
        "resourceType": "MedicationRequest",
        "id": "niv",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/pt-pso-001"},
        "medicationCodeableConcept": {
            "coding": [{"system": "urn:immunobalance:agent", "code": "nivolumab"}],
            "text": "nivolumab",
        },
        "authoredOn": "2026-01-05",
    }
    body = _request("psoriasis", extra_medications=[nivolumab])
    service = cds_api.client.get("/cds-services").json()["services"][0]["id"]
    r = cds_api.client.post(f"/cds-services/{service}", json=body, headers=cds_api.auth("read"))
    assert r.status_code == 200, r.text
    critical = [c for c in r.json()["cards"] if c["indicator"] == "critical"]
    assert critical and all("nivolumab" in c["summary"] for c in critical)
    assert r.json()["cards"][0]["indicator"] == "critical"  # alerts come first


def test_patient_view_needs_a_token(api: Any) -> None:
    service = api.client.get("/cds-services").json()["services"][0]["id"]
    r = api.client.post(f"/cds-services/{service}", json=_request("psoriasis"))
    assert r.status_code == 401


def test_invalid_request_lists_every_problem(api: Any) -> None:
    body = {
        "hook": "order-select",
        "context": {},
        "prefetch": {"patient": {"resourceType": "Patient", "id": "x"}, "bogus": {}},
    }
    r = api.client.post("/cds-services/other", json=body, headers=api.auth("read"))
    assert r.status_code == 422
    paths = {p["path"] for p in r.json()["problems"]}
    assert {"id", "hook", "hookInstance", "context.patientId", "prefetch.bogus"} <= paths


def test_missing_prefetch_is_refused_not_fetched(api: Any) -> None:
    body = _request("psoriasis")
    del body["prefetch"]
    service = api.client.get("/cds-services").json()["services"][0]["id"]
    r = api.client.post(f"/cds-services/{service}", json=body, headers=api.auth("read"))
    assert r.status_code == 422
    assert r.json()["problems"][0]["path"] == "prefetch.patient"
