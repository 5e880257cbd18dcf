"""Write a :class:`Patient` back out: the contract JSON form, or a FHIR R4 Bundle.

By default both writers emit what was recorded — the original code, value and unit of each
observation (``CRP 2.4 mg/dL``) — so that reading the output again gives back the same
:class:`Patient`, originals included. ``normalised=True`` writes every observation in its key's
default unit instead (``CRP 24 mg/L``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from immunobalance.knowledge.loader import KnowledgeBase, load_knowledge_base
from immunobalance.patient import fhir_systems as fs
from immunobalance.patient.model import Observation, ObservationValue, Patient

__all__ = ["patient_to_fhir", "patient_to_json"]

_ROUTE_CODES = {route: code for code, route in fs.ROUTE_SNOMED.items()}
_ROUTE_DISPLAY = {
    "oral": "Oral route",
    "sc": "Subcutaneous route",
    "iv": "Intravenous route",
    "im": "Intramuscular route",
}
_PERIOD_UNIT = {"hour": "h", "day": "d", "week": "wk", "month": "mo", "year": "a"}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _recorded(obs: Observation, normalised: bool) -> tuple[str, ObservationValue, str | None]:
    """(code, value, unit) as recorded, or in the default unit when ``normalised``."""
    if normalised:
        return obs.code, obs.value, obs.unit
    code = obs.original_code or obs.code
    if obs.original_value is not None:
        return code, obs.original_value, obs.original_unit
    return code, obs.value, obs.unit


def _number(value: ObservationValue) -> ObservationValue:
    """Whole floats as ints (``8`` not ``8.0``) for tidy JSON; everything else unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def patient_to_json(
    patient: Patient, *, normalised: bool = False, include_warnings: bool = False
) -> dict[str, Any]:
    """The patient in the JSON form of ``contracts/patient-record.md``.

    Parameters
    ----------
    patient
        A validated patient.
    normalised
        Write observations in their default units (and key codes) instead of as recorded.
    include_warnings
        Add the reader's ``warnings`` list.
    """
    out: dict[str, Any] = {"id": patient.id, "sex": patient.sex}
    if patient.birth_date is not None:
        out["birth_date"] = patient.birth_date.isoformat()
    if patient.age_years is not None:
        out["age"] = _number(patient.age_years)
    if patient.weight_kg is not None:
        out["weight_kg"] = _number(patient.weight_kg)
    if patient.height_cm is not None:
        out["height_cm"] = _number(patient.height_cm)
    out["conditions"] = [
        {
            k: v
            for k, v in {
                "code": c.code,
                "system": c.system,
                "onset": _iso(c.onset),
                "abatement": _iso(c.abatement),
                "display": c.display,
                "clinical_status": c.clinical_status,
            }.items()
            if v is not None
        }
        for c in patient.conditions
    ]
    observations = []
    for obs in patient.observations:
        code, value, unit = _recorded(obs, normalised)
        item: dict[str, Any] = {"code": code, "value": _number(value)}
        if unit is not None:
            item["unit"] = unit
        item["date"] = obs.date.isoformat()
        observations.append(item)
    out["observations"] = observations
    out["medications"] = [
        {
            k: v
            for k, v in {
                "agent": m.agent,
                "dose": m.dose,
                "every": m.every,
                "route": m.route,
                "start": _iso(m.start),
                "stop": _iso(m.stop),
                "outcome": m.outcome,
            }.items()
            if v is not None
        }
        for m in patient.medications
    ]
    if patient.allergies:
        out["allergies"] = [
            {k: v for k, v in a.model_dump().items() if v is not None} for a in patient.allergies
        ]
    if patient.genetics:
        out["genetics"] = {
            k: (list(v) if isinstance(v, list) else v) for k, v in patient.genetics.items()
        }
    if include_warnings and patient.warnings:
        out["warnings"] = list(patient.warnings)
    return out


# ----------------------------------------------------------------------------- FHIR
def _ref(patient: Patient) -> dict[str, str]:
    return {"reference": f"Patient/{patient.id}"}


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"{resource['resourceType']}/{resource['id']}", "resource": resource}


def _observation_code(obs: Observation, code: str, kb: KnowledgeBase) -> dict[str, Any]:
    biomarker = kb.biomarkers[obs.code]
    if code != obs.code:  # recorded with a LOINC code: keep exactly that
        return {"coding": [{"system": fs.LOINC, "code": code}], "text": biomarker.name}
    coding = [{"system": fs.OBSERVATION_KEY, "code": obs.code, "display": biomarker.name}]
    coding += [{"system": fs.LOINC, "code": c} for c in biomarker.loinc[:1]]
    return {"coding": coding, "text": biomarker.name}


def _observation_value(value: ObservationValue, unit: str | None) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, str):
        if value in {"positive", "negative"}:
            code = "10828004" if value == "positive" else "260385009"
            display = "Positive" if value == "positive" else "Negative"
            return {
                "valueCodeableConcept": {
                    "coding": [{"system": fs.SNOMED, "code": code, "display": display}],
                    "text": value,
                }
            }
        return {"valueString": value}
    quantity: dict[str, Any] = {"value": _number(value)}
    if unit is not None:
        quantity.update({"unit": unit, "system": fs.UCUM, "code": unit})
    return {"valueQuantity": quantity}


