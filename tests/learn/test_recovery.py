"""The learner recovers a known data-generating process (and finds nothing in a shuffled one)."""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from immunobalance.learn import LearnResult, SyntheticCohort
from immunobalance.learn._nested_cv import counterfactual_predictions
from immunobalance.learn._synthetic import PLACEBO, TOCILIZUMAB

TRUE_FEATURES = {"CRP", "ACPA_POSITIVE", "TREG_PCT", "IL6", "treatment"}


def test_auc_well_above_chance_and_near_the_oracle(
    learned: LearnResult, known_cohort: SyntheticCohort
) -> None:
    auc = learned.card.metrics.auc
    oracle = roc_auc_score(learned.data.y, known_cohort.linear_predictor)
    assert auc.ci95[0] > 0.70
    # The oracle knows the true model: an honest out-of-fold AUC approaches it, never beats it much.
    assert oracle - 0.06 < auc.estimate < oracle + 0.02


def test_shuffled_outcome_is_at_chance(learned: LearnResult) -> None:
    shuffled = learned.card.metrics.shuffled_outcome_auc
    assert shuffled is not None
    assert shuffled.covers(0.5)
    assert abs(shuffled.estimate - 0.5) < 0.04


def test_permutation_importance_ranks_the_true_features_first(learned: LearnResult) -> None:
    ranked = [i.feature for i in learned.card.importance]
    assert set(ranked[: len(TRUE_FEATURES)]) == TRUE_FEATURES
    importance = {i.feature: i.auc_drop for i in learned.card.importance}
    for noise in ("AGE_YEARS", "SEX", "RF_POSITIVE", "TNF", "IL17A"):
        assert abs(importance[noise]) < 0.01, noise


def test_brier_beats_the_base_rate_and_calibration_is_sound(learned: LearnResult) -> None:
    m = learned.card.metrics
    prevalence = learned.data.y.mean()
    assert np.isclose(m.base_rate_brier, prevalence * (1 - prevalence))
    assert m.brier.ci95[1] < m.base_rate_brier
    assert 0.75 < m.calibration.slope < 1.3
    assert abs(m.calibration.intercept) < 0.2


def test_coefficient_signs_follow_the_truth(learned: LearnResult) -> None:
    coef = learned.card.model.coefficients
    assert coef["CRP"] > 0
    assert coef["ACPA_POSITIVE"] > 0
    assert coef["TREG_PCT"] < 0
    # IL-6 matters on tocilizumab only: its interaction term there is the largest IL-6 term.
    il6_terms = {k: v for k, v in coef.items() if k.startswith("IL6 ×")}
    assert max(il6_terms, key=lambda k: il6_terms[k]) == f"IL6 × {TOCILIZUMAB}"


def test_predicted_benefit_tracks_the_true_benefit(
    learned: LearnResult, known_cohort: SyntheticCohort
) -> None:
    levels = learned.data.treatment_levels
    counterfactual = counterfactual_predictions(learned.pipeline, learned.data.X, len(levels))
    learned_benefit = (
        counterfactual[:, levels.index(TOCILIZUMAB)] - counterfactual[:, levels.index(PLACEBO)]
    )
    true_benefit = known_cohort.true_benefit(TOCILIZUMAB)
    rho = spearmanr(learned_benefit, true_benefit).statistic
    assert rho > 0.5


def test_leaking_endpoint_column_was_excluded(learned: LearnResult) -> None:
    excluded = {e.column: e.reason for e in learned.card.excluded}
    assert "ACR50@24" in excluded
    assert "ACR50@24" not in [f.column for f in learned.card.features]
