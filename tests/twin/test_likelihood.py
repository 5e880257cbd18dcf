"""Measurement-error models against closed forms."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from scipy import stats

from immunobalance.knowledge import load_knowledge_base
from immunobalance.patient.model import Condition, Medication, Observation, Patient
from immunobalance.twin import (
    BinaryTest,
    CategoryModel,
    ContinuousModel,
    TreatmentHistoryModel,
    patient_evidence,
    shared_epitope_carrier,
)


def test_log_gaussian_is_the_normal_density_of_the_logs() -> None:
    m = ContinuousModel("log", 0.4, "test", offset=0.5)
    sim = np.array([2.0, 20.0])
    expected = stats.norm.logpdf(math.log(8.5), np.log(sim + 0.5), 0.4)
    assert m.log_likelihood(8.0, sim) == pytest.approx(expected)


def test_sqrt_counts_and_missing_simulations() -> None:
    m = ContinuousModel("sqrt", 0.75, "test")
    out = m.log_likelihood(9.0, np.array([9.0, np.nan]))
    assert out[0] == pytest.approx(stats.norm.logpdf(0.0, 0.0, 0.75))
    assert out[1] == 0.0


def test_binary_test_misclassification() -> None:
    t = BinaryTest(0.9, 0.8, "test")
    ll = t.log_likelihood(True, np.array([1.0, 0.0, 0.5]))
    assert np.exp(ll) == pytest.approx([0.9, 0.2, 0.55])
    assert np.exp(t.log_likelihood(False, np.array([1.0, 0.0]))) == pytest.approx([0.1, 0.8])


def test_category_model() -> None:
    m = CategoryModel(("high", "low"), 0.1, "test")
    assert np.exp(m.log_likelihood("high", np.array(["high", "low"]))) == pytest.approx([0.9, 0.1])
    with pytest.raises(ValueError):
        m.log_likelihood("medium", np.array(["high"]))


def test_history_failure_favours_simulated_non_responders() -> None:
    m = TreatmentHistoryModel(0.25, 0.85, "test")
    ll = m.log_likelihood(True, np.array([1.0, 0.0]))
    assert np.exp(ll) == pytest.approx([0.25, 0.85])
    with pytest.raises(ValueError):
        TreatmentHistoryModel(0.9, 0.5, "bad")


def test_shared_epitope() -> None:
    assert shared_epitope_carrier({"HLA-DRB1": ["*04:01", "*15:01"]}) is True
    assert shared_epitope_carrier({"HLA-DRB1": ["*15:01", "*07:01"]}) is False
    assert shared_epitope_carrier({}) is None


def test_patient_evidence_reads_serostatus_history_and_notes() -> None:
    kb = load_knowledge_base()
    from datetime import date

    d = date(2026, 1, 1)
    patient = Patient(
        id="x",
        conditions=(Condition(code="M05.79", onset=date(2020, 1, 1)),),
        observations=(
            Observation(code="RF", value=86.0, unit="[IU]/mL", date=d),
            Observation(code="ACPA", value="negative", date=d),
            Observation(code="CRP", value=12.0, unit="mg/L", date=d),
            Observation(code="TREG_PCT", value=4.0, unit="%", date=d),
        ),
        medications=(Medication(agent="adalimumab", outcome="inadequate_response"),),
        genetics={"HLA-DRB1": ["*04:01"]},
    )
    virtual = {
        "RF_POSITIVE": np.array([1.0, 0.0]),
        "ACPA_POSITIVE": np.array([1.0, 0.0]),
        "CRP": np.array([12.0, 3.0]),
        "HLA_SHARED_EPITOPE": np.array([1.0, 1.0]),
    }
    ev, notes = patient_evidence(
        patient, "rheumatoid_arthritis", virtual, kb, responses={"adalimumab": np.array([0.0, 1.0])}
    )
    by = {e.key: e for e in ev}
    assert np.exp(by["RF"].log_likelihood) == pytest.approx([0.95, 0.05])
    assert np.exp(by["ACPA"].log_likelihood) == pytest.approx([0.05, 0.95])
    assert by["CRP"].log_likelihood[0] > by["CRP"].log_likelihood[1]
    assert np.exp(by["history:adalimumab"].log_likelihood) == pytest.approx([0.85, 0.25])
    assert "HLA_SHARED_EPITOPE" in by
    assert any("TREG_PCT" in n for n in notes)
    assert any("disease duration" in n for n in notes)


def test_history_already_selected_by_the_population_is_not_counted_twice() -> None:
    """A population drawn with density ∝ (1 − f) + f·ρ leaves ρ / ((1 − f) + f·ρ) to the twin:
    a constant (no information) when f = 1, the full failure likelihood (up to a constant) when
    f → 0, and in between the ratio of the two — derived, not copied."""
    kb = load_knowledge_base()
    patient = Patient(
        id="y",
        conditions=(Condition(code="M05.79", onset=date(2020, 1, 1)),),
        medications=(Medication(agent="adalimumab", outcome="inadequate_response"),),
    )
    responses = {"adalimumab": np.array([0.0, 1.0, np.nan])}

    def history(f: float | None) -> np.ndarray:
        ev, _ = patient_evidence(
            patient,
            "rheumatoid_arthritis",
            {},
            kb,
            responses=responses,
            selected_history=None if f is None else {"adalimumab": f},
        )
        return next(e for e in ev if e.key == "history:adalimumab").log_likelihood

    full = history(None)
    rho = 0.25 / 0.85
    np.testing.assert_allclose(history(1.0), [0.0, 0.0, 0.0], atol=1e-12)
    half = history(0.5)
    np.testing.assert_allclose(half[1] - half[0], np.log(rho) - np.log(0.5 + 0.5 * rho))
    tiny = history(1e-9)
    np.testing.assert_allclose(tiny[1] - tiny[0], full[1] - full[0], rtol=1e-6)
    assert half[2] == 0.0 and full[2] == 0.0  # a failed simulation carries no evidence
