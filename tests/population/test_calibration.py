"""Calibration files: provenance, no agent-level parameters, round trip, validate summary."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from immunobalance.errors import CalibrationError
from immunobalance.population import Calibration, check_no_agent_parameters, load_calibration
from immunobalance.population._calibration import latest_calibration_version
from immunobalance.population._rows import calibration_rows, data_sha256, rows_by_trial, trial_spec
from immunobalance.population._validate import summarise

SHARED_CSV = Path(__file__).resolve().parents[3] / "shared" / "reference" / "calibration-trials.csv"


def test_packaged_rows_parse_and_copy_is_verbatim():
    rows = calibration_rows()
    assert len(rows) > 80
    assert {r.kind for r in rows} >= {"proportion", "rate"}
    if SHARED_CSV.exists():  # beside the clone in CI and in the workspace
        assert hashlib.sha256(SHARED_CSV.read_bytes()).hexdigest() == data_sha256()


def test_every_calibration_trial_is_a_valid_trial_spec():
    for name, rows in rows_by_trial(calibration_rows()).items():
        spec = trial_spec(rows, n_per_arm=10, seed=1)
        assert spec.trial.name == name
        assert {a.name for a in spec.arms} == {r.arm for r in rows}


def test_packaged_calibration_has_no_agent_parameters_and_matches_data():
    version = latest_calibration_version()
    if version is None:
        pytest.skip("no calibration shipped yet")
    cal = load_calibration()
    raw = json.loads(
        (
            Path(__file__).resolve().parents[2]
            / "src"
            / "immunobalance"
            / "population"
            / "data"
            / f"calibration-v{version}.json"
        ).read_text()
    )
    check_no_agent_parameters(raw)
    assert cal.meta["data_sha256"] == data_sha256()
    for dc in cal.diseases.values():
        for name in dc.typical:
            assert not any(w in name for w in ("potency", "ec50", "clearance", "half_life"))
        for value in dc.typical.values():
            assert 0 < value < 1
        assert dc.placebo_between_trial_sd >= 0


def test_agent_level_parameters_are_rejected():
    bad = {"version": "v9", "diseases": {"psoriasis": {"typical": {"secukinumab_potency": 2.0}}}}
    with pytest.raises(CalibrationError, match="secukinumab_potency"):
        Calibration.from_json(bad)


def test_round_trip():
    cal = Calibration.from_json(
        {
            "version": "v7",
            "date": "2026-01-01",
            "diseases": {
                "psoriasis": {
                    "typical": {"placebo_subjective": 0.2},
                    "pathway_multipliers": {"il17": 1.5},
                    "placebo_between_trial_sd": 0.4,
                    "trial_effects": {"X": 0.1},
                }
            },
        }
    )
    again = Calibration.from_json(cal.to_json())
    assert again == cal
    assert again.fingerprint("psoriasis") == cal.fingerprint("psoriasis")


def test_summary_arithmetic():
    rows = [
        {
            "trial": "T",
            "arm": "p",
            "endpoint": "ACR20",
            "week": 24,
            "published": 0.2,
            "predicted": 0.25,
            "error_pp": 5.0,
            "published_diff": None,
            "predicted_diff": None,
        },
        {
            "trial": "T",
            "arm": "a",
            "endpoint": "ACR20",
            "week": 24,
            "published": 0.6,
            "predicted": 0.5,
            "error_pp": -10.0,
            "published_diff": 0.4,
            "predicted_diff": 0.25,
        },
        {
            "trial": "M",
            "arm": "a",
            "endpoint": "ARR",
            "week": 104,
            "published": 0.2,
            "predicted": 0.3,
            "error_pp": 50.0,
            "published_diff": -0.5,
            "predicted_diff": 0.1,
        },
    ]
    s = summarise(rows)
    assert s["mae_pp"] == 7.5
    assert s["mae_diff_pp"] == 15.0
    assert (s["signs_correct"], s["signs_total"]) == (1, 2)
    assert s["by_endpoint"]["ARR"] == {"mae_pp": 50.0, "n": 1, "relative": True}
    assert s["by_endpoint"]["ACR20"] == {"mae_pp": 7.5, "n": 2}
