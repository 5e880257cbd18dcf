"""The patient's digital twin: the calibrated virtual population reweighted by the patient.

Pure functions (likelihoods, weights, estimates) and a thin cache of the population's outcomes
under each candidate regimen, so that a patient's twin is a reweighting, not a simulation::

    from immunobalance.twin import build_twin, patient_evidence
    evidence, notes = patient_evidence(patient, disease, outcomes.features, kb)
    twin = build_twin(evidence, outcomes.n, ok=outcomes.ok, notes=notes)
    twin.probability(outcomes.endpoint("ACR50@24"))   # WeightedProbability(p, ci95, ess)
"""

from immunobalance.twin._ensemble import DEFAULT_ESS_FLOOR, Influence, TwinEnsemble, build_twin
from immunobalance.twin._estimate import (
    WeightedProbability,
    jeffreys_interval,
    weighted_probability,
    weighted_quantiles,
)
from immunobalance.twin._evidence import (
    FAILURE_OUTCOMES,
    Evidence,
    patient_evidence,
    shared_epitope_carrier,
)
from immunobalance.twin._likelihood import (
    BinaryTest,
    CategoryModel,
    ContinuousModel,
    TreatmentHistoryModel,
)
from immunobalance.twin._weights import kish_ess, normalise_log_weights, temper_to_ess

__all__ = [
    "DEFAULT_ESS_FLOOR",
    "FAILURE_OUTCOMES",
    "BinaryTest",
    "CategoryModel",
    "ContinuousModel",
    "Evidence",
    "Influence",
    "TreatmentHistoryModel",
    "TwinEnsemble",
    "WeightedProbability",
    "build_twin",
    "jeffreys_interval",
    "kish_ess",
    "normalise_log_weights",
    "patient_evidence",
    "shared_epitope_carrier",
    "temper_to_ess",
    "weighted_probability",
    "weighted_quantiles",
]
