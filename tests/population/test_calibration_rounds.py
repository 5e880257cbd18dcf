"""Refitting stages 1 and 2 on top of an earlier fit (``calibrate --rounds``, ``--structure-from``).

A later round starts from a calibration that already holds a placebo model and multipliers.
These tests check that neither is counted twice: a placebo refit on its own result lands
where it started, and a stage-2 increment multiplies the multipliers it was simulated with.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from immunobalance.knowledge import load_knowledge_base
from immunobalance.population import Calibration, load_calibration
from immunobalance.population._calibration import DiseaseCalibration
from immunobalance.population._fit import (
    fit_calibration,
    fit_pathway_multipliers,
    structure_of,
    without_placebo_fit,
)
from immunobalance.population._rows import calibration_rows, rows_by_trial

#: Crohn's disease has one short calibration trial (UNITI-1, week 6): the cheapest full stage.
DISEASE = "crohns_disease"


def _structure() -> Calibration:
    return structure_of(load_calibration(), [DISEASE])


def test_structure_of_keeps_stage_0_and_drops_stages_1_and_2():
    cal = load_calibration()
    packaged = cal.for_disease("rheumatoid_arthritis")
    base = structure_of(cal, ["rheumatoid_arthritis"]).for_disease("rheumatoid_arthritis")
    assert packaged.trial_effects and packaged.pathway_multipliers  # something to drop
    assert base.trial_effects == {} and base.pathway_multipliers == {}
    assert base.placebo_between_trial_sd == 0.0
    assert base.typical == {
        k: v for k, v in packaged.typical.items() if not k.startswith("placebo_")
    }
    assert (base.pathway_cv, base.spread) == (packaged.pathway_cv, packaged.spread)
    lines = structure_of(cal, ["rheumatoid_arthritis"]).meta["parameters"]
    names = {p["parameter"] for p in lines}
    assert "pathway_cv" in names and "typical.K_act" in names
    assert not any(n.startswith(("pathway_multipliers.", "typical.placebo")) for n in names)
    assert {p["disease"] for p in lines} == {"rheumatoid_arthritis"}


def test_placebo_refit_on_its_own_result_is_a_fixed_point():
    """Stage 1 measures δ̂ from the declared placebo prior: refitting on a calibration that
    already holds fitted typical placebo values must give them again (not shift them twice)."""
    first = fit_calibration(diseases=[DISEASE], n_per_arm=100, seed=11, base=_structure())
    again = fit_calibration(diseases=[DISEASE], n_per_arm=100, seed=11, base=first)
    a, b = first.for_disease(DISEASE), again.for_disease(DISEASE)
    assert set(a.typical) >= {"placebo_subjective", "placebo_objective"}
    for name in ("placebo_subjective", "placebo_objective"):
        assert b.typical[name] == pytest.approx(a.typical[name], rel=1e-9)
    assert b.trial_effects == a.trial_effects
    assert without_placebo_fit(again).for_disease(DISEASE).typical == {
        k: v for k, v in a.typical.items() if not k.startswith("placebo_")
    }


def test_a_stage2_increment_multiplies_the_previous_multipliers():
    """Round k simulates the cohort with round k−1's multipliers and fits ``b`` on top: the
    stored multiplier is m·e^b (a pathway reweighted twice by ×2 is at ×4, not ×2)."""
    import numpy as np

    from immunobalance.population._fit import log_multipliers, total_multipliers

    pathways = ("tnf", "il6", "il17")
    previous = {"tnf": 2.0, "il6": 0.5}
    np.testing.assert_allclose(
        log_multipliers(previous, pathways), [math.log(2.0), math.log(0.5), 0.0]
    )
    b = np.array([math.log(2.0), math.log(2.0), 0.0])
    assert total_multipliers(previous, pathways, b) == {"tnf": 4.0}  # il6 back to 1: dropped
    assert total_multipliers({}, pathways, b) == {"tnf": 2.0, "il6": 2.0}


def test_a_second_stage2_keeps_the_total_within_the_bounds():
    """The second round's bounds and prior apply to the total log multiplier: whatever the
    first round found, the stored multipliers stay within e^±1.5, and the calibration's meta
    keeps one line per multiplier, not one per round. (Not a fixed point: the first round's
    step is limited by the effective-sample-size floor, so the second one goes further.)"""
    placebo = fit_calibration(diseases=[DISEASE], n_per_arm=100, seed=11, base=_structure())
    first = fit_pathway_multipliers(placebo, n_per_arm=150, seed=11, diseases=[DISEASE])
    m1 = first.for_disease(DISEASE).pathway_multipliers
    assert max(abs(math.log(v)) for v in m1.values()) > 0.3  # the first round moved them
    # UNITI-1's arms give ustekinumab alone: only the pathways it acts on may move
    targeted = {a.process for a in load_knowledge_base().agent("ustekinumab").actions}
    assert set(m1) <= targeted
    second = fit_pathway_multipliers(first, n_per_arm=150, seed=11, diseases=[DISEASE])
    m2 = second.for_disease(DISEASE).pathway_multipliers
    assert m2 != m1
    assert all(abs(math.log(v)) <= 1.5 + 1e-3 for v in m2.values())
    lines = [p["parameter"] for p in second.meta["parameters"] if p["disease"] == DISEASE]
    assert len(lines) == len(set(lines))
    assert sum(n.startswith("pathway_multipliers.") for n in lines) == len(m2)


def test_rounds_must_be_positive():
    from immunobalance.population._fit import fit_placebo_and_multipliers

    with pytest.raises(ValueError, match="rounds"):
        fit_placebo_and_multipliers(
            Calibration("x", {DISEASE: DiseaseCalibration()}), rounds=0, diseases=[DISEASE]
        )


def test_without_placebo_fit_leaves_the_structure():
    dc = DiseaseCalibration(
        typical={"K_act": 0.5, "placebo_subjective": 0.4, "placebo_objective": 0.2},
        pathway_multipliers={"tnf": 1.5},
        placebo_between_trial_sd=0.7,
        trial_effects={"T": 0.3},
        pathway_cv=2.0,
    )
    out = without_placebo_fit(Calibration("v9", {"d": dc})).for_disease("d")
    assert out == dataclasses.replace(
        dc, typical={"K_act": 0.5}, placebo_between_trial_sd=0.0, trial_effects={}
    )


def test_active_comparator_trials_are_told_apart_from_placebo_controlled_ones():
    """From the trial designs: TEMPO randomised methotrexate against etanercept alone, the
    etanercept + anakinra trial added anakinra to etanercept; ARMADA and BLISS-LN gave placebo on
    top of background therapy every arm shares."""
    from immunobalance.population._fit import _placebo_controlled

    by_trial = rows_by_trial(calibration_rows())
    assert not _placebo_controlled(by_trial["TEMPO"])
    assert not _placebo_controlled(by_trial["ETN+ANK"])
    assert _placebo_controlled(by_trial["ARMADA"])
    assert _placebo_controlled(by_trial["BLISS-LN"])
    assert _placebo_controlled(by_trial["ERASURE"])


def test_active_comparator_trials_keep_their_effect_but_not_the_disease_mean():
    """δ̄ and τ come from placebo-controlled trials; an active-comparator trial's δ̂ still gives
    its own trial effect, measured from that mean."""
    from scipy import special

    from immunobalance.model import get_disease_module
    from immunobalance.population._fit import TrialEstimate, aggregate_trial_effects

    est = {
        "rheumatoid_arthritis": {
            "A": TrialEstimate(1.0, 0.2, True),
            "B": TrialEstimate(2.0, 0.2, True),
            "C": TrialEstimate(0.0, 0.2, True),
            "T": TrialEstimate(4.0, 0.6, False),
        }
    }
    rows = {"rheumatoid_arthritis": ["A / p / ACR20@24", "T / m / ACR20@52"]}
    cal = aggregate_trial_effects(est, rows, n_per_arm=10, seed=1)
    dc = cal.for_disease("rheumatoid_arthritis")
    module = get_disease_module("rheumatoid_arthritis")
    p0 = next(p.value for p in module.all_parameters if p.name == "placebo_subjective")
    assert dc.typical["placebo_subjective"] == pytest.approx(
        float(special.expit(special.logit(p0) + 1.0)), abs=1e-5
    )
    assert dc.placebo_between_trial_sd == pytest.approx(1.0, abs=1e-4)  # SD of (0, 1, -1)
    assert 2.9 < dc.trial_effects["T"] < 3.0  # (4 - 1) shrunk by τ²/(τ² + s²) ≈ 0.97
    line = next(p for p in cal.meta["parameters"] if p["parameter"] == "typical.placebo_subjective")
    assert line["rows"] == ["A / p / ACR20@24"]
