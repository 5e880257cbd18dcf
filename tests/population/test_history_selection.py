"""Treatment-history selection of populations defined by an advanced-therapy failure.

Truth used: the knowledge base (which agents of a class are approved for a disease, the published
fraction with that history) and the mechanism itself — a virtual patient whose disease does not
depend on TNF cannot respond to a TNF inhibitor beyond placebo, so it must be kept more often than
one whose disease is TNF-driven.
"""

from __future__ import annotations

import numpy as np
import pytest

from immunobalance.knowledge import load_knowledge_base
from immunobalance.model import get_disease_module
from immunobalance.population._calibration import DiseaseCalibration
from immunobalance.population._history import failed_classes, history_keep_probability
from immunobalance.population._virtual import _covariates, candidate_parameters
from immunobalance.twin._measurement import TREATMENT_HISTORY

KB = load_knowledge_base()


def test_tnf_ir_populations_select_on_tnf_inhibitor_failure():
    (ra,) = failed_classes("rheumatoid_arthritis", "tnf_ir", KB)
    assert ra.drug_class == "tnf_inhibitor"
    assert (
        ra.fraction
        == KB.population("rheumatoid_arthritis", "tnf_ir").baseline["PRIOR_TNF_FRACTION"].fraction
    )
    approved = {
        a.key
        for a in KB.agents.values()
        if a.drug_class == "tnf_inhibitor"
        and (ap := a.approval_for("rheumatoid_arthritis")) is not None
        and ap.status == "approved"
    }
    assert {k for k, _ in ra.regimens} == approved
    (cd,) = failed_classes("crohns_disease", "moderate_severe_tnf_ir", KB)
    agents = {k for k, _ in cd.regimens}
    assert "etanercept" not in agents and "infliximab" in agents  # etanercept failed in CD
    expected = KB.population("crohns_disease", "moderate_severe_tnf_ir").baseline
    assert cd.fraction == pytest.approx(expected["PRIOR_TNF_FRACTION"].fraction)


def test_conventional_failure_is_left_to_the_background_run_in():
    """``mtx_ir`` failed methotrexate, which is its background therapy: no history selection."""
    assert failed_classes("rheumatoid_arthritis", "mtx_ir", KB) == []
    assert failed_classes("psoriasis", "moderate_severe_plaque", KB) == []


def test_tnf_driven_patients_are_kept_less_often_than_tnf_independent_ones():
    disease, population = "rheumatoid_arthritis", "tnf_ir"
    module = get_disease_module(disease)
    n = 120
    cand = np.arange(n, dtype=np.int64)
    params, _ = candidate_parameters(module, cand, 7, DiseaseCalibration())
    cov, _ = _covariates(disease, population, cand, 7)
    classes = failed_classes(disease, population, KB)
    weights = {k: v for k, v in params.items() if k.startswith("w_")}

    def keep(tnf_share: float) -> np.ndarray:
        # the other pathways share what TNF does not drive, in their own proportions
        rest = 1.0 - weights["w_tnf"]
        others = {k: v * (1 - tnf_share) / rest for k, v in weights.items()}
        others["w_tnf"] = np.full(n, tnf_share)
        return history_keep_probability(
            module,
            params.with_values(**others),
            cov,
            cand,
            seed=7,
            population=population,
            classes=classes,
            kb=KB,
        )

    driven, free = keep(0.8), keep(0.0)
    ratio = TREATMENT_HISTORY.failure_if_responder / TREATMENT_HISTORY.failure_if_nonresponder
    allowed = {1.0, round(ratio, 9)}  # f = 1 for tnf_ir: keep is 1 or the likelihood ratio
    assert set(np.round(np.concatenate([driven, free]), 9)) <= allowed
    assert float(free.mean()) > float(driven.mean()) + 0.2, (free.mean(), driven.mean())
