"""Score one patient with a learned model: predicted response per treatment, with an interval.

This is the hook for ``recommend``: the learned model is an *extra, separate* evidence source.
Its output is labelled as such and is shown beside — never merged into — the mechanistic twin's
prediction, and it never overrides the safety screen (a contraindicated option stays
contraindicated, and a learned probability cannot promote it). The recommender decides how to
display it; this module only computes it.

Features are read from the patient's latest observations, in the default units the patient
readers already normalised to: a biomarker column reads ``patient.latest(key)``, ``RF_POSITIVE``
reads RF through its positivity threshold or category, demographics come from the record. A
feature the record lacks is passed as missing, so the model's own imputer (fitted on the training
cohort) fills it, and the result lists it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from immunobalance.errors import UnknownKeyError
from immunobalance.knowledge.loader import load_knowledge_base
from immunobalance.knowledge.schema import Biomarker
from immunobalance.learn._dataset import FeatureSpec
from immunobalance.learn._store import LoadedModel, load_model
from immunobalance.patient.model import Patient
from immunobalance.patient.normalise import reads_positive

__all__ = ["ANY_TREATMENT", "ResponsePrediction", "patient_features", "predict_response"]

#: Key of the single prediction of a model learned without a treatment column.
ANY_TREATMENT = "*"


class ResponsePrediction(BaseModel):
    """A learned model's predicted probability of response for one patient and treatment.

    ``ci95`` is the 2.5–97.5 percentile of the same prediction by models refitted on patient-level
    bootstrap resamples of the training cohort (estimation uncertainty of the model).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = "learned_model"
    model_id: str
    endpoint: str
    treatment: str
    probability: float
    ci95: tuple[float, float]
    features_used: dict[str, float]
    features_imputed: list[str]
    note: str = (
        "statistical evidence learned from a cohort; shown separately from the mechanistic twin; "
        "never overrides the safety screen"
    )


def _biomarker_value(spec: FeatureSpec, marker: Biomarker, patient: Patient) -> float | None:
    obs = patient.latest(marker.key)
    if obs is None:
        return None
    value = obs.value
    if spec.kind == "serology":
        positive = reads_positive(marker, value)
        return None if positive is None else float(positive)
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        if spec.unit is None and len(marker.categories) == 2 and value in marker.categories:
            return 1.0 if value == marker.categories[0] else 0.0
        return None  # a category where the model learned a number: cannot be read
    if spec.unit is None and spec.encoding is not None:
        return None  # a number where the model learned a category
    return float(value)


def _demographic_value(spec: FeatureSpec, patient: Patient) -> float | None:
    if spec.key == "AGE_YEARS":
        return patient.age_at()
    if spec.key == "SEX":
        return {"female": 1.0, "male": 0.0}.get(patient.sex)
    if spec.key == "WEIGHT_KG":
        return patient.weight_kg
    if spec.key == "HEIGHT_CM":
        return patient.height_cm
    return None


def patient_features(
    features: Sequence[FeatureSpec], patient: Patient, biomarkers: dict[str, Biomarker]
) -> dict[str, float | None]:
    """The model's feature values read from a patient (None = not in the record)."""
    out: dict[str, float | None] = {}
    for spec in features:
        value: float | None = None
        if spec.kind in {"biomarker", "serology"} and spec.key in biomarkers:
            value = _biomarker_value(spec, biomarkers[spec.key], patient)
        elif spec.kind == "demographic":
            value = _demographic_value(spec, patient)
        out[spec.column] = value
    return out


def predict_response(
    model_dir: str | Path | LoadedModel, patient: Patient, treatments: Sequence[str]
) -> dict[str, ResponsePrediction]:
    """Predicted probability of the model's endpoint for ``patient`` under each treatment.

    Parameters
    ----------
    model_dir
        A directory written by ``immunobalance learn`` (hashes are checked before unpickling),
        or a model already loaded with :func:`~immunobalance.learn.load_model`.
    patient
        The validated patient; its latest observations supply the features.
    treatments
        Treatment levels of the training cohort (``load_model(d).treatments``). A model learned
        without a treatment column takes ``[]`` and answers under :data:`ANY_TREATMENT`.

    Returns
    -------
    dict
        Treatment → :class:`ResponsePrediction` (probability, bootstrap 95 % interval, features
        used and features imputed).

    Raises
    ------
    UnknownKeyError
        A treatment the model was not trained on (with the closest known ones).
    InvalidInputError
        The model directory is missing files or a file's SHA-256 does not match its card.
    """
    model = model_dir if isinstance(model_dir, LoadedModel) else load_model(model_dir)
    card = model.card
    levels = card.treatment_levels
    wanted = list(treatments)
    if card.treatment_column is None:
        if wanted:
            raise UnknownKeyError("treatment", wanted[0], [])
        wanted = [ANY_TREATMENT]
    else:
        for name in wanted:
            if name not in levels:
                raise UnknownKeyError("treatment", name, levels)
    values = patient_features(card.features, patient, dict(load_knowledge_base().biomarkers))
    row = np.array([np.nan if v is None else v for v in values.values()], dtype=float)
    used = {k: float(v) for k, v in values.items() if v is not None}
    imputed = [k for k, v in values.items() if v is None]
    results: dict[str, ResponsePrediction] = {}
    for name in wanted:
        x = row if card.treatment_column is None else np.append(row, levels.index(name))
        X = x[None, :]
        probability = float(model.pipeline.predict_proba(X)[0, 1])
        draws = np.array([m.predict_proba(X)[0, 1] for m in model.interval_models])
        low, high = np.percentile(draws, [2.5, 97.5])
        results[name] = ResponsePrediction(
            model_id=card.model_id,
            endpoint=card.target,
            treatment=name,
            probability=probability,
            ci95=(float(low), float(high)),
            features_used=used,
            features_imputed=imputed,
        )
    return results
