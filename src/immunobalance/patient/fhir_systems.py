"""Code-system URIs used when reading and writing FHIR R4 bundles."""

from __future__ import annotations

__all__ = [
    "AGENT",
    "AGE_YEARS_EXTENSION",
    "CONDITION_CLINICAL",
    "GENETICS",
    "ICD10",
    "ICD10CM",
    "LOINC",
    "LOINC_HEIGHT",
    "LOINC_WEIGHT",
    "MEDICATION_OUTCOME",
    "OBSERVATION_KEY",
    "ROUTE_SNOMED",
    "RXNORM",
    "SNOMED",
    "SNOMED_NEGATIVE",
    "SNOMED_POSITIVE",
    "SNOMED_SMOKER",
    "UCUM",
]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"

# immunobalance's own systems, for things no standard terminology codes (observation keys such as
# TJC28 without a LOINC term, medication outcomes, agent keys, genetics entries).
OBSERVATION_KEY = "urn:immunobalance:observation"
MEDICATION_OUTCOME = "urn:immunobalance:medication-outcome"
AGENT = "urn:immunobalance:agent"
GENETICS = "urn:immunobalance:genetics"
AGE_YEARS_EXTENSION = "urn:immunobalance:age-years"

LOINC_WEIGHT = "29463-7"  # Body weight
LOINC_HEIGHT = "8302-2"  # Body height

# SNOMED CT qualifier values used as coded lab answers (and LOINC answer codes LA6576-8 / LA6577-6).
SNOMED_POSITIVE = {"10828004", "260373001", "LA6576-8"}  # Positive; Detected
SNOMED_NEGATIVE = {"260385009", "260415000", "LA6577-6"}  # Negative; Not detected
# Tobacco smoking status answers (US Core, LOINC 72166-2): True = current smoker.
SNOMED_SMOKER = {
    "449868002": True,  # Current every day smoker
    "428041000124106": True,  # Current some day smoker
    "77176002": True,  # Smoker
    "428071000124103": True,  # Current heavy tobacco smoker
    "428061000124105": True,  # Current light tobacco smoker
    "8517006": False,  # Ex-smoker
    "266919005": False,  # Never smoked tobacco
}
ROUTE_SNOMED = {
    "26643006": "oral",
    "34206005": "sc",
    "47625008": "iv",
    "78421000": "im",
}
