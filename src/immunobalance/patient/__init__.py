"""Patients: the validated record and its readers (JSON, CSV, FHIR R4) and writers."""

from immunobalance.patient.io import PatientFormat, read_patient
from immunobalance.patient.model import Allergy, Condition, Medication, Observation, Patient
from immunobalance.patient.normalise import normalise_value, reads_positive
from immunobalance.patient.read_csv import read_patient_csv
from immunobalance.patient.read_fhir import parse_fhir_bundle
from immunobalance.patient.read_json import parse_patient_dict
from immunobalance.patient.write import patient_to_fhir, patient_to_json

__all__ = [
    "Allergy",
    "Condition",
    "Medication",
    "Observation",
    "Patient",
    "PatientFormat",
    "normalise_value",
    "parse_fhir_bundle",
    "parse_patient_dict",
    "patient_to_fhir",
    "patient_to_json",
    "read_patient",
    "read_patient_csv",
    "reads_positive",
]
