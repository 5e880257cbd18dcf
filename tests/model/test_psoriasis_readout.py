"""Psoriasis read-out: PASI items follow plaque inflammation, and regions clear.

The checks are the properties the measurement model claims, scored with the same PASI code as
real patients (``immunobalance.indices.pasi_from_components``): at the untreated state every
region is involved; below every region's clearance level the patient is clear (PASI 0, so PASI
100 is reachable); between, regions clear one by one; and the sign scores fall in proportion
to the inflammation.
"""

from __future__ import annotations

import numpy as np
import pytest

from immunobalance.indices import pasi_from_components
from immunobalance.model import get_disease_module
from immunobalance.model.diseases.base import ReadoutContext
from immunobalance.model.diseases.psoriasis import REGIONS

N = 4000
#: The region factor on ``pso_clear`` lies in [e^-0.5, e^0.5] (module docstring).
LOW, HIGH = np.exp(-0.5), np.exp(0.5)


def _readouts(inflammation: float, **overrides: float) -> dict[str, np.ndarray]:
    module = get_disease_module("psoriasis")
    over = {"placebo_objective": 0.0, "pso_item_sd": 0.0, **overrides}
    params = module.sample_parameters(N, seed=5, overrides=over)
    ctx = ReadoutContext(
        times_week=np.array([0.0, 12.0]),
        states={"I": np.full((N, 2), inflammation)},
        signals={},
        params=params,
        seed=5,
        patient_index=np.arange(N, dtype=np.int64),
    )
    return module.readouts(ctx)


def test_every_region_is_involved_at_the_untreated_state() -> None:
    out = _readouts(1.0)
    for r in REGIONS:
        assert (out[f"PASI_{r}_A"][:, 1] > 0).all()
    assert (pasi_from_components({k: v[:, 1] for k, v in out.items()}) > 0).all()


def test_below_every_regions_clearance_level_the_patient_is_clear() -> None:
    clear = 0.1
    out = _readouts(0.99 * clear * LOW, pso_clear=clear)
    score = pasi_from_components({k: v[:, 1] for k, v in out.items()})
    np.testing.assert_array_equal(score, 0.0)


def test_regions_clear_one_by_one_between_the_clearance_levels() -> None:
    clear = 0.2
    out = _readouts(clear, pso_clear=clear)
    involved = np.stack([out[f"PASI_{r}_A"][:, 1] > 0 for r in REGIONS], axis=1).sum(axis=1)
    # each region's level is clear·e^(u−0.5), u uniform: half of them lie below I = clear
    assert set(np.unique(involved)) == {0, 1, 2, 3, 4}
    assert involved.mean() == pytest.approx(2.0, abs=0.1)
    # above the highest level nothing has cleared
    out_high = _readouts(1.01 * clear * HIGH, pso_clear=clear)
    assert all((out_high[f"PASI_{r}_A"][:, 1] > 0).all() for r in REGIONS)


def test_sign_scores_fall_in_proportion_to_the_inflammation() -> None:
    severity = 2.8
    full = _readouts(1.0, pso_severity=severity)
    half = _readouts(0.5, pso_severity=severity)
    # without visit noise the score is the rounded mean, pso_severity × I
    assert np.unique(full["PASI_T_I"][:, 1]).tolist() == [round(severity)]
    assert np.unique(half["PASI_T_I"][:, 1]).tolist() == [round(0.5 * severity)]
