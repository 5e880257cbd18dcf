"""Twin math against analytic truth: known weights → known ESS, probabilities and intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from immunobalance.twin import (
    build_twin,
    jeffreys_interval,
    kish_ess,
    normalise_log_weights,
    temper_to_ess,
    weighted_probability,
    weighted_quantiles,
)
from immunobalance.twin._evidence import Evidence


def test_normalise_handles_huge_log_weights() -> None:
    w = normalise_log_weights([1000.0, 1000.0 + math.log(3.0), -np.inf])
    assert w.tolist() == pytest.approx([0.25, 0.75, 0.0])


def test_normalise_refuses_all_impossible() -> None:
    with pytest.raises(ValueError, match="no virtual patient"):
        normalise_log_weights([-np.inf, -np.inf])


@given(st.integers(1, 500))
def test_ess_of_equal_weights_is_n(n: int) -> None:
    assert kish_ess(np.full(n, 0.3)) == pytest.approx(n)


def test_ess_of_two_groups_matches_formula() -> None:
    # k particles with weight a and m with weight b: ESS = (ka + mb)^2 / (ka^2 + mb^2)
    w = np.r_[np.full(10, 3.0), np.full(30, 1.0)]
    assert kish_ess(w) == pytest.approx((30 + 30) ** 2 / (90 + 30))


def test_jeffreys_interval_is_the_beta_quantiles() -> None:
    lo, hi = jeffreys_interval(0.3, 80)
    assert lo == pytest.approx(stats.beta.ppf(0.025, 24.5, 56.5))
    assert hi == pytest.approx(stats.beta.ppf(0.975, 24.5, 56.5))
    assert jeffreys_interval(0.0, 10)[0] == 0.0
    assert jeffreys_interval(1.0, 10)[1] == 1.0


def test_weighted_probability_of_known_weights() -> None:
    # half the weight on responders, ESS from the weights
    y = np.array([1, 1, 0, 0, np.nan])
    w = np.array([0.1, 0.4, 0.25, 0.25, 5.0])  # the NaN patient is left out
    wp = weighted_probability(y, w)
    assert wp.probability == pytest.approx(0.5)
    assert wp.ess == pytest.approx(1 / (0.01 + 0.16 + 0.0625 + 0.0625))
    assert wp.ci95 == pytest.approx(jeffreys_interval(0.5, wp.ess))


def test_weighted_interval_covers_like_a_bootstrap() -> None:
    """The Jeffreys interval at n = ESS is close to a weighted bootstrap interval."""
    rng = np.random.default_rng(1)
    n = 2000
    y = (rng.random(n) < 0.4).astype(float)
    w = rng.gamma(2.0, size=n)
    wp = weighted_probability(y, w)
    p = w / w.sum()
    boots = [np.mean(y[rng.choice(n, size=round(wp.ess), p=p)]) for _ in range(2000)]
    lo, hi = np.quantile(boots, [0.025, 0.975])
    assert wp.ci95[0] == pytest.approx(lo, abs=0.02)
    assert wp.ci95[1] == pytest.approx(hi, abs=0.02)


def test_weighted_quantiles_with_equal_weights_is_the_median() -> None:
    x = np.arange(1.0, 102.0)[:, None]
    q = weighted_quantiles(x, np.ones(101), [0.5])
    assert q[0, 0] == pytest.approx(51.0)


def test_tempering_keeps_full_likelihood_when_ess_allows() -> None:
    ll = np.log(np.r_[np.full(50, 1.0), np.full(50, 0.5)])
    beta, w = temper_to_ess(ll, 10)
    assert beta == 1.0
    assert w[:50].sum() == pytest.approx(2 / 3)


def test_tempering_reaches_the_floor_for_a_sharp_likelihood() -> None:
    ll = -0.5 * (np.linspace(-10, 10, 1000) / 0.05) ** 2  # very sharp around 0
    beta, w = temper_to_ess(ll, 100)
    assert 0 < beta < 1
    assert kish_ess(w) >= 100
    assert kish_ess(w) == pytest.approx(100, rel=0.02)  # the largest β keeps it near the floor


@settings(max_examples=30, deadline=None)
@given(st.floats(0.1, 5.0), st.integers(5, 200))
def test_tempered_ess_never_below_floor(scale: float, floor: int) -> None:
    ll = -0.5 * (np.linspace(-3, 3, 400) / (0.01 * scale)) ** 2
    _, w = temper_to_ess(ll, floor)
    assert kish_ess(w) >= min(floor, 100) - 1e-6


def test_twin_with_no_evidence_is_the_population() -> None:
    twin = build_twin([], 40)
    assert twin.ess == pytest.approx(40)
    y = np.r_[np.ones(10), np.zeros(30)]
    assert twin.probability(y).probability == pytest.approx(0.25)
    assert twin.fallback is None


def test_twin_weights_follow_bayes_rule() -> None:
    """Two kinds of virtual patient; the observation is 4× likelier under kind A."""
    kind_a = np.r_[np.ones(20, bool), np.zeros(20, bool)]
    ll = np.where(kind_a, math.log(0.8), math.log(0.2))
    twin = build_twin([Evidence("RF", "RF positive", ll)], 40, ess_floor=5)
    # posterior share of kind A = 0.5·0.8 / (0.5·0.8 + 0.5·0.2) = 0.8
    assert twin.weights[kind_a].sum() == pytest.approx(0.8)
    outcome = kind_a.astype(float)  # kind A responds, kind B does not
    assert twin.probability(outcome).probability == pytest.approx(0.8)
    assert twin.population_probability(outcome).probability == pytest.approx(0.5)
    (inf,) = twin.influences(outcome)
    assert inf.group == "seropositivity"
    assert inf.delta == pytest.approx(0.3)


def test_twin_fallback_is_stated_and_widens_the_interval() -> None:
    x = np.linspace(-5, 5, 500)
    sharp = Evidence("CRP", "CRP 3 mg/L", -0.5 * (x / 0.01) ** 2)
    twin = build_twin([sharp], 500, ess_floor=60)
    assert twin.beta < 1 and twin.fallback and "tempered" in twin.fallback
    assert twin.ess >= 60
    outcome = (x > 0).astype(float)
    lo, hi = twin.probability(outcome).ci95
    full = build_twin([sharp], 500, ess_floor=1)
    lo1, hi1 = full.probability(outcome).ci95
    assert hi - lo < hi1 - lo1  # the tempered twin has more effective patients → narrower than
    # the collapsed one, which is the honest statement: the full likelihood leaves ~1 patient


def test_failed_virtual_patients_get_no_weight() -> None:
    ok = np.r_[np.ones(5, bool), np.zeros(5, bool)]
    twin = build_twin([], 10, ok=ok)
    assert twin.weights[~ok].sum() == 0
    assert twin.ess == pytest.approx(5)