def patient_to_fhir(
    patient: Patient, *, normalised: bool = False, kb: KnowledgeBase | None = None
) -> dict[str, Any]:
    """The patient as a FHIR R4 ``collection`` Bundle that :func:`read_patient` reads back.

    Observation keys with a LOINC term are coded with it (and with the immunobalance key system
    ``urn:immunobalance:observation``, which the reader prefers); medication outcomes travel in
    ``MedicationStatement.statusReason`` (``urn:immunobalance:medication-outcome``).
    """
    kb = kb if kb is not None else load_knowledge_base()
    pid = patient.id
    resource: dict[str, Any] = {"resourceType": "Patient", "id": pid, "gender": patient.sex}
    if patient.birth_date is not None:
        resource["birthDate"] = patient.birth_date.isoformat()
    if patient.age_years is not None:
        resource["extension"] = [{"url": fs.AGE_YEARS_EXTENSION, "valueDecimal": patient.age_years}]
    entries = [_entry(resource)]
    for k, c in enumerate(patient.conditions):
        system = fs.ICD10CM if c.system == "icd10" else fs.SNOMED
        cond: dict[str, Any] = {
            "resourceType": "Condition",
            "id": f"{pid}-condition-{k}",
            "subject": _ref(patient),
            "code": {"coding": [{"system": system, "code": c.code}]},
        }
        if c.display:
            cond["code"]["text"] = c.display
        if c.clinical_status:
            cond["clinicalStatus"] = {
                "coding": [{"system": fs.CONDITION_CLINICAL, "code": c.clinical_status}]
            }
        if c.onset:
            cond["onsetDateTime"] = c.onset.isoformat()
        if c.abatement:
            cond["abatementDateTime"] = c.abatement.isoformat()
        entries.append(_entry(cond))
    for label, size, loinc, size_unit in (
        ("weight", patient.weight_kg, fs.LOINC_WEIGHT, "kg"),
        ("height", patient.height_cm, fs.LOINC_HEIGHT, "cm"),
    ):
        if size is not None:
            entries.append(
                _entry(
                    {
                        "resourceType": "Observation",
                        "id": f"{pid}-{label}",
                        "status": "final",
                        "subject": _ref(patient),
                        "code": {
                            "coding": [{"system": fs.LOINC, "code": loinc}],
                            "text": f"Body {label}",
                        },
                        "valueQuantity": {
                            "value": _number(size),
                            "unit": size_unit,
                            "system": fs.UCUM,
                            "code": size_unit,
                        },
                    }
                )
            )
    for k, obs in enumerate(patient.observations):
        recorded_code, value, unit = _recorded(obs, normalised)
        entries.append(
            _entry(
                {
                    "resourceType": "Observation",
                    "id": f"{pid}-obs-{k}",
                    "status": "final",
                    "subject": _ref(patient),
                    "code": _observation_code(obs, recorded_code, kb),
                    "effectiveDateTime": obs.date.isoformat(),
                    **_observation_value(value, unit),
                }
            )
        )
    for k, m in enumerate(patient.medications):
        statement: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "id": f"{pid}-med-{k}",
            "status": "active" if m.current else "completed",
            "subject": _ref(patient),
            "medicationCodeableConcept": {
                "coding": [{"system": fs.AGENT, "code": m.agent}],
                "text": m.agent.replace("_", " "),
            },
        }
        period = {k2: v for k2, v in (("start", _iso(m.start)), ("end", _iso(m.stop))) if v}
        if period:
            statement["effectivePeriod"] = period
        if m.outcome:
            statement["statusReason"] = [
                {
                    "coding": [{"system": fs.MEDICATION_OUTCOME, "code": m.outcome}],
                    "text": m.outcome,
                }
            ]
        dosage: dict[str, Any] = {}
        if m.dose:
            number, unit_text = m.dose.split(" ", 1)  # canonical "<number> <unit>" (reader)
            dosage["doseAndRate"] = [
                {"doseQuantity": {"value": _number(float(number)), "unit": unit_text}}
            ]
        if m.every:
            number, unit_word = m.every.split(" ", 1)
            unit_word = unit_word.rstrip("s")
            dosage["timing"] = {
                "repeat": {
                    "frequency": 1,
                    "period": _number(float(number)),
                    "periodUnit": _PERIOD_UNIT[unit_word],
                }
            }
        if m.route:
            dosage["route"] = {
                "coding": [
                    {
                        "system": fs.SNOMED,
                        "code": _ROUTE_CODES[m.route],
                        "display": _ROUTE_DISPLAY[m.route],
                    }
                ]
            }
        if dosage:
            statement["dosage"] = [dosage]
        entries.append(_entry(statement))
    for k, a in enumerate(patient.allergies):
        substance: dict[str, Any] = {"text": a.substance}
        if a.agent:
            substance["coding"] = [{"system": fs.AGENT, "code": a.agent}]
        allergy: dict[str, Any] = {
            "resourceType": "AllergyIntolerance",
            "id": f"{pid}-allergy-{k}",
            "patient": _ref(patient),
            "code": substance,
        }
        if a.criticality:
            allergy["criticality"] = a.criticality
        entries.append(_entry(allergy))
    for k, (gene, alleles) in enumerate(patient.genetics.items()):
        genetic: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"{pid}-genetics-{k}",
            "status": "final",
            "subject": _ref(patient),
            "code": {"coding": [{"system": fs.GENETICS, "code": gene}], "text": gene},
        }
        if isinstance(alleles, list):
            genetic["component"] = [
                {"code": {"coding": [{"system": fs.GENETICS, "code": gene}]}, "valueString": v}
                for v in alleles
            ]
        else:
            genetic["valueString"] = alleles
        entries.append(_entry(genetic))
    return {"resourceType": "Bundle", "id": f"{pid}-bundle", "type": "collection", "entry": entries}
