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
    from immunobalance.model import get_disease_module

    for disease, dc in cal.diseases.items():
        declared = {p.name: p for p in get_disease_module(disease).all_parameters}
        for name, value in dc.typical.items():
            assert not any(w in name for w in ("potency", "ec50", "clearance", "half_life"))
            assert name in declared, f"{disease}: {name} is not a model parameter"
            assert declared[name].low <= value <= declared[name].high, (disease, name, value)
        assert dc.placebo_between_trial_sd >= 0
        assert dc.pathway_cv is None or dc.pathway_cv > 0


def test_agent_level_parameters_are_rejected():
    bad = {"version": "v9", "diseases": {"psoriasis": {"typical": {"secukinumab_potency": 2.0}}}}
    with pytest.raises(CalibrationError, match="secukinumab_potency"):
        Calibration.from_json(bad)


def test_agent_level_spread_is_rejected():
    bad = {"version": "v9", "diseases": {"psoriasis": {"spread": {"ustekinumab_ec50": 0.5}}}}
    with pytest.raises(CalibrationError, match="ustekinumab_ec50"):
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
                    "pathway_cv": 1.5,
                    "spread": {"K_act": 0.25},
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


def test_calibration_document_sets_the_typical_level_beside_the_fitted_one():
    """The held-out section: both summaries, and per trial the mean absolute difference error
    over proportion endpoints only (the ARR difference is relative and stays out)."""
    from immunobalance.population._report import calibration_markdown

    def row(trial, endpoint, published, predicted, pub_d, pred_d):
        return {
            "trial": trial,
            "arm": "a",
            "endpoint": endpoint,
            "week": 24,
            "published": published,
            "predicted": predicted,
            "error_pp": 100 * (predicted - published),
            "published_diff": pub_d,
            "predicted_diff": pred_d,
        }

    fitted_rows = [row("T", "ACR20", 0.6, 0.58, 0.4, 0.38)]
    typical_rows = [
        row("T", "ACR20", 0.6, 0.5, 0.4, 0.3),
        row("T", "ACR50", 0.4, 0.36, 0.3, 0.24),
        row("M", "ARR", 0.2, 0.3, -0.5, 0.1),
    ]
    fitted = {"rows": fitted_rows, "summary": summarise(fitted_rows)}
    typical = {"rows": typical_rows, "summary": summarise(typical_rows)}
    text = calibration_markdown(
        load_calibration(), fitted, n_per_arm=10, seed=1, at_typical=typical
    )
    assert "### At the typical placebo level" in text
    assert "| difference MAE | 2.0 pp | 8.0 pp |" in text
    assert "| T | 2 | 8.0 pp |" in text
    assert "| M |" not in text
    assert "At the typical" not in calibration_markdown(
        load_calibration(), fitted, n_per_arm=10, seed=1
    )


def test_structure_score_is_squared_errors_of_rows_and_differences():
    """S = Σ err² + Σ (pred diff − pub diff)², relative rows weighted by 1/4 (by hand)."""
    from immunobalance.population._fit_structure import score_rows

    rows = [
        {
            "endpoint": "ACR20",
            "published": 0.2,
            "error_pp": 5.0,
            "published_diff": None,
            "predicted_diff": None,
        },
        {
            "endpoint": "ACR20",
            "published": 0.6,
            "error_pp": -10.0,
            "published_diff": 0.4,
            "predicted_diff": 0.25,
        },
        {
            "endpoint": "ARR",
            "published": 0.5,
            "error_pp": 20.0,
            "published_diff": -0.2,
            "predicted_diff": -0.3,
        },
    ]
    by_hand = 25.0 + 100.0 + 15.0**2 + 0.25 * (400.0 + (100 * -0.1 / 0.5) ** 2)
    assert score_rows(rows) == pytest.approx(by_hand)


def test_pathway_cv_sets_the_spread_of_pathway_weights():
    """A calibrated pathway_cv widens the between-patient spread of the pathway weights."""
    import numpy as np

    from immunobalance.model import get_disease_module
    from immunobalance.population._calibration import DiseaseCalibration
    from immunobalance.population._virtual import candidate_parameters

    module = get_disease_module("rheumatoid_arthritis")
    cand = np.arange(4000, dtype=np.int64)
    spread = []
    for cv in (0.5, 2.0):
        ps, _ = candidate_parameters(module, cand, 7, DiseaseCalibration(pathway_cv=cv))
        spread.append(float(np.std(np.log(ps["w_tnf"]))))
    assert spread[1] > 1.8 * spread[0]


def test_calibration_improves_on_the_priors_for_its_rows():
    """The fitted population predicts its own calibration rows better than the declared priors
    (psoriasis: three trials, quick). A fit that made things worse would fail here."""
    from immunobalance.population._validate import validate_calibration

    trials = ["Leonardi 2003", "PHOENIX 1", "ERASURE"]
    fitted = validate_calibration(load_calibration(), n_per_arm=120, seed=5, trials=trials)
    priors = validate_calibration(Calibration.uncalibrated(), n_per_arm=120, seed=5, trials=trials)
    assert fitted["summary"]["mae_pp"] < priors["summary"]["mae_pp"]


