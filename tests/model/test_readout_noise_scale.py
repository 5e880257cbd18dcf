"""``noise_scale``: one disease-level multiplier of every read-out's visit-to-visit noise.

Checked against the distributions it must produce: the draws are the unit draws times the scale,
and the log-normal and count helpers keep their mean (the −σ²/2 correction uses the scaled σ).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from immunobalance.model import get_disease_module
from immunobalance.model.diseases.base import ReadoutContext

N = 40_000


def _ctx(noise: float | None) -> ReadoutContext:
    module = get_disease_module("rheumatoid_arthritis")
    over = {} if noise is None else {"noise_scale": noise}
    params = module.sample_parameters(N, seed=11, overrides=over)
    return ReadoutContext(
        times_week=np.array([0.0, 4.0]),
        states={},
        signals={},
        params=params,
        seed=11,
        patient_index=np.arange(N, dtype=np.int64),
    )


def test_every_disease_declares_noise_scale_one():
    """The declared scale is 1, so an uncalibrated model keeps each item's own SD."""
    from immunobalance.model.diseases import DISEASE_MODULES

    for key in DISEASE_MODULES:
        p = next(p for p in get_disease_module(key).all_parameters if p.name == "noise_scale")
        assert p.value == 1.0 and p.prior.kind == "fixed"


def test_normal_draws_are_the_unit_draws_times_the_scale():
    unit, doubled = _ctx(1.0).normal("X"), _ctx(2.0).normal("X")
    np.testing.assert_allclose(doubled, 2.0 * unit, rtol=0, atol=0)
    assert float(np.std(doubled)) == pytest.approx(2.0, rel=0.02)


@pytest.mark.parametrize("noise", [1.0, 2.5])
def test_lognormal_keeps_its_mean_and_scales_its_log_sd(noise: float):
    ctx = _ctx(noise)
    mean = np.full((N, 2), 7.0)
    x = ctx.lognormal("CRP", mean, 0.3)
    assert float(x.mean()) == pytest.approx(7.0, rel=0.02 * noise)
    sigma = math.sqrt(math.log1p(0.3**2)) * noise
    assert float(np.log(x).std()) == pytest.approx(sigma, rel=0.02)


def test_count_keeps_its_mean_under_a_larger_scale():
    """E[m·exp(σZ − σ²/2)] = m for every σ, so a wider count stays centred (rounding aside)."""
    ctx = _ctx(2.0)
    x = ctx.count("TJC", np.full((N, 2), 12.0), 0.2, 68)
    assert float(x.mean()) == pytest.approx(12.0, rel=0.02)
