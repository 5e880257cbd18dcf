"""Nested, patient-grouped cross-validation: honest performance of a tuned model.

The inner loop chooses hyper-parameters (and, with ``model="both"``, the model family) on the
training part of each outer fold; the outer loop scores the tuned model on patients it never
saw. Tuning and scoring on the same folds would report the best of many tries, which is
optimistic (Varma & Simon 2006, BMC Bioinformatics 7:91, doi:10.1186/1471-2105-7-91; Cawley &
Talbot 2010, JMLR 11:2079-107).

Splits are :class:`~sklearn.model_selection.StratifiedGroupKFold` on the patient id, so one
patient's rows are always on one side, and each fold keeps about the cohort's response rate.

Feature effects are permutation importances (Breiman 2001, Mach Learn 45:5-32,
doi:10.1023/A:1010933404324; Fisher, Rudin & Dominici 2019, JMLR 20(177)): the drop in the
held-out fold's AUC when one input column is shuffled, averaged over folds and repeats. They
are computed on held-out patients, with each fold's own fitted model, so they describe what the
model relies on for new patients. Correlated inputs share importance: shuffling one leaves its
correlate to carry the signal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from immunobalance.learn._dataset import LearningDataset
from immunobalance.learn._pipelines import ModelFamily, build_pipeline, family_of, param_grid

__all__ = [
    "FoldResult",
    "ModelChoice",
    "NestedCVResult",
    "counterfactual_predictions",
    "make_search",
    "nested_cross_validate",
]

ModelChoice = Literal["logistic", "gbm", "both"]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class FoldResult:
    """One outer fold: sizes, the hyper-parameters the inner loop chose, and the held-out AUC."""

    fold: int
    n_train: int
    n_test: int
    family: ModelFamily
    params: dict[str, float | int | str]
    inner_auc: float
    auc: float


@dataclass(frozen=True)
class NestedCVResult:
    """Out-of-fold predictions and what each outer fold learned.

    Attributes
    ----------
    oof
        Predicted response probability of each row, from the model that did not see its patient.
    fold_of_row
        Outer fold each row was tested in.
    importance
        Input column → (mean, SD) of the held-out AUC drop when it is permuted.
    counterfactual
        ``(n_rows, n_treatments)`` out-of-fold predictions with the treatment set to each level
        (None without a treatment column).
    """

    oof: np.ndarray
    fold_of_row: np.ndarray
    folds: list[FoldResult]
    importance: dict[str, tuple[float, float]]
    counterfactual: np.ndarray | None


def make_search(
    model: ModelChoice,
    *,
    n_features: int,
    n_treatments: int,
    interactions: bool,
    inner_folds: int,
    seed: int,
) -> GridSearchCV:
    """The inner-loop search: a grid over C/penalty (logistic) and depth/learning rate (GBM)."""
    families: list[ModelFamily] = ["logistic", "gbm"] if model == "both" else [model]
    base = build_pipeline(
        "logistic" if "logistic" in families else "gbm",
        n_features=n_features,
        n_treatments=n_treatments,
        interactions=interactions,
        seed=seed,
    )
    grids = [param_grid(f, seed) for f in families]
    return GridSearchCV(
        base,
        grids,
        scoring="roc_auc",
        cv=StratifiedGroupKFold(n_splits=inner_folds, shuffle=True, random_state=seed + 1),
        refit=True,
        n_jobs=1,
        error_score="raise",
    )


def _shown_params(params: dict[str, Any]) -> dict[str, float | int | str]:
    return {
        k.removeprefix("clf__"): v
        for k, v in params.items()
        if k not in {"clf", "interact"} and isinstance(v, int | float | str)
    }


def counterfactual_predictions(pipeline: Pipeline, X: np.ndarray, n_treatments: int) -> np.ndarray:
    """Predicted response of each row with its treatment set to each level in turn."""
    out = np.empty((len(X), n_treatments))
    for level in range(n_treatments):
        Xc = X.copy()
        Xc[:, -1] = level
        out[:, level] = pipeline.predict_proba(Xc)[:, 1]
    return out


def nested_cross_validate(
    data: LearningDataset,
    *,
    model: ModelChoice = "both",
    folds: int = 5,
    inner_folds: int = 3,
    interactions: bool = True,
    n_permutation_repeats: int = 5,
    seed: int = 0,
    y: np.ndarray | None = None,
    progress: Progress | None = None,
) -> NestedCVResult:
    """Run nested cross-validation on a learning data set.

    Parameters
    ----------
    data
        Validated arrays (:func:`~immunobalance.learn.prepare_dataset`).
    model
        ``"logistic"``, ``"gbm"`` or ``"both"`` (the inner loop picks the family).
    folds, inner_folds
        Outer and inner number of patient-grouped, stratified folds.
    interactions
        Treatment × biomarker terms in the logistic model.
    n_permutation_repeats
        Shuffles per column and fold for permutation importance (0: skip).
    seed
        Seeds the splits, the classifiers and the permutations.
    y
        Outcome to use instead of ``data.y`` (the shuffled-outcome control).
    """
    outcome = data.y if y is None else y
    X, groups = data.X, data.groups
    n_treatments = len(data.treatment_levels)
    outer = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    oof = np.full(len(outcome), np.nan)
    fold_of_row = np.full(len(outcome), -1)
    counterfactual = np.full((len(outcome), n_treatments), np.nan) if n_treatments else None
    results: list[FoldResult] = []
    drops: list[np.ndarray] = []
    for k, (train, test) in enumerate(outer.split(X, outcome, groups)):
        if progress is not None:
            progress(f"outer fold {k + 1}/{folds}")
        search = make_search(
            model,
            n_features=len(data.features),
            n_treatments=n_treatments,
            interactions=interactions,
            inner_folds=inner_folds,
            seed=seed + 17 * (k + 1),
        )
        search.fit(X[train], outcome[train], groups=groups[train])
        best: Pipeline = search.best_estimator_
        oof[test] = best.predict_proba(X[test])[:, 1]
        fold_of_row[test] = k
        if counterfactual is not None:
            counterfactual[test] = counterfactual_predictions(best, X[test], n_treatments)
        held_out = outcome[test]
        auc = (
            float(roc_auc_score(held_out, oof[test]))
            if np.unique(held_out).size == 2
            else float("nan")
        )
        results.append(
            FoldResult(
                fold=k,
                n_train=len(train),
                n_test=len(test),
                family=family_of(best),
                params=_shown_params(search.best_params_),
                inner_auc=float(search.best_score_),
                auc=auc,
            )
        )
        if n_permutation_repeats and np.unique(held_out).size == 2:
            perm = permutation_importance(
                best,
                X[test],
                held_out,
                scoring="roc_auc",
                n_repeats=n_permutation_repeats,
                random_state=seed + k,
            )
            drops.append(perm.importances)
    importance: dict[str, tuple[float, float]] = {}
    if drops:
        stacked = np.concatenate(drops, axis=1)
        for j, name in enumerate(data.feature_names):
            importance[name] = (float(stacked[j].mean()), float(stacked[j].std(ddof=1)))
    return NestedCVResult(oof, fold_of_row, results, importance, counterfactual)
