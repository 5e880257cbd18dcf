"""Cohorts from a known logistic data-generating process, and one learned model shared by tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from immunobalance.learn import (
    LearnConfig,
    LearnResult,
    SyntheticCohort,
    learn_response_model,
    synthetic_cohort,
    write_cohort_csv,
)

N_PATIENTS = 900
SEED = 7


@pytest.fixture(scope="session")
def known_cohort() -> SyntheticCohort:
    """Three-arm cohort: CRP, ACPA+, Treg % and IL-6 (on tocilizumab) matter; RF, TNF, IL-17A,
    age and sex do not."""
    return synthetic_cohort(N_PATIENTS, SEED)


@pytest.fixture(scope="session")
def known_cohort_csv(
    known_cohort: SyntheticCohort, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return write_cohort_csv(known_cohort.columns, tmp_path_factory.mktemp("cohort") / "cohort.csv")


@pytest.fixture(scope="session")
def learned(known_cohort_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> LearnResult:
    """Penalised logistic model learned on the known cohort, with the shuffled-outcome control."""
    config = LearnConfig(
        target="ACR20@24",
        treatment="arm",
        seed=3,
        n_bootstrap=500,
        n_interval_models=20,
        shuffled_control=True,
    )
    out = tmp_path_factory.mktemp("model")
    return learn_response_model(known_cohort_csv, config, out_dir=out)
