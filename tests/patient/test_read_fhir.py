"""FHIR R4 bundles: a real Synthea export, multi-patient bundles, invalid resources."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from immunobalance.errors import InvalidRecordError
from immunobalance.patient import parse_fhir_bundle, patient_to_fhir, read_patient

DATA = Path(__file__).parent.parent / "data" / "fhir"
SYNTHEA = DATA / "synthea-sample-complete-patient.json"
# Resource types the patient record reads (contracts/patient-record.md, FHIR bundles); every other
# type is skipped and counted.
READ_TYPES = {
    "Patient",
    "Condition",
    "Observation",
    "MedicationStatement",
    "MedicationRequest",
    "AllergyIntolerance",
    "Medication",
}


@pytest.fixture(scope="module")
def synthea() -> dict[str, Any]:
    return json.loads(SYNTHEA.read_text())


def test_synthea_bundle_reads_and_counts_skipped_resource_types(synthea: dict[str, Any]) -> None:
    patient = parse_fhir_bundle(synthea)
    # independent count of what the file holds
    types = Counter(e["resource"]["resourceType"] for e in synthea["entry"])
    assert sum(types.values()) == 314
    skipped = {t: n for t, n in types.items() if t not in READ_TYPES}
    warning = next(w for w in patient.warnings if w.startswith("skipped") and "types" in w)
    reported = dict(re.findall(r"(\w+): (\d+)", warning))
    assert {t: int(n) for t, n in reported.items()} == skipped
    assert warning.startswith(f"skipped {sum(skipped.values())} resources")


def test_synthea_patient_content(synthea: dict[str, Any]) -> None:
    patient = parse_fhir_bundle(synthea)
    resource = synthea["entry"][0]["resource"]
    assert (patient.id, patient.sex) == (resource["id"], resource["gender"])
    assert (
        patient.birth_date is not None and patient.birth_date.isoformat() == resource["birthDate"]
    )
    # the LOINC-coded labs the knowledge base maps, with the file's own values
    wanted = {"4548-4": "HBA1C", "33914-3": "EGFR", "1558-6": "GLUCOSE_FASTING", "18262-6": "LDL"}
    expected = {
        wanted[c["code"]]: float(e["resource"]["valueQuantity"]["value"])
        for e in synthea["entry"]
        if e["resource"]["resourceType"] == "Observation"
        for c in e["resource"]["code"]["coding"]
        if c["code"] in wanted
    }
    assert {o.code: o.value for o in patient.observations} == expected
    # weight: the latest body-weight observation of the file
    weights = [
        (
            e["resource"]["effectiveInstant"]
            if "effectiveInstant" in e["resource"]
            else e["resource"]["issued"],
            e["resource"]["valueQuantity"]["value"],
        )
        for e in synthea["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "29463-7"
    ]
    assert patient.weight_kg == max(weights)[1]
    # SNOMED conditions mapped to ICD-10-CM (hypertension, ischaemic heart disease) are kept
    assert patient.has_condition("I10") and patient.has_condition("I25")
    assert not patient.medications  # no immunotherapy in this record
    assert any(
        "claim to be LOINC but are not" in w and "clinical_trial_enrollment_criteria" in w
        for w in patient.warnings
    )
    n_conditions = sum(1 for e in synthea["entry"] if e["resource"]["resourceType"] == "Condition")
    skipped_conditions = next(w for w in patient.warnings if "conditions whose codes" in w)
    assert skipped_conditions.startswith(f"skipped {n_conditions - len(patient.conditions)} ")
    n_meds = sum(
        1 for e in synthea["entry"] if e["resource"]["resourceType"] == "MedicationRequest"
    )
    assert any(w.startswith(f"skipped {n_meds} medication resources") for w in patient.warnings)


def _two_patient_bundle(synthea: dict[str, Any]) -> dict[str, Any]:
    bundle = copy.deepcopy(synthea)
    bundle["type"] = "collection"
    for e in bundle["entry"]:
        e.pop("request", None)
    other = copy.deepcopy(bundle["entry"][0])
    other["resource"]["id"] = "other-patient"
    other["fullUrl"] = "urn:uuid:other-patient"
    other["resource"]["gender"] = "female"
    bundle["entry"].append(other)
    bundle["entry"].append(
        {
            "fullUrl": "urn:uuid:obs-other",
            "resource": {
                "resourceType": "Observation",
                "id": "obs-other",
                "status": "final",
                "subject": {"reference": "urn:uuid:other-patient"},
                "code": {"coding": [{"system": "http://loinc.org", "code": "1988-5"}]},
                "effectiveDateTime": "2026-10-01",
                "valueQuantity": {
                    "value": 12,
                    "unit": "mg/L",
                    "system": "http://unitsofmeasure.org",
                    "code": "mg/L",
                },
            },
        }
    )
    return bundle


def test_bundle_with_two_patients_demands_patient_id(synthea: dict[str, Any]) -> None:
    bundle = _two_patient_bundle(synthea)
    with pytest.raises(InvalidRecordError) as err:
        parse_fhir_bundle(bundle)
    (problem,) = err.value.problems
    assert "2 Patient resources" in problem.message and "patient_id" in problem.message
    first = parse_fhir_bundle(bundle, patient_id=synthea["entry"][0]["resource"]["id"])
    assert first.latest("CRP") is None and first.latest("HBA1C") is not None
    other = parse_fhir_bundle(bundle, patient_id="other-patient")
    assert other.sex == "female"
    assert [(o.code, o.value) for o in other.observations] == [("CRP", 12.0)]
    with pytest.raises(InvalidRecordError):
        parse_fhir_bundle(bundle, patient_id="nobody")


def test_invalid_mapped_values_are_errors_with_bundle_paths(ra_record: Any) -> None:
    bundle = patient_to_fhir(read_patient(ra_record()))
    crp = next(
        i
        for i, e in enumerate(bundle["entry"])
        if e["resource"].get("code", {}).get("text") == "C-reactive protein"
    )
    bundle["entry"][crp]["resource"]["valueQuantity"].update(unit="mg/dl/h", code="mg/dl/h")
    tjc = next(
        i
        for i, e in enumerate(bundle["entry"])
        if any(c.get("code") == "TJC28" for c in e["resource"].get("code", {}).get("coding", []))
    )
    bundle["entry"][tjc]["resource"]["valueQuantity"] = {"value": 31}
    bundle["entry"][tjc + 1]["resource"]["effectiveDateTime"] = "2026-13-01"
    with pytest.raises(InvalidRecordError) as err:
        parse_fhir_bundle(bundle)
    paths = {p.path: p.message for p in err.value.problems}
    assert paths[f"entry[{crp}].resource.valueQuantity.unit"].startswith(
        "'mg/dl/h' is not a unit of CRP"
    )
    assert "outside the physical range 0-28" in paths[f"entry[{tjc}].resource.valueQuantity.value"]
    assert f"entry[{tjc + 1}].resource.effectiveDateTime" in paths


def test_not_a_bundle_and_unknown_types(synthea: dict[str, Any]) -> None:
    with pytest.raises(InvalidRecordError) as err:
        parse_fhir_bundle({"resourceType": "Patient", "id": "x"})
    assert err.value.problems[0].path == "resourceType"
    bundle = copy.deepcopy(synthea)
    bundle["type"] = "history"
    with pytest.raises(InvalidRecordError) as err:
        parse_fhir_bundle(bundle)
    assert err.value.problems[0].path == "type"


def test_hand_written_r4_bundle_with_codings_components_and_medications() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "fullUrl": "https://ehr.example/fhir/Patient/p1",
                "resource": {
                    "resourceType": "Patient",
                    "id": "p1",
                    "gender": "female",
                    "birthDate": "1971-05",
                },
            },
            {
                "resource": {
                    "resourceType": "Condition",
                    "id": "c1",
                    "subject": {"reference": "Patient/p1"},
                    "code": {
                        "coding": [
                            {
                                "system": "http://snomed.info/sct",
                                "code": "69896004",
                                "display": "Rheumatoid arthritis",
                            }
                        ]
                    },
                    "onsetDateTime": "2019-03-01",
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "o1",
                    "status": "final",
                    "subject": {"reference": "Patient/p1"},
                    "effectiveDateTime": "2026-10-01T09:30:00+02:00",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "71773-6"}]},
                    "valueCodeableConcept": {
                        "coding": [
                            {
                                "system": "http://snomed.info/sct",
                                "code": "10828004",
                                "display": "Positive",
                            }
                        ]
                    },
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "o2",
                    "status": "final",
                    "subject": {"reference": "Patient/p1"},
                    "effectiveDateTime": "2026-10-01",
                    "code": {"text": "Complement"},
                    "component": [
                        {
                            "code": {"coding": [{"system": "http://loinc.org", "code": "4485-9"}]},
                            "valueQuantity": {"value": 0.62, "unit": "g/L"},
                        },
                        {
                            "code": {"coding": [{"system": "http://loinc.org", "code": "4498-2"}]},
                            "valueQuantity": {"value": 9, "unit": "mg/dL"},
                        },
                    ],
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "o3",
                    "status": "final",
                    "subject": {"reference": "Patient/p1"},
                    "effectiveDateTime": "2026-10-01",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "72166-2"}]},
                    "valueCodeableConcept": {
                        "coding": [{"system": "http://snomed.info/sct", "code": "449868002"}]
                    },
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationRequest",
                    "id": "m1",
                    "status": "active",
                    "intent": "order",
                    "subject": {"reference": "Patient/p1"},
                    "authoredOn": "2025-01-10",
                    "medicationCodeableConcept": {
                        "coding": [
                            {
                                "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                "code": "6851",
                            }
                        ]
                    },
                    "dosageInstruction": [
                        {
                            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}},
                            "route": {
                                "coding": [{"system": "http://snomed.info/sct", "code": "26643006"}]
                            },
                            "doseAndRate": [{"doseQuantity": {"value": 20, "unit": "mg"}}],
                        }
                    ],
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "id": "m2",
                    "status": "completed",
                    "subject": {"reference": "Patient/p1"},
                    "medicationCodeableConcept": {"text": "Humira 40 MG/0.4ML Prefilled Pen"},
                    "effectivePeriod": {"start": "2020-01-01", "end": "2024-06-01"},
                }
            },
            {
                "resource": {
                    "resourceType": "AllergyIntolerance",
                    "id": "a1",
                    "patient": {"reference": "Patient/p1"},
                    "code": {"text": "Sulfasalazine"},
                    "criticality": "high",
                }
            },
            {
                "resource": {
                    "resourceType": "Encounter",
                    "id": "e1",
                    "status": "finished",
                    "class": {"code": "AMB"},
                }
            },
        ],
    }
    patient = parse_fhir_bundle(bundle)
    assert patient.has_condition("M06") and patient.conditions[0].system == "snomed"
    obs = {o.code: o.value for o in patient.observations}
    assert obs == {"TB_IGRA": "positive", "C3": 62.0, "C4": 9.0, "SMOKING": True}
    mtx, ada = patient.medications
    assert (mtx.agent, mtx.dose, mtx.every, mtx.route, str(mtx.start)) == (
        "methotrexate",
        "20 mg",
        "1 week",
        "oral",
        "2025-01-10",
    )
    assert (ada.agent, str(ada.stop)) == ("adalimumab", "2024-06-01")
    assert patient.allergies[0].agent == "sulfasalazine"
    assert any("Encounter: 1" in w for w in patient.warnings)
    assert any("partial" in w for w in patient.warnings)
