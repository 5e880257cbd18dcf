"""What a patient's record says about which virtual patients they resemble (per-observation
log likelihoods).

Each :class:`Evidence` item is one observation (or one treatment failure) with its log
likelihood under every virtual patient. Observations the virtual population does not simulate
are listed in the notes, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.patient.model import Patient
from immunobalance.twin._measurement import (
    AUTOANTIBODY_TEST,
    CONTINUOUS_MODELS,
    DESCRIPTOR_TEST,
    GENOTYPE_TEST,
    IFN_SIGNATURE_MODEL,
    SHARED_EPITOPE_ALLELES,
    SIMULATED_UNIT_FACTOR,
    TREATMENT_HISTORY,
    group_of,
)

__all__ = ["FAILURE_OUTCOMES", "Evidence", "patient_evidence", "shared_epitope_carrier"]

#: Medication outcomes that count as a failure of efficacy (evidence about the disease).
FAILURE_OUTCOMES = ("inadequate_response", "loss_of_response")
_INFORMATIVE = {"activity", "prognosis", "response_prediction"}


@dataclass(frozen=True)
class Evidence:
    """One observation's log likelihood per virtual patient.

    Attributes
    ----------
    key
        Observation key, ``HLA_SHARED_EPITOPE``, ``DISEASE_DURATION_Y`` or ``history:<agent>``.
    text
        How the observation reads in a reason, e.g. ``"RF 86 [IU]/mL (positive)"``.
    log_likelihood
        ``(n,)`` log likelihood of the observation under each virtual patient.
    """

    key: str
    text: str
    log_likelihood: NDArray[np.float64]

    @property
    def group(self) -> str:
        return group_of(self.key)


def _is_binary(x: NDArray[np.float64]) -> bool:
    finite = x[np.isfinite(x)]
    return finite.size > 0 and bool(np.all((finite == 0) | (finite == 1)))


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def shared_epitope_carrier(genetics: Mapping[str, str | list[str]]) -> bool | None:
    """Whether HLA-DRB1 typing shows a shared-epitope allele (None if not typed)."""
    typed = genetics.get("HLA-DRB1") or genetics.get("HLA_DRB1")
    if typed is None:
        return None
    alleles = [typed] if isinstance(typed, str) else list(typed)
    return any(
        a.strip().lstrip("*").removeprefix("DRB1*")[:5] in SHARED_EPITOPE_ALLELES for a in alleles
    )


def _positive(value: object, threshold: float | None) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"positive": True, "negative": False}.get(value)
    if isinstance(value, int | float) and threshold is not None:
        return float(value) >= threshold
    return None


def _status_array(
    key: str, virtual: Mapping[str, NDArray[np.float64]], threshold: float | None
) -> NDArray[np.float64] | None:
    """The virtual patients' 0/1 status for a positive/negative marker, if derivable."""
    for name in (f"{key}_POSITIVE", f"{key}_HIGH", "IFN_HIGH" if key == "IFN_SIGNATURE" else ""):
        if name and name in virtual:
            return np.asarray(virtual[name], dtype=float)
    sim = virtual.get(key)
    if sim is None:
        return None
    sim = np.asarray(sim, dtype=float)
    if _is_binary(sim):
        return sim
    if threshold is not None:
        return np.where(np.isfinite(sim), (sim >= threshold).astype(float), np.nan)
    return None


def _one(
    key: str,
    value: object,
    unit: str | None,
    virtual: Mapping[str, NDArray[np.float64]],
    kb: KnowledgeBase,
) -> Evidence | None:
    """Evidence of one observation, or None when the virtual population cannot speak to it.

    Order: a category (IFN signature high/low) against the latent category; a positive/negative
    marker (autoantibodies) against the virtual serostatus — titres vary by assay, status does
    not; a boolean descriptor against the simulated descriptor; a continuous read-out against the
    simulated one on its transformed scale.
    """
    marker = kb.biomarkers.get(key)
    threshold = marker.positive_threshold if marker else None
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    shown = f"{key} {_fmt(float(value)) if numeric else value}"  # type: ignore[arg-type]
    if unit and numeric:
        shown += f" {unit}"
    if key == "IFN_SIGNATURE" and isinstance(value, str):
        status = _status_array(key, virtual, None)
        if status is None or value not in IFN_SIGNATURE_MODEL.categories:
            return None
        latent = np.where(status > 0.5, "high", "low")
        return Evidence(key, shown, IFN_SIGNATURE_MODEL.log_likelihood(value, latent))
    positivity = marker is not None and ("positive" in marker.categories or threshold is not None)
    if positivity and not isinstance(value, bool):
        positive = _positive(value, threshold)
        status = _status_array(key, virtual, threshold)
        if positive is None or status is None:
            return None
        text = (
            shown
            if isinstance(value, str)
            else f"{shown} ({'positive' if positive else 'negative'})"
        )
        return Evidence(key, text, AUTOANTIBODY_TEST.log_likelihood(positive, status))
    sim = virtual.get(key)
    if sim is None:
        return None
    sim = np.asarray(sim, dtype=float)
    if isinstance(value, bool) or (marker is not None and marker.kind == "boolean"):
        test = DESCRIPTOR_TEST if key.startswith("SLEDAI_") else AUTOANTIBODY_TEST
        return Evidence(
            key,
            f"{key} {'present' if value else 'absent'}",
            test.log_likelihood(bool(value), sim > 0.5),
        )
    model = CONTINUOUS_MODELS.get(key)
    if model is None or not numeric:
        return None
    observed = float(value) * SIMULATED_UNIT_FACTOR.get(key, 1.0)  # type: ignore[arg-type]
    return Evidence(key, shown, model.log_likelihood(observed, sim))


