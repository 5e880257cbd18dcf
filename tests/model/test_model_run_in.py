"""Established background therapy (run-in before randomisation)."""

from __future__ import annotations

import numpy as np
import pytest

from immunobalance.knowledge import load_knowledge_base
from immunobalance.model import get_disease_module, simulate
from immunobalance.model.run_in import (
    established_background,
    established_first,
    simulate_with_run_in,
)
from immunobalance.regimen import parse_regimen

MTX = {"agent": "methotrexate", "dose": "15 mg", "route": "oral", "every": "1 week"}
ADA = {"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"}


@pytest.fixture(scope="module")
def ra():
    module = get_disease_module("rheumatoid_arthritis")
    return module, module.sample_parameters(24, seed=3)


def test_no_established_agent_is_plain_simulation(ra) -> None:
    module, params = ra
    regimen = parse_regimen([ADA])
    a = simulate(module, params, regimen, 12, seed=5)
    b = simulate_with_run_in(
        module, params, regimen, 12, established={"methotrexate"}, run_in_weeks=24, seed=5
    )
    np.testing.assert_array_equal(a.states["I"], b.states["I"])
    np.testing.assert_array_equal(a.readouts["TJC28"], b.readouts["TJC28"])


def test_entry_readouts_are_the_sampled_baseline(ra) -> None:
    """Re-referencing makes week-0 read-outs those of the untreated-equilibrium sampling."""
    module, params = ra
    untreated = simulate(module, params, [], 4, seed=5)
    on_mtx = simulate_with_run_in(
        module,
        params,
        parse_regimen([MTX]),
        4,
        established={"methotrexate"},
        run_in_weeks=24,
        seed=5,
    )
    for key in ("TJC28", "SJC28", "CRP", "ESR", "HAQ_DI", "PTGA"):
        np.testing.assert_allclose(on_mtx.readouts[key][:, 0], untreated.readouts[key][:, 0])
    np.testing.assert_allclose(on_mtx.states["I"][:, 0], 1.0)


def test_established_drug_is_not_counted_as_trial_response(ra) -> None:
    """Starting MTX at week 0 lowers inflammation over the trial more than continuing it does,
    and a continued MTX enters the trial with its polyglutamate effect site already at steady
    state (a new start builds it over weeks, t½ 5 weeks)."""
    module, params = ra
    regimen = parse_regimen([MTX])
    started = simulate(module, params, regimen, 24, seed=5)
    continued = simulate_with_run_in(
        module, params, regimen, 24, established={"methotrexate"}, run_in_weeks=52, seed=5
    )
    fall_started = 1.0 - started.states["I"][:, -1]
    fall_continued = 1.0 - continued.states["I"][:, -1]
    assert np.median(fall_started) > 0.05
    # patients near the tolerance switch keep drifting slowly on a long-standing drug, so the
    # continued fall is not zero — but it is smaller than the fall of a new start, and the
    # fast start-of-therapy response of the first weeks is gone
    assert np.mean(fall_continued) < np.mean(fall_started)
    # effect-site exposure at randomisation: none for a new start; for the established drug,
    # 52 weeks of accumulation. Both pre-dose samples (week 0 of the continued arm, week 24 of
    # the new start) sit at the same phase of the weekly ripple, so their ratio is the ratio of
    # the accumulated fractions 1 − 2^(−t/5 weeks) (same patients, same PK draws)
    assert np.all(started.effect_site["methotrexate"][:, 0] == 0.0)
    entry = continued.effect_site["methotrexate"][:, 0]
    after_24 = started.effect_site["methotrexate"][:, -1]
    expected = after_24 * (1.0 - 0.5 ** (52 / 5)) / (1.0 - 0.5 ** (24 / 5))
    np.testing.assert_allclose(entry, expected, rtol=0.01)


def test_add_on_starts_at_randomisation(ra) -> None:
    module, params = ra
    res = simulate_with_run_in(
        module,
        params,
        parse_regimen([MTX, ADA]),
        12,
        established={"methotrexate"},
        run_in_weeks=24,
        seed=5,
    )
    assert np.all(res.concentrations["adalimumab"][:, 0] == 0.0)
    assert np.all(res.concentrations["adalimumab"][:, -1] > 0.0)
    assert np.all(res.concentrations["methotrexate"][:, 0] >= 0.0)
    assert res.times_week[0] == 0.0


def test_shifted_schedule() -> None:
    items = parse_regimen(
        [MTX, {"agent": "adalimumab", "dose": "40 mg", "route": "sc", "at_weeks": [0, 2]}]
    )
    shifted = established_first(items, {"methotrexate"}, 10.0)
    assert shifted[0] == items[0]
    assert shifted[1].at_weeks == (10.0, 12.0)


def test_background_is_what_every_arm_continues() -> None:
    kb = load_knowledge_base()
    mtx_ir = kb.population("rheumatoid_arthritis", "mtx_ir")
    both = [parse_regimen([MTX]), parse_regimen([MTX, ADA])]
    agents, weeks = established_background(mtx_ir, both)
    assert agents == {"methotrexate"}
    assert weeks == mtx_ir.background_run_in_weeks.value  # type: ignore[union-attr]
    # an arm without MTX: MTX is randomised, not background (TEMPO design)
    assert established_background(mtx_ir, [parse_regimen([MTX]), parse_regimen([ADA])]) == (
        frozenset(),
        0.0,
    )
    naive = kb.population("rheumatoid_arthritis", "mtx_naive")
    assert established_background(naive, both) == (frozenset(), 0.0)