def test_spread_replaces_the_declared_prior_spread():
    """``spread.K_act`` is the between-patient CV of K_act: the declared CV reproduces the
    prior draw exactly, and a larger one widens the log-spread by about the ratio of the σs."""
    import math

    import numpy as np

    from immunobalance.model import get_disease_module
    from immunobalance.population._calibration import DiseaseCalibration
    from immunobalance.population._virtual import candidate_parameters

    module = get_disease_module("rheumatoid_arthritis")
    declared = next(p for p in module.all_parameters if p.name == "K_act")
    assert declared.prior.kind == "lognormal" and declared.prior.cv is not None
    cand = np.arange(6000, dtype=np.int64)
    prior, _ = candidate_parameters(module, cand, 3, DiseaseCalibration())
    same, _ = candidate_parameters(
        module, cand, 3, DiseaseCalibration(spread={"K_act": declared.prior.cv})
    )
    np.testing.assert_allclose(same["K_act"], prior["K_act"], rtol=1e-12)
    wide, _ = candidate_parameters(module, cand, 3, DiseaseCalibration(spread={"K_act": 0.2}))
    ratio = float(np.std(np.log(wide["K_act"])) / np.std(np.log(prior["K_act"])))
    expected = math.sqrt(math.log1p(0.2**2)) / math.sqrt(math.log1p(declared.prior.cv**2))
    assert ratio == pytest.approx(expected, rel=0.1)  # truncation at 0.3–0.9 trims a little
    assert np.median(wide["K_act"]) == pytest.approx(declared.value, rel=0.02)


def test_structures_without_stable_patients_are_not_chosen():
    """A grid point under which few prior candidates are stable sick equilibria loses to any
    admissible point, whatever its score; psoriasis with the declared IL-17 necessity
    (``g_kc_il17`` 0.35) at K_act 0.8 is such a point (its loop gain exceeds 1 at the untreated
    state), at K_act 0.4 it is admissible."""
    import dataclasses

    from immunobalance.population._fit_structure import (
        MIN_STABLE_SHARE,
        StructurePoint,
        rank,
        stable_share,
    )

    base = load_calibration()

    def share(k_act: float) -> float:
        dcal = base.for_disease("psoriasis")
        typical = {**dcal.typical, "K_act": k_act, "g_kc_il17": 0.35}
        dcal = dataclasses.replace(dcal, typical=typical)
        return stable_share("psoriasis", Calibration("x", {"psoriasis": dcal}), 20261121)

    low, high = share(0.4), share(0.8)
    assert high < MIN_STABLE_SHARE <= low
    good = StructurePoint(1.0, 0.4, 900.0, None, 9.0, base, stable_share=low)
    artefact = StructurePoint(1.0, 0.8, 100.0, None, 5.0, base, stable_share=high)
    assert min([artefact, good], key=rank) is good
    assert min([artefact], key=rank) is artefact  # chosen only when nothing is admissible


def test_packaged_calibration_covers_every_disease_with_rows():
    """The latest file is the whole population layer: a disease with rows is never missing."""
    if latest_calibration_version() is None:
        pytest.skip("no calibration shipped yet")
    with_rows = {r.disease for r in calibration_rows()}
    assert with_rows <= set(load_calibration().diseases)


def test_a_partial_refit_keeps_the_other_diseases():
    from immunobalance.population._calibration import DiseaseCalibration
    from immunobalance.population._fit import merge_calibration

    ra_old = DiseaseCalibration(typical={"K_act": 0.5})
    pso_old, pso_new = (
        DiseaseCalibration(typical={"K_act": 0.6}),
        DiseaseCalibration(typical={"K_act": 0.4}),
    )
    previous = Calibration(
        "v3",
        {"rheumatoid_arthritis": ra_old, "psoriasis": pso_old},
        {
            "parameters": [
                {"disease": "rheumatoid_arthritis", "parameter": "typical.K_act"},
                {"disease": "psoriasis", "parameter": "typical.K_act"},
            ],
            "fit": {"constrains": {"rheumatoid_arthritis": ["a"], "psoriasis": ["b"]}},
        },
    )
    refit = Calibration(
        "v4",
        {"psoriasis": pso_new},
        {
            "parameters": [{"disease": "psoriasis", "parameter": "typical.K_act", "new": True}],
            "fit": {"constrains": {"psoriasis": ["c"]}},
        },
    )
    merged = merge_calibration(previous, refit)
    assert merged.version == "v4"
    assert merged.diseases == {"rheumatoid_arthritis": ra_old, "psoriasis": pso_new}
    assert [p["disease"] for p in merged.meta["parameters"]] == [
        "rheumatoid_arthritis",
        "psoriasis",
    ]
    assert merged.meta["parameters"][1].get("new") is True
    assert merged.meta["fit"]["constrains"] == {"rheumatoid_arthritis": ["a"], "psoriasis": ["c"]}
    assert merged.meta["refitted"] == {"diseases": ["psoriasis"], "others_from": "v3"}


def test_a_wider_relapse_propensity_spread_keeps_the_population_mean():
    """Stage 0 widens MS relapse propensity at a fixed mean: sampled through the real
    parameter sampler, the mean of arr0 must not move (lognormal mean = median·√(1 + CV²))
    while its spread does."""
    import numpy as np

    from immunobalance.model import get_disease_module
    from immunobalance.population._calibration import DiseaseCalibration
    from immunobalance.population._fit_structure import median_at_fixed_mean
    from immunobalance.population._virtual import calibrated_typical_values

    module = get_disease_module("multiple_sclerosis")
    cand = np.arange(40_000)
    declared = DiseaseCalibration(typical={"arr0": 0.6})
    wide = DiseaseCalibration(
        typical={"arr0": median_at_fixed_mean(0.6, 0.5, 1.1)}, spread={"arr0": 1.1}
    )
    a = calibrated_typical_values(module, cand, 3, declared, only=("arr0",))["arr0"]
    b = calibrated_typical_values(module, cand, 3, wide, only=("arr0",))["arr0"]
    assert np.mean(b) == pytest.approx(np.mean(a), rel=0.03)
    assert np.std(b) / np.mean(b) == pytest.approx(1.1, rel=0.1)
    assert np.std(a) / np.mean(a) == pytest.approx(0.5, rel=0.1)
