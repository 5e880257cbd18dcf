"""Saved models: files, hash check on load, and the recommendation hook predict_response."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from immunobalance.errors import InvalidInputError, UnknownKeyError
from immunobalance.learn import LearnResult, load_model, predict_response
from immunobalance.learn._synthetic import ADALIMUMAB, PLACEBO, TOCILIZUMAB
from immunobalance.patient import parse_patient_dict


def _patient(values: dict[str, Any]) -> Any:
    observations = [
        {"code": code, "value": value, "unit": unit, "date": "2026-04-01"}
        for code, (value, unit) in values.items()
    ]
    record = {
        "id": "pt-learn",
        "sex": "female",
        "birth_date": "1970-01-01",
        "conditions": [{"code": "M05.79", "system": "icd10"}],
        "observations": [{k: v for k, v in o.items() if v is not None} for o in observations],
    }
    return parse_patient_dict(record)


def test_model_directory_holds_card_model_and_report(learned: LearnResult) -> None:
    out = learned.out_dir
    assert out is not None
    for name in (
        "model.joblib",
        "interval_models.joblib",
        "model_card.json",
        "model_card.md",
        "report.html",
        "oof_predictions.csv",
    ):
        assert (out / name).is_file(), name
    card = json.loads((out / "model_card.json").read_text())
    assert card["schema"] == "immunobalance.model-card/1"
    assert card["data"]["sha256"] == learned.data.sha256
    assert card["metrics"]["auc"]["ci95"][0] < card["metrics"]["auc"]["estimate"]
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 4  # ROC, reliability, importance, treatments
    assert "http://" not in html and "https://" not in html  # no CDN: opens offline


def test_load_refuses_a_tampered_model(learned: LearnResult, tmp_path: Path) -> None:
    assert learned.out_dir is not None
    copy = tmp_path / "model"
    copy.mkdir()
    for f in learned.out_dir.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    assert load_model(copy).treatments == learned.data.treatment_levels
    with (copy / "model.joblib").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(InvalidInputError, match="SHA-256"):
        load_model(copy)


def test_predict_response_matches_the_pipeline_and_orders_patients(learned: LearnResult) -> None:
    assert learned.out_dir is not None
    high = _patient(
        {
            "CRP": (6.0, "mg/dL"),
            "ACPA": (250.0, "U/mL"),
            "TREG_PCT": (3.5, "%"),
            "IL6": (60.0, "pg/mL"),
            "RF": (40.0, "[IU]/mL"),
        }
    )
    low = _patient(
        {
            "CRP": (2.0, "mg/L"),
            "ACPA": ("negative", None),
            "TREG_PCT": (8.5, "%"),
            "IL6": (4.0, "pg/mL"),
            "RF": ("negative", None),
        }
    )
    arms = [PLACEBO, ADALIMUMAB, TOCILIZUMAB]
    hi, lo = (
        predict_response(learned.out_dir, high, arms),
        predict_response(learned.out_dir, low, arms),
    )
    for arm in arms:
        assert hi[arm].probability > lo[arm].probability
        assert hi[arm].ci95[0] <= hi[arm].probability <= hi[arm].ci95[1] + 0.05
        assert hi[arm].source == "learned_model" and "safety screen" in hi[arm].note
    # IL-6 high: tocilizumab's predicted benefit over placebo exceeds adalimumab's relative edge
    # in the IL-6-low patient (the known interaction).
    assert (
        hi[TOCILIZUMAB].probability - hi[PLACEBO].probability
        > lo[TOCILIZUMAB].probability - lo[PLACEBO].probability
    )
    used = hi[PLACEBO].features_used
    assert used["CRP"] == 60.0  # 6 mg/dL read in mg/L
    assert used["ACPA_POSITIVE"] == 1.0 and used["RF_POSITIVE"] == 1.0  # 250 ≥ 20 U/mL; 40 ≥ 15
    assert set(hi[PLACEBO].features_imputed) == {"TNF", "IL17A"}
    # Same number as the fitted pipeline on the same feature row.
    names = [f.column for f in learned.card.features]
    row = np.array(
        [used.get(n, np.nan) for n in names] + [learned.data.treatment_levels.index(PLACEBO)]
    )
    expected = learned.pipeline.predict_proba(row[None, :])[0, 1]
    assert np.isclose(hi[PLACEBO].probability, expected)


def test_unknown_treatment_names_the_known_ones(learned: LearnResult) -> None:
    assert learned.out_dir is not None
    with pytest.raises(UnknownKeyError, match="adalimumab"):
        predict_response(learned.out_dir, _patient({"CRP": (5.0, "mg/L")}), ["adalimumab+MTX"])