def patient_evidence(
    patient: Patient,
    disease: str,
    virtual: Mapping[str, NDArray[np.float64]],
    kb: KnowledgeBase,
    *,
    responses: Mapping[str, NDArray[np.float64]] | None = None,
    ignore_history: frozenset[str] = frozenset(),
    selected_history: Mapping[str, float] | None = None,
) -> tuple[list[Evidence], list[str]]:
    """Per-observation log likelihoods of ``patient`` under each virtual patient.

    Parameters
    ----------
    patient
        The validated patient; the latest value of every observation key is used (the current
        state the twin must match).
    disease
        The index disease (for disease duration).
    virtual
        Virtual population features: observation key → ``(n,)`` simulated baseline values
        (read-outs at week 0, biomarkers the population layer draws, ``<KEY>_POSITIVE`` 0/1
        serostatus, ``HLA_SHARED_EPITOPE``, ``DISEASE_DURATION_Y``).
    kb
        Knowledge base (biomarker kinds and positivity thresholds).
    responses
        Agent → ``(n,)`` 0/1 simulated response of each virtual patient to that agent's
        standard regimen (for treatment failures in the history).
    ignore_history
        Agents whose failure is already part of the population's definition (its background
        therapy), so their failure adds no evidence.
    selected_history
        Agent → the share ``f`` of the population that was drawn already selected on failing
        that agent's class (:mod:`immunobalance.population._history`). The population's density
        carries ``(1 − f) + f·ρ`` with ``ρ = P(failure | response) / P(failure | non-response)``,
        so the failure adds only ``ρ / ((1 − f) + f·ρ)``: nothing when ``f = 1``, the full
        likelihood when ``f = 0`` — the history is never counted twice.

    Returns
    -------
    (evidence, notes)
        One item per usable observation; notes name what could not be used and why.
    """
    evidence: list[Evidence] = []
    notes: list[str] = []
    unused: list[str] = []
    codes = list(dict.fromkeys(o.code for o in patient.observations))
    for code in codes:
        obs = patient.latest(code)
        if obs is None:
            continue
        item = _one(code, obs.value, obs.unit, virtual, kb)
        if item is not None:
            evidence.append(item)
            continue
        marker = kb.biomarkers.get(code)
        if marker is not None and _INFORMATIVE & set(marker.informs):
            unused.append(code)
    if unused:
        notes.append(
            "not used by the twin (the virtual population does not simulate them): "
            + ", ".join(unused)
        )
    se = shared_epitope_carrier(patient.genetics)
    if se is not None:
        if "HLA_SHARED_EPITOPE" in virtual:
            evidence.append(
                Evidence(
                    "HLA_SHARED_EPITOPE",
                    f"HLA-DRB1 shared epitope {'carrier' if se else 'non-carrier'}",
                    GENOTYPE_TEST.log_likelihood(se, virtual["HLA_SHARED_EPITOPE"]),
                )
            )
        else:
            notes.append(
                "HLA-DRB1 typing not used (the virtual population carries no HLA genotype)"
            )
    duration = _disease_duration_years(patient, disease, kb)
    if duration is not None:
        if "DISEASE_DURATION_Y" in virtual:
            evidence.append(
                Evidence(
                    "DISEASE_DURATION_Y",
                    f"disease duration {duration:.1f} years",
                    CONTINUOUS_MODELS["DISEASE_DURATION_Y"].log_likelihood(
                        duration, virtual["DISEASE_DURATION_Y"]
                    ),
                )
            )
        else:
            notes.append("disease duration not used (not a feature of the virtual population)")
    for med in patient.medications:
        if med.outcome not in FAILURE_OUTCOMES or med.agent in ignore_history:
            continue
        sim_response = (responses or {}).get(med.agent)
        if sim_response is None:
            notes.append(
                f"{med.agent} {med.outcome.replace('_', ' ')} not used (no simulated "
                f"response to {med.agent} in this disease)"
            )
            continue
        loglik = TREATMENT_HISTORY.log_likelihood(True, sim_response)
        f = (selected_history or {}).get(med.agent, 0.0)
        if f > 0.0:
            r = np.asarray(sim_response, dtype=float)
            ratio = np.where(
                r > 0.5,
                TREATMENT_HISTORY.failure_if_responder / TREATMENT_HISTORY.failure_if_nonresponder,
                1.0,
            )
            adjusted = np.log(ratio) - np.log((1.0 - f) + f * ratio)
            loglik = np.where(np.isfinite(r), adjusted, 0.0)
        evidence.append(
            Evidence(
                f"history:{med.agent}",
                f"{med.outcome.replace('_', ' ')} to {med.agent}",
                loglik,
            )
        )
    return evidence, notes


def _disease_duration_years(patient: Patient, disease: str, kb: KnowledgeBase) -> float | None:
    record = kb.diseases.get(disease)
    if record is None:
        return None
    onsets = [c.onset for c in patient.matching_conditions(record.icd10) if c.onset is not None]
    if not onsets:
        return None
    when: date = patient.latest_date() or date.today()
    return max((when - min(onsets)).days / 365.25, 0.0)
