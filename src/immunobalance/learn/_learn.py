"""Learn and validate a response predictor from a cohort: the whole procedure, in one call.

read → validate (:mod:`._dataset`) → nested CV (:mod:`._nested_cv`) → metrics with patient-level
bootstrap CIs (:mod:`._metrics`) → optional shuffled-outcome control → final fit on all patients
with the same inner search → bootstrap refits for prediction intervals → model card, joblib
files, HTML report and out-of-fold predictions in ``out_dir``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import sklearn
from pydantic import BaseModel, ConfigDict, Field
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from immunobalance.knowledge.loader import load_knowledge_base
from immunobalance.learn._card import (
    CalibrationCard,
    DataSummary,
    FeatureSummary,
    FoldCard,
    Importance,
    Interval,
    MetricsCard,
    ModelCard,
    ModelSpecCard,
    TreatmentSummary,
)
from immunobalance.learn._dataset import LearningDataset, prepare_dataset
from immunobalance.learn._metrics import (
    BootstrapEstimate,
    base_rate_brier,
    bootstrap_draws,
    bootstrap_metrics,
    calibration_summary,
    percentile_interval,
)
from immunobalance.learn._nested_cv import (
    ModelChoice,
    NestedCVResult,
    make_search,
    nested_cross_validate,
)
from immunobalance.learn._pipelines import expanded_feature_names, family_of
from immunobalance.learn._store import save_model_files, write_card
from immunobalance.learn._table import CohortTable, read_cohort

__all__ = ["LearnConfig", "LearnResult", "learn_response_model"]

Progress = Callable[[str], None]


class LearnConfig(BaseModel):
    """How to learn: columns, model family, folds, seed and the sizes of the resampling steps."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: str
    treatment: str | None = None
    id_col: str | None = None
    features: list[str] | None = None
    model: ModelChoice = "logistic"
    folds: int = Field(default=5, ge=2, le=20)
    inner_folds: int = Field(default=3, ge=2, le=10)
    seed: int = 0
    interactions: bool = True
    n_bootstrap: int = Field(default=1000, ge=100)
    n_permutation_repeats: int = Field(default=5, ge=0)
    n_interval_models: int = Field(default=50, ge=10)
    shuffled_control: bool = False
    n_shuffles: int = Field(default=3, ge=1, le=50)


@dataclass(frozen=True)
class LearnResult:
    """What :func:`learn_response_model` produced (files are in ``out_dir`` when given)."""

    card: ModelCard
    data: LearningDataset
    cv: NestedCVResult
    pipeline: Pipeline
    interval_models: list[Pipeline]
    shuffled_cv: NestedCVResult | None
    out_dir: Path | None

    def summary(self) -> dict[str, object]:
        """The JSON summary of ``immunobalance learn --format json``."""
        m = self.card.metrics
        return {
            "model_id": self.card.model_id,
            "target": self.card.target,
            "n_patients": self.card.data.n_patients,
            "n_rows": self.card.data.n_rows,
            "prevalence": self.card.data.prevalence,
            "model": {"family": self.card.model.family, "params": self.card.model.params},
            "auc": {"value": m.auc.estimate, "ci95": list(m.auc.ci95)},
            "brier": {"value": m.brier.estimate, "ci95": list(m.brier.ci95)},
            "base_rate_brier": m.base_rate_brier,
            "calibration": {"intercept": m.calibration.intercept, "slope": m.calibration.slope},
            "shuffled_outcome_auc": (
                None
                if m.shuffled_outcome_auc is None
                else {
                    "value": m.shuffled_outcome_auc.estimate,
                    "ci95": list(m.shuffled_outcome_auc.ci95),
                }
            ),
            "importance": [i.model_dump() for i in self.card.importance],
            "excluded": [e.model_dump() for e in self.card.excluded],
            "treatments": [t.model_dump() for t in self.card.data.treatments],
            "out_dir": None if self.out_dir is None else str(self.out_dir),
        }


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _interval(e: BootstrapEstimate) -> Interval:
    return Interval(estimate=e.estimate, ci95=e.ci95, n_bootstrap=e.n_bootstrap)


def _feature_summaries(data: LearningDataset) -> list[FeatureSummary]:
    out = []
    for j, spec in enumerate(data.features):
        v = data.X[:, j]
        present = v[~np.isnan(v)]
        if set(np.unique(present)) <= {0.0, 1.0}:
            out.append(
                FeatureSummary(
                    column=spec.column,
                    n_missing=spec.n_missing,
                    fraction_one=float(present.mean()),
                )
            )
        else:
            q1, med, q3 = np.percentile(present, [25, 50, 75])
            out.append(
                FeatureSummary(
                    column=spec.column,
                    n_missing=spec.n_missing,
                    median=float(med),
                    q1=float(q1),
                    q3=float(q3),
                )
            )
    return out


