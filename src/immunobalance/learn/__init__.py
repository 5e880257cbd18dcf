"""Learning response predictors from cohort data (baseline biomarkers → later response).

Research groups and registries hold cohorts; so does every in-silico trial (one row per virtual
patient). :func:`learn_response_model` learns and validates a predictor from such a table —
penalised logistic regression and/or gradient boosting, nested patient-grouped cross-validation,
calibration, AUC with bootstrap CI, permutation importance — and writes a versioned model card,
the fitted pipeline and an HTML report. :func:`predict_response` scores one
:class:`~immunobalance.patient.Patient` per treatment, as a separate evidence source for
recommendations that never overrides the safety screen.
"""

from immunobalance.learn._card import ModelCard, card_markdown
from immunobalance.learn._dataset import (
    ID_COLUMN_NAMES,
    Exclusion,
    FeatureSpec,
    LearningDataset,
    prepare_dataset,
)
from immunobalance.learn._leakage import leakage_by_name, leakage_by_values
from immunobalance.learn._learn import LearnConfig, LearnResult, learn_response_model
from immunobalance.learn._metrics import (
    BootstrapEstimate,
    base_rate_brier,
    bootstrap_metrics,
    calibration_summary,
)
from immunobalance.learn._nested_cv import NestedCVResult, nested_cross_validate
from immunobalance.learn._predict import (
    ANY_TREATMENT,
    ResponsePrediction,
    patient_features,
    predict_response,
)
from immunobalance.learn._store import LoadedModel, load_model
from immunobalance.learn._synthetic import SyntheticCohort, synthetic_cohort, write_cohort_csv
from immunobalance.learn._table import CohortTable, read_cohort

__all__ = [
    "ANY_TREATMENT",
    "ID_COLUMN_NAMES",
    "BootstrapEstimate",
    "CohortTable",
    "Exclusion",
    "FeatureSpec",
    "LearnConfig",
    "LearnResult",
    "LearningDataset",
    "LoadedModel",
    "ModelCard",
    "NestedCVResult",
    "ResponsePrediction",
    "SyntheticCohort",
    "base_rate_brier",
    "bootstrap_metrics",
    "calibration_summary",
    "card_markdown",
    "leakage_by_name",
    "leakage_by_values",
    "learn_response_model",
    "load_model",
    "nested_cross_validate",
    "patient_features",
    "predict_response",
    "prepare_dataset",
    "read_cohort",
    "synthetic_cohort",
    "write_cohort_csv",
]
