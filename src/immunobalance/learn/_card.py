"""The model card: what a learned response model is, how well it does, and what it is not for.

Contents follow Mitchell et al. 2019, "Model cards for model reporting" (FAT* '19,
doi:10.1145/3287560.3287596) and the TRIPOD+AI reporting items for clinical prediction models
(Collins et al. 2024, BMJ 385:e078378, doi:10.1136/bmj-2023-078378): data source and hash,
participants and outcome, predictors with units and missing data, model and tuning, performance
with uncertainty (discrimination and calibration), intended use and limitations.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from immunobalance.learn._dataset import Exclusion, FeatureSpec

__all__ = [
    "CARD_SCHEMA",
    "CalibrationCard",
    "DataSummary",
    "FeatureSummary",
    "FoldCard",
    "Importance",
    "Interval",
    "MetricsCard",
    "ModelCard",
    "ModelSpecCard",
    "TreatmentSummary",
    "card_markdown",
]

CARD_SCHEMA = "immunobalance.model-card/1"


class _Card(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Interval(_Card):
    estimate: float
    ci95: tuple[float, float]
    n_bootstrap: int

    def covers(self, value: float) -> bool:
        """Whether the 95 % interval contains ``value``."""
        return self.ci95[0] <= value <= self.ci95[1]


class FeatureSummary(_Card):
    """Distribution of one feature among rows with a known outcome (in its default unit)."""

    column: str
    n_missing: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    fraction_one: float | None = None  # for 0/1 features


class TreatmentSummary(_Card):
    """Per treatment: patients, observed response rate and the model's mean predicted response
    if *every* patient had received it (out-of-fold predictions)."""

    treatment: str
    n: int
    observed_response: float
    predicted_if_all: float


class DataSummary(_Card):
    source: str
    sha256: str
    n_rows_read: int
    n_rows: int
    n_rows_without_target: int
    n_patients: int
    n_responders: int
    n_nonresponders: int
    prevalence: float
    features: list[FeatureSummary]
    treatments: list[TreatmentSummary] = Field(default_factory=list)


class FoldCard(_Card):
    fold: int
    n_train: int
    n_test: int
    family: str
    params: dict[str, float | int | str]
    inner_auc: float
    auc: float | None


class CalibrationCard(_Card):
    intercept: float
    slope: float
    bins: list[dict[str, Any]]


class MetricsCard(_Card):
    """Out-of-fold performance of the whole procedure (tuning included)."""

    auc: Interval
    brier: Interval
    base_rate_brier: float
    brier_skill: float
    calibration: CalibrationCard
    folds: list[FoldCard]
    shuffled_outcome_auc: Interval | None = None


class Importance(_Card):
    feature: str
    auc_drop: float
    sd: float


class ModelSpecCard(_Card):
    family: str
    params: dict[str, float | int | str]
    search: str
    interactions: bool
    outer_folds: int
    inner_folds: int
    seed: int
    n_interval_models: int
    coefficients: dict[str, float] = Field(default_factory=dict)


class ModelCard(_Card):
    """Everything needed to judge, reproduce and load a learned response model."""

    schema_: str = Field(default=CARD_SCHEMA, alias="schema")
    model_id: str
    created: str
    software: dict[str, str]
    target: str
    id_column: str
    treatment_column: str | None
    treatment_levels: list[str]
    features: list[FeatureSpec]
    excluded: list[Exclusion]
    data: DataSummary
    model: ModelSpecCard
    metrics: MetricsCard
    importance: list[Importance]
    intended_use: list[str]
    limitations: list[str]
    files: dict[str, str]

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def _ci(interval: Interval, digits: int = 3) -> str:
    lo, hi = interval.ci95
    return f"{interval.estimate:.{digits}f} (95 % CI {lo:.{digits}f}–{hi:.{digits}f})"


def card_markdown(card: ModelCard) -> str:
    """The card as Markdown, for people."""
    m, d = card.metrics, card.data
    params = ", ".join(f"{k}={v}" for k, v in card.model.params.items())
    lines = [
        f"# Model card — response model for `{card.target}`",
        "",
        f"- **Model id:** `{card.model_id}` ({card.schema_})",
        f"- **Created:** {card.created}; immunobalance {card.software.get('immunobalance', '?')}, "
        f"scikit-learn {card.software.get('scikit-learn', '?')}",
        f"- **Data:** `{d.source}` (SHA-256 `{d.sha256[:16]}…`): {d.n_rows} rows, "
        f"{d.n_patients} patients; {d.n_responders} responders / {d.n_nonresponders} "
        f"non-responders (prevalence {d.prevalence:.3f}); {d.n_rows_without_target} rows "
        "without an outcome left out",
        f"- **Model:** {card.model.family} ({params}); {card.model.search}",
        "",
        "## Performance (nested cross-validation, out-of-fold)",
        "",
        f"- AUC: {_ci(m.auc)}",
        f"- Brier score: {_ci(m.brier)}; base-rate Brier {m.base_rate_brier:.3f}; "
        f"Brier skill {m.brier_skill:.3f}",
        f"- Calibration: intercept {m.calibration.intercept:.3f}, slope {m.calibration.slope:.3f}",
    ]
    if m.shuffled_outcome_auc is not None:
        lines.append(f"- Shuffled-outcome control AUC: {_ci(m.shuffled_outcome_auc)}")
    lines += ["", "| fold | n test | model | parameters | AUC |", "|---|---|---|---|---|"]
    for f in m.folds:
        params = ", ".join(f"{k}={v}" for k, v in f.params.items())
        auc = "—" if f.auc is None else f"{f.auc:.3f}"
        lines.append(f"| {f.fold + 1} | {f.n_test} | {f.family} | {params} | {auc} |")
    lines += [
        "",
        "## Features",
        "",
        "| column | kind | unit | encoding | missing | permutation importance (AUC drop ± SD) |",
        "|---|---|---|---|---|---|",
    ]
    importance = {i.feature: i for i in card.importance}
    for spec in card.features:
        imp = importance.get(spec.column)
        shown = f"{imp.auc_drop:.3f} ± {imp.sd:.3f}" if imp else "—"
        unit = spec.unit or ""
        if spec.source_unit and spec.source_unit != spec.unit:
            unit = f"{unit} (from {spec.source_unit})"
        lines.append(
            f"| {spec.column} | {spec.kind} | {unit} | {spec.encoding or ''} "
            f"| {spec.n_missing} | {shown} |"
        )
    if "treatment" in importance:
        imp = importance["treatment"]
        lines.append(
            f"| {card.treatment_column} (treatment) | treatment | | one-hot | 0 | "
            f"{imp.auc_drop:.3f} ± {imp.sd:.3f} |"
        )
    if card.excluded:
        lines += ["", "Excluded columns:", ""]
        lines += [f"- `{e.column}`: {e.reason}" for e in card.excluded]
    if d.treatments:
        lines += [
            "",
            "## Response by treatment",
            "",
            "| treatment | n | observed | predicted if all received it |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {t.treatment} | {t.n} | {t.observed_response:.3f} | {t.predicted_if_all:.3f} |"
            for t in d.treatments
        ]
    lines += ["", "## Intended use", ""] + [f"- {u}" for u in card.intended_use]
    lines += ["", "## Limitations", ""] + [f"- {u}" for u in card.limitations]
    lines += ["", "## Files", ""] + [f"- `{k}` SHA-256 `{v}`" for k, v in card.files.items()]
    return "\n".join(lines) + "\n"