def _treatment_summaries(data: LearningDataset, cv: NestedCVResult) -> list[TreatmentSummary]:
    if cv.counterfactual is None:
        return []
    codes = data.X[:, -1]
    return [
        TreatmentSummary(
            treatment=level,
            n=int((codes == k).sum()),
            observed_response=float(data.y[codes == k].mean()) if (codes == k).any() else 0.0,
            predicted_if_all=float(cv.counterfactual[:, k].mean()),
        )
        for k, level in enumerate(data.treatment_levels)
    ]


def _coefficients(pipeline: Pipeline, data: LearningDataset) -> dict[str, float]:
    clf = pipeline.named_steps["clf"]
    if not isinstance(clf, LogisticRegression):
        return {}
    names = expanded_feature_names(
        pipeline, [f.column for f in data.features], data.treatment_levels
    )
    coef = clf.coef_.ravel()
    terms = {"(intercept)": float(clf.intercept_[0])}
    terms.update({n: float(c) for n, c in zip(names, coef, strict=True)})
    return terms


def _bootstrap_refits(
    pipeline: Pipeline, data: LearningDataset, n_models: int, seed: int
) -> list[Pipeline]:
    """Refit the tuned pipeline on patient-level bootstrap resamples (same hyper-parameters)."""
    rng = np.random.default_rng(seed)
    patients, inverse = np.unique(data.groups, return_inverse=True)
    rows_of = [np.flatnonzero(inverse == k) for k in range(len(patients))]
    models: list[Pipeline] = []
    attempts = 0
    while len(models) < n_models and attempts < 3 * n_models:
        attempts += 1
        drawn = rng.integers(0, len(patients), len(patients))
        rows = np.concatenate([rows_of[k] for k in drawn])
        if np.unique(data.y[rows]).size < 2:
            continue
        models.append(clone(pipeline).fit(data.X[rows], data.y[rows]))
    return models


def _limitations(data: LearningDataset, card_terms: int) -> list[str]:
    n_min = int(min((data.y == 1).sum(), (data.y == 0).sum()))
    levels = ", ".join(data.treatment_levels) or "not modelled"
    items = [
        "Associational: a predicted difference between treatments estimates a causal benefit "
        "only if treatment was randomised in this cohort (a trial); in registry data it is "
        "confounded by indication.",
        f"Valid for patients like those of the training cohort and for its treatments only "
        f"({levels}); other treatments cannot be scored.",
        "Internal validation only (nested cross-validation on one cohort); an independent "
        "external cohort is needed before any clinical use.",
        "AUC and Brier intervals are patient-level bootstrap intervals of out-of-fold "
        "predictions; they ignore the variability of refitting. Prediction intervals of "
        "predict_response come from bootstrap refits: estimation uncertainty, not the chance "
        "of one patient's outcome.",
        "Missing features are median-imputed with missing indicators learned in each training "
        "fold; a patient with many missing features gets a prediction near the cohort average.",
        "Permutation importance shows what the model relies on; correlated features share it, "
        "and it is not a causal effect.",
    ]
    unvalidated = [f.column for f in data.features if f.kind == "covariate"]
    if unvalidated:
        items.append(
            f"Columns not in the biomarker table ({', '.join(unvalidated)}): units and ranges "
            "were not checked, and a patient record cannot supply them (they are imputed)."
        )
    if n_min < 10 * card_terms:
        items.append(
            f"Small cohort for the number of model terms: {n_min} patients in the smaller "
            f"outcome class for {card_terms} candidate terms (fewer than 10 per term; Riley "
            "et al. 2020, BMJ 368:m441, doi:10.1136/bmj.m441): expect optimism and instability."
        )
    return items


def _model_id(data: LearningDataset, config: LearnConfig) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", data.target).strip("_").lower()
    blob = json.dumps(
        {"data": data.sha256, "config": config.model_dump(), "v": _version("immunobalance")},
        sort_keys=True,
    )
    return f"{slug}-{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


def _write_predictions(path: Path, data: LearningDataset, cv: NestedCVResult) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([data.id_column, "fold", data.target, "predicted"])
        for g, k, y, p in zip(data.groups, cv.fold_of_row, data.y, cv.oof, strict=True):
            writer.writerow([g, int(k) + 1, int(y), f"{p:.6f}"])


