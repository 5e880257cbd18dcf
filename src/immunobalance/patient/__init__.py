"""Patients: the validated record and its readers (JSON, CSV, FHIR R4)."""

from immunobalance.patient.model import Allergy, Condition, Medication, Observation, Patient

__all__ = ["Allergy", "Condition", "Medication", "Observation", "Patient"]
