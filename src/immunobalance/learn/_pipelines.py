"""scikit-learn pipelines: imputation, scaling, treatment coding and the classifier, in one object.

Everything that learns from data — the imputer's medians, the scaler's means and SDs, the
classifier — sits inside one :class:`~sklearn.pipeline.Pipeline`, so cross-validation refits it
on each training fold and nothing is learned from a test fold.

Input layout (:class:`~immunobalance.learn._dataset.LearningDataset`): ``n_features`` float
columns (NaN = missing) and, when there is a treatment, its level index as the last column.

* biomarkers: median imputation with missing-value indicators (missingness may itself carry
  information; the indicator lets the model use it rather than mistake an imputed median for a
  measured one), then standardisation;
* treatment: one-hot;
* logistic model only: treatment × biomarker products, so that a penalised *linear* model can
  say that a biomarker predicts response to one treatment and not another (predictive vs
  prognostic markers). Tree ensembles find such interactions themselves.

Penalised logistic regression: L2 (ridge) or L1 (lasso) penalty, strength ``1/C``
(Tibshirani 1996, J R Stat Soc B 58:267-88). Gradient boosting: histogram-based trees
(Friedman 2001, Ann Stat 29:1189-232, doi:10.1214/aos/1013203451; scikit-learn's
HistGradientBoostingClassifier, after LightGBM, Ke et al. NeurIPS 2017).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

__all__ = [
    "ModelFamily",
    "TreatmentInteractions",
    "build_pipeline",
    "expanded_feature_names",
    "family_of",
    "param_grid",
]

ModelFamily = Literal["logistic", "gbm"]

#: Hyper-parameter grids searched by the inner cross-validation.
LOGISTIC_C = (0.01, 0.1, 1.0, 10.0)
LOGISTIC_L1_RATIO = (0.0, 1.0)  # 0 = L2 (ridge), 1 = L1 (lasso)
GBM_MAX_DEPTH = (2, 3)
GBM_LEARNING_RATE = (0.05, 0.1)
GBM_MAX_ITER = 150


class TreatmentInteractions(TransformerMixin, BaseEstimator):
    """Append products of the first ``n_biomarkers`` columns with the last ``n_treatments``.

    Parameters
    ----------
    n_biomarkers
        Leading columns that are (imputed, scaled) biomarkers.
    n_treatments
        Trailing columns that are the treatment's one-hot indicators (0 for no treatment).
    """

    def __init__(self, n_biomarkers: int = 0, n_treatments: int = 0) -> None:
        self.n_biomarkers = n_biomarkers
        self.n_treatments = n_treatments

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> TreatmentInteractions:
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if self.n_treatments == 0 or self.n_biomarkers == 0:
            return X
        bio = X[:, : self.n_biomarkers]
        onehot = X[:, -self.n_treatments :]
        products = (bio[:, :, None] * onehot[:, None, :]).reshape(len(X), -1)
        return np.hstack([X, products])


def build_pipeline(
    family: ModelFamily,
    *,
    n_features: int,
    n_treatments: int,
    interactions: bool,
    seed: int,
) -> Pipeline:
    """The unfitted pipeline for one model family.

    Parameters
    ----------
    family
        ``"logistic"`` (penalised logistic regression) or ``"gbm"`` (gradient boosting).
    n_features
        Number of biomarker/covariate columns (the treatment column, if any, follows them).
    n_treatments
        Number of treatment levels (0: no treatment column).
    interactions
        Add treatment × biomarker products (logistic only).
    seed
        Random state of the classifier.
    """
    parts: list[tuple[str, Any, list[int]]] = []
    if n_features:
        numeric = Pipeline(
            [
                (
                    "impute",
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                ),
                ("scale", StandardScaler()),
            ]
        )
        parts.append(("biomarkers", numeric, list(range(n_features))))
    if n_treatments:
        encoder = OneHotEncoder(
            categories=[list(range(n_treatments))], sparse_output=False, handle_unknown="error"
        )
        parts.append(("treatment", encoder, [n_features]))
    prepare = ColumnTransformer(parts, sparse_threshold=0.0)
    use_products = interactions and family == "logistic" and n_treatments > 0 and n_features > 0
    interact: Any = (
        TreatmentInteractions(n_biomarkers=n_features, n_treatments=n_treatments)
        if use_products
        else "passthrough"
    )
    return Pipeline(
        [("prepare", prepare), ("interact", interact), ("clf", _classifier(family, seed))]
    )


def _classifier(family: ModelFamily, seed: int) -> Any:
    if family == "logistic":
        return LogisticRegression(solver="saga", max_iter=5000, tol=1e-4, random_state=seed)
    return HistGradientBoostingClassifier(
        max_iter=GBM_MAX_ITER, early_stopping=False, l2_regularization=1.0, random_state=seed
    )


def param_grid(family: ModelFamily, seed: int) -> dict[str, list[Any]]:
    """The inner-CV grid of one family, with the classifier itself as a parameter.

    Naming the classifier in each grid lets one search choose between families (``--model
    both``) as well as within one.
    """
    if family == "logistic":
        return {
            "clf": [_classifier("logistic", seed)],
            "clf__C": list(LOGISTIC_C),
            "clf__l1_ratio": list(LOGISTIC_L1_RATIO),
        }
    return {
        "clf": [_classifier("gbm", seed)],
        "interact": ["passthrough"],
        "clf__max_depth": list(GBM_MAX_DEPTH),
        "clf__learning_rate": list(GBM_LEARNING_RATE),
    }


def family_of(pipeline: Pipeline) -> ModelFamily:
    """Which family a (fitted) pipeline's classifier belongs to."""
    return "logistic" if isinstance(pipeline.named_steps["clf"], LogisticRegression) else "gbm"


def expanded_feature_names(
    pipeline: Pipeline, feature_names: list[str], treatment_levels: list[str]
) -> list[str]:
    """Names of the columns the fitted classifier sees (for coefficients).

    ``CRP``, ``missing(CRP)``, ``treatment=adalimumab``, ``CRP × adalimumab``.
    """
    prepare: ColumnTransformer = pipeline.named_steps["prepare"]
    n_features = len(feature_names)
    names: list[str] = list(feature_names)
    if n_features:
        imputer: SimpleImputer = prepare.named_transformers_["biomarkers"].named_steps["impute"]
        if imputer.indicator_ is not None:
            names += [f"missing({feature_names[j]})" for j in imputer.indicator_.features_]
    names += [f"treatment={level}" for level in treatment_levels]
    if isinstance(pipeline.named_steps["interact"], TreatmentInteractions):
        names += [f"{f} × {level}" for f in feature_names for level in treatment_levels]
    return names
