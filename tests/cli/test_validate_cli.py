"""``immunobalance trial validate --format json`` follows ``contracts/cli.md`` exactly."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from immunobalance.cli import app

runner = CliRunner()

ROW_KEYS = {
    "trial",
    "arm",
    "endpoint",
    "week",
    "published",
    "predicted",
    "error_pp",
    "published_diff",
    "predicted_diff",
}
SUMMARY_KEYS = {"mae_pp", "mae_diff_pp", "signs_correct", "signs_total", "by_endpoint"}


def test_validate_json_contract_on_one_trial():
    result = runner.invoke(
        app, ["trial", "validate", "--format", "json", "--n", "40", "--trial", "GEMINI 1"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"rows", "summary"}
    assert set(data["summary"]) == SUMMARY_KEYS
    rows = data["rows"]
    assert [(r["arm"], r["endpoint"], r["week"]) for r in rows] == [
        ("placebo", "MAYO_RESPONSE", 6),
        ("VDZ 300", "MAYO_RESPONSE", 6),
    ]
    for r in rows:
        assert set(r) == ROW_KEYS
        assert 0.0 <= r["predicted"] <= 1.0
        assert abs(r["error_pp"] - 100 * (r["predicted"] - r["published"])) < 0.02
    active = rows[1]
    assert abs(active["published_diff"] - (0.471 - 0.255)) < 1e-9
    assert abs(active["predicted_diff"] - (rows[1]["predicted"] - rows[0]["predicted"])) < 1e-3
    assert data["summary"]["signs_total"] == 1
    assert data["summary"]["by_endpoint"]["MAYO_RESPONSE"]["n"] == 2


def _validate_json(*args: str) -> dict:
    result = runner.invoke(app, ["trial", "validate", "--format", "json", "--n", "60", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_typical_placebo_level_predicts_the_trial_at_the_disease_level():
    """GEMINI 1's own placebo effect is below the UC typical level (δ_t − δ̄ < 0 in the
    packaged calibration), so at the typical level its drug-free arm responds more; the
    default output keeps the contract's two keys, the variant names itself."""
    from immunobalance.population import load_calibration

    effect = load_calibration().for_disease("ulcerative_colitis").trial_effects["GEMINI 1"]
    assert effect < 0
    fitted = _validate_json("--trial", "GEMINI 1")
    typical = _validate_json("--trial", "GEMINI 1", "--placebo-level", "typical")
    assert set(fitted) == {"rows", "summary"}
    assert typical["placebo_level"] == "typical"
    assert set(typical["summary"]) == SUMMARY_KEYS
    assert typical["rows"][0]["predicted"] > fitted["rows"][0]["predicted"]


def test_typical_placebo_level_equals_a_calibration_without_trial_effects():
    """Independent route to the same numbers: the calibration with its trial-level random
    effects removed, validated at the default level."""
    import dataclasses

    from immunobalance.population import load_calibration
    from immunobalance.population._validate import validate_calibration

    cal = load_calibration()
    stripped = dataclasses.replace(
        cal,
        diseases={d: dataclasses.replace(dc, trial_effects={}) for d, dc in cal.diseases.items()},
    )
    direct = validate_calibration(stripped, n_per_arm=60, trials=["GEMINI 1"])
    typical = _validate_json("--trial", "GEMINI 1", "--placebo-level", "typical")
    assert [r["predicted"] for r in typical["rows"]] == [r["predicted"] for r in direct["rows"]]


def test_unknown_placebo_level_is_refused():
    from immunobalance.population._validate import validate_calibration

    result = runner.invoke(app, ["trial", "validate", "--placebo-level", "mean"])
    assert result.exit_code == 2
    with pytest.raises(ValueError, match=r"trial, typical, got 'mean'"):
        validate_calibration(placebo_level="mean", trials=["GEMINI 1"], n_per_arm=20)
