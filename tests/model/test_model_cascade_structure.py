"""Structural checks of the cytokine cascade and the measurement model (issue 5).

Independent truths used: the ESR link's analytic limits (linear for small rises, bounded by
floor + span; Bedell SE, Bush BT. Am J Med 1985;78:1001-9), the algebra of a weighted geometric
mean (1 when every signal is 1; a fully blocked pathway of weight w scales it by floor^w), and
the documented necessity of IL-17 for plaque psoriasis (Lowes MA et al. Annu Rev Immunol
2014;32:227-55): blocking it must lower plaque inflammation by more than the pathway's own
weight would under an additive model.
"""

from __future__ import annotations

import numpy as np

from immunobalance.model import get_disease_module, simulate
from immunobalance.model.diseases.rheumatoid_arthritis import esr_saturating
from immunobalance.regimen import parse_regimen


def test_esr_link_is_linear_when_small_and_bounded_when_large() -> None:
    floor, span = np.array([10.0]), np.array([140.0])
    small = esr_saturating(floor, np.array([1.0]), span)
    assert abs(small[0] - (10.0 + 1.0 / (1.0 + 1.0 / 140.0))) < 1e-12
    huge = esr_saturating(floor, np.array([1e6]), span)
    assert 149.0 < huge[0] <= 150.0
    rises = np.linspace(0.0, 1000.0, 50)
    assert np.all(np.diff(esr_saturating(floor, rises, span)) > 0)


def test_untreated_patients_stay_at_their_baseline() -> None:
    module = get_disease_module("psoriasis")
    params = module.sample_parameters(5, seed=3)
    res = simulate(module, params, [], 8.0, sample_weeks=np.array([0.0, 8.0]), seed=3)
    np.testing.assert_allclose(res.signals["drive"], 1.0, rtol=1e-9)
    np.testing.assert_allclose(res.states["I"][:, -1], 1.0, rtol=1e-7)


def test_il17_blockade_collapses_plaque_inflammation_beyond_its_weight() -> None:
    module = get_disease_module("psoriasis")
    params = module.typical_parameters(1)
    w_il17 = float(params["w_il17"][0])
    reg = parse_regimen(
        [{"agent": "secukinumab", "dose": "300 mg", "route": "sc", "at_weeks": [0, 1, 2, 3, 4, 8]}]
    )
    res = simulate(module, params, reg, 12.0, sample_weeks=np.array([12.0]), seed=1)
    assert res.states["I"][0, -1] < 0.5 * (1.0 - w_il17)