def _nested(
    data: LearningDataset,
    config: LearnConfig,
    repeats: int,
    y: np.ndarray | None,
    progress: Progress | None,
) -> NestedCVResult:
    return nested_cross_validate(
        data,
        model=config.model,
        folds=config.folds,
        inner_folds=config.inner_folds,
        interactions=config.interactions,
        n_permutation_repeats=repeats,
        seed=config.seed,
        y=y,
        progress=progress,
    )


def _shuffled_control(
    data: LearningDataset, config: LearnConfig
) -> tuple[NestedCVResult, Interval]:
    """Run the whole procedure on outcomes shuffled across patients (a negative control).

    Under a shuffled outcome nothing can be learned, so the out-of-fold AUC must sit at 0.5
    (Ojala & Garriga 2010, "Permutation tests for studying classifier performance", JMLR
    11:1833-63). One shuffle's AUC varies more than its bootstrap interval says (refitting adds
    variance, and cross-validation under the null is slightly pessimistic), so the control pools
    ``n_shuffles`` shuffles: the estimate is their mean AUC and the interval the 2.5-97.5
    percentiles of all their patient-bootstrap draws together, an approximation of the null
    distribution of the reported AUC.
    """
    rng = np.random.default_rng(config.seed + 1)
    estimates: list[float] = []
    draws: list[np.ndarray] = []
    n_each = max(100, config.n_bootstrap // config.n_shuffles)
    last: NestedCVResult | None = None
    for r in range(config.n_shuffles):
        y = rng.permutation(data.y)
        last = _nested(data, config, 0, y, None)
        estimates.append(float(roc_auc_score(y, last.oof)))
        aucs, _ = bootstrap_draws(
            y, last.oof, data.groups, n_bootstrap=n_each, seed=config.seed + r
        )
        draws.append(aucs)
    assert last is not None
    pooled = percentile_interval(float(np.mean(estimates)), np.concatenate(draws))
    return last, _interval(pooled)


def learn_response_model(
    cohort: str | Path | CohortTable,
    config: LearnConfig,
    *,
    out_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> LearnResult:
    """Learn, validate and (optionally) save a response predictor.

    Parameters
    ----------
    cohort
        A cohort CSV/Parquet path, or a table read by :func:`~immunobalance.learn.read_cohort`.
    config
        Target, treatment and id columns, model family, folds, seed, resampling sizes.
    out_dir
        Where to write ``model.joblib``, ``interval_models.joblib``, ``model_card.json``,
        ``model_card.md``, ``report.html`` and ``oof_predictions.csv``; nothing is written when
        None. Files are written only after everything succeeded.
    progress
        Called with a short message at each step (the CLI shows them).

    Returns
    -------
    LearnResult
        The card, the arrays, the nested-CV result and the fitted pipelines.

    Raises
    ------
    InvalidInputError
        The cohort failed validation (every problem listed).

    Examples
    --------
    >>> result = learn_response_model("examples/cohorts/ra_simulated.csv",
    ...     LearnConfig(target="ACR20@24", treatment="arm"))  # doctest: +SKIP
    >>> result.card.metrics.auc.ci95  # doctest: +SKIP
    (0.77, 0.82)
    """

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    say("reading and validating the cohort")
    table = cohort if isinstance(cohort, CohortTable) else read_cohort(cohort)
    biomarkers = dict(load_knowledge_base().biomarkers)
    data = prepare_dataset(
        table,
        target=config.target,
        biomarkers=biomarkers,
        treatment=config.treatment,
        id_col=config.id_col,
        features=config.features,
        min_per_class=config.folds,
    )
    # Small tabular fits: OpenMP threads cost more than they give, and one thread keeps the
    # numbers identical on any machine.
    with threadpool_limits(limits=1):
        cv = _nested(data, config, config.n_permutation_repeats, None, say)
        say("bootstrapping AUC and Brier score")
        boot = bootstrap_metrics(
            data.y, cv.oof, data.groups, n_bootstrap=config.n_bootstrap, seed=config.seed
        )
        calibration = calibration_summary(data.y, cv.oof)
        shuffled_cv: NestedCVResult | None = None
        shuffled_auc: Interval | None = None
        if config.shuffled_control:
            say("shuffled-outcome control")
            shuffled_cv, shuffled_auc = _shuffled_control(data, config)
        say("fitting the final model on all patients")
        search = make_search(
            config.model,
            n_features=len(data.features),
            n_treatments=len(data.treatment_levels),
            interactions=config.interactions,
            inner_folds=config.inner_folds,
            seed=config.seed,
        )
        search.fit(data.X, data.y, groups=data.groups)
        final: Pipeline = search.best_estimator_
        say("bootstrap refits for prediction intervals")
        interval_models = _bootstrap_refits(final, data, config.n_interval_models, config.seed)

    coefficients = _coefficients(final, data)
    n_terms = max(len(coefficients) - 1, len(data.feature_names))
    base_brier = base_rate_brier(data.y)
    params = {
        k.removeprefix("clf__"): v
        for k, v in search.best_params_.items()
        if k not in {"clf", "interact"}
    }
    metrics = MetricsCard(
        auc=_interval(boot["auc"]),
        brier=_interval(boot["brier"]),
        base_rate_brier=base_brier,
        brier_skill=1.0 - boot["brier"].estimate / base_brier,
        calibration=CalibrationCard(
            intercept=calibration.intercept,
            slope=calibration.slope,
            bins=[
                {
                    "mean_predicted": b.mean_predicted,
                    "observed": b.observed,
                    "observed_ci95": list(b.observed_ci95),
                    "n": b.n,
                }
                for b in calibration.bins
            ],
        ),
        folds=[
            FoldCard(
                fold=f.fold,
                n_train=f.n_train,
                n_test=f.n_test,
                family=f.family,
                params=f.params,
                inner_auc=f.inner_auc,
                auc=None if np.isnan(f.auc) else f.auc,
            )
            for f in cv.folds
        ],
        shuffled_outcome_auc=shuffled_auc,
    )
    importance = sorted(
        (Importance(feature=k, auc_drop=v[0], sd=v[1]) for k, v in cv.importance.items()),
        key=lambda i: -i.auc_drop,
    )
    n_pos = int(data.y.sum())
    grid = {
        "logistic": "L1/L2 penalised logistic regression (C in 0.01–10)",
        "gbm": "histogram gradient boosting (depth 2–3, learning rate 0.05–0.1)",
        "both": "penalised logistic regression or gradient boosting, chosen by the inner CV",
    }[config.model]
    card = ModelCard(
        model_id=_model_id(data, config),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        software={
            "immunobalance": _version("immunobalance"),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        target=data.target,
        id_column=data.id_column,
        treatment_column=data.treatment_column,
        treatment_levels=data.treatment_levels,
        features=data.features,
        excluded=data.excluded,
        data=DataSummary(
            source=data.source,
            sha256=data.sha256,
            n_rows_read=data.n_rows_read,
            n_rows=len(data.y),
            n_rows_without_target=data.n_rows_without_target,
            n_patients=data.n_patients,
            n_responders=n_pos,
            n_nonresponders=len(data.y) - n_pos,
            prevalence=float(data.y.mean()),
            features=_feature_summaries(data),
            treatments=_treatment_summaries(data, cv),
        ),
        model=ModelSpecCard(
            family=family_of(final),
            params=params,
            search=f"{grid}; grid search by {config.inner_folds}-fold inner CV (AUC) inside "
            f"{config.folds}-fold outer CV, folds grouped by patient and stratified by outcome",
            interactions=config.interactions,
            outer_folds=config.folds,
            inner_folds=config.inner_folds,
            seed=config.seed,
            n_interval_models=len(interval_models),
            coefficients=coefficients,
        ),
        metrics=metrics,
        importance=importance,
        intended_use=[
            f"Research: estimate the probability of {data.target} from baseline biomarkers in "
            f"patients like those of {data.source}, and see which biomarkers carry that "
            "information.",
            "Decision support: a separate, secondary evidence source shown beside the "
            "mechanistic digital twin in recommendations. It never overrides the safety screen: "
            "a contraindicated option stays contraindicated whatever this model predicts.",
        ],
        limitations=_limitations(data, n_terms),
        files={},
    )
    directory: Path | None = None
    if out_dir is not None:
        from immunobalance.learn._report import write_report

        say("writing the model, card and report")
        directory = Path(out_dir)
        files = save_model_files(directory, final, interval_models)
        card = card.model_copy(update={"files": files})
        write_card(directory, card)
        _write_predictions(directory / "oof_predictions.csv", data, cv)
        write_report(directory / "report.html", card, data, cv)
    return LearnResult(card, data, cv, final, interval_models, shuffled_cv, directory)
