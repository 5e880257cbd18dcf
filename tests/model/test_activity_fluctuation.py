"""Shared visit fluctuation of disease activity (ulcerative colitis, Crohn's disease).

Checked against the distributions it must produce: the factor is log-normal with mean 1 and the
declared CV whatever the visit noise scale, independent between visits, and it moves every Mayo
item of a visit together (items share it, so they correlate beyond what independent item noise
gives).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from immunobalance.model import get_disease_module
from immunobalance.model.diseases.base import ReadoutContext

N = 40_000


def _ctx(disease: str, overrides: dict[str, float], weeks: list[float]) -> ReadoutContext:
    module = get_disease_module(disease)
    params = module.sample_parameters(N, seed=5, overrides=overrides)
    return ReadoutContext(
        times_week=np.array(weeks),
        states={"I": np.ones((N, len(weeks)))},
        signals={"il6": np.ones((N, len(weeks)))},
        params=params,
        seed=5,
        patient_index=np.arange(N, dtype=np.int64),
    )


@pytest.mark.parametrize("cv", [0.2, 0.6])
@pytest.mark.parametrize("noise", [1.0, 3.0])
def test_fluctuation_is_lognormal_with_mean_one_and_the_declared_cv(cv: float, noise: float):
    ctx = _ctx("ulcerative_colitis", {"noise_scale": noise}, [0.0, 8.0])
    f = ctx.activity_fluctuation(np.full((N, 1), cv))
    assert float(f.mean()) == pytest.approx(1.0, abs=0.01)
    assert float(f.std() / f.mean()) == pytest.approx(cv, rel=0.03)
    assert float(np.log(f).std()) == pytest.approx(math.sqrt(math.log1p(cv**2)), rel=0.02)


def test_fluctuation_is_independent_between_visits_and_zero_cv_is_none():
    ctx = _ctx("ulcerative_colitis", {}, [0.0, 8.0])
    f = ctx.activity_fluctuation(np.full((N, 1), 0.5))
    assert abs(float(np.corrcoef(np.log(f[:, 0]), np.log(f[:, 1]))[0, 1])) < 0.02
    np.testing.assert_array_equal(ctx.activity_fluctuation(np.zeros((N, 1))), np.ones((N, 2)))


def _mayo_item_correlation(cv: float) -> float:
    module = get_disease_module("ulcerative_colitis")
    over = {
        "activity_visit_cv": cv,
        "placebo_subjective": 0.0,
        "placebo_objective": 0.0,
    }
    items = module.readouts(_ctx("ulcerative_colitis", over, [0.0]))
    return float(stats.spearmanr(items["MAYO_STOOL"][:, 0], items["MAYO_ENDO"][:, 0])[0])


def test_mayo_items_of_a_visit_move_together_through_the_fluctuation():
    """Item noise is independent per item; the shared factor is what correlates them."""
    without, with_ = _mayo_item_correlation(0.0), _mayo_item_correlation(0.5)
    assert abs(without) < 0.2
    assert with_ > without + 0.1
