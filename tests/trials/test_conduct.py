"""Trial conduct: AE hazards from label fractions, accumulation in combinations, early escape."""

from __future__ import annotations

import math

import numpy as np
import pytest

from immunobalance.errors import InvalidInputError
from immunobalance.knowledge import load_knowledge_base
from immunobalance.regimen import parse_regimen
from immunobalance.trials.conduct import (
    RA_EARLY_ESCAPE,
    TrialConduct,
    arm_ae_hazard_per_week,
    background_agents,
    discontinuation,
)

ADA = {"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"}
UPA = {"agent": "upadacitinib", "dose": "15 mg", "route": "oral", "every": "24 hours"}
MTX = {"agent": "methotrexate", "dose": "15 mg", "route": "oral", "every": "1 week"}
CONDUCT = TrialConduct(other_dropout_per_year=0.0, discontinue_on_serious_infection=0.0)


def _lam(p: float, weeks: float = 26.0) -> float:
    return -math.log(1 - p) / weeks


def test_placebo_hazard_reproduces_the_label_fraction_over_the_reference_period() -> None:
    background = background_agents("rheumatoid_arthritis", "mtx_ir")
    assert "methotrexate" in background
    lam = arm_ae_hazard_per_week(parse_regimen([MTX]), background, CONDUCT)
    assert lam == pytest.approx(_lam(0.03))
    n = 40_000
    idx = np.arange(n)
    week, reason = discontinuation(
        conduct=CONDUCT,
        ae_hazard_per_week=lam,
        first_serious_infection_week=np.full(n, np.inf),
        readouts={},
        times_week=np.array([0.0, 26.0]),
        horizon_weeks=26.0,
        seed=3,
        patient_index=idx,
    )
    stopped = np.isfinite(week)
    # binomial: 3 % of 40 000 ± 4 SD
    assert abs(stopped.mean() - 0.03) < 4 * math.sqrt(0.03 * 0.97 / n)
    assert set(reason[stopped].tolist()) == {0}


def test_combination_arms_accumulate_excess_hazards_from_the_knowledge_base() -> None:
    kb = load_knowledge_base()
    ada_rec = kb.agent("adalimumab").discontinuation_ae
    upa_rec = kb.agent("upadacitinib").discontinuation_ae
    assert ada_rec is not None and upa_rec is not None
    # adalimumab's source gives its own placebo arm; upadacitinib's gives only its period
    assert ada_rec.comparator is not None and upa_rec.comparator is None
    assert upa_rec.weeks is not None
    bg = background_agents("rheumatoid_arthritis", "mtx_ir")
    base = _lam(0.03)
    ada_excess = _lam(ada_rec.value) - _lam(ada_rec.comparator)
    upa_excess = max(_lam(upa_rec.value, upa_rec.weeks) - base, 0.0)
    ada = arm_ae_hazard_per_week(parse_regimen([ADA, MTX]), bg, CONDUCT)
    both = arm_ae_hazard_per_week(parse_regimen([ADA, UPA, MTX]), bg, CONDUCT)
    assert ada == pytest.approx(base + ada_excess)
    assert both == pytest.approx(base + ada_excess + upa_excess)
    assert both > ada


def test_an_agent_below_its_own_control_arm_adds_no_discontinuations() -> None:
    """Benlysta USPI: 6.2 % stopped for adverse reactions against 7.1 % on placebo. Set beside a
    generic 3 % placebo it would look like an excess; beside its own control it is none."""
    kb = load_knowledge_base()
    rec = kb.agent("belimumab").discontinuation_ae
    assert rec is not None and rec.comparator is not None and rec.value < rec.comparator
    bel = {"agent": "belimumab", "dose": "10 mg/kg", "route": "iv", "every": "4 weeks"}
    lam = arm_ae_hazard_per_week(parse_regimen([bel]), frozenset(), CONDUCT)
    assert lam == pytest.approx(_lam(0.03))
    assert _lam(rec.value) > _lam(0.03)  # the old comparison would have added a hazard


def test_a_fraction_over_a_longer_period_is_a_smaller_hazard() -> None:
    kb = load_knowledge_base()
    rec = kb.agent("natalizumab").discontinuation_ae
    assert rec is not None and rec.weeks is not None and rec.comparator is not None
    ntz = {"agent": "natalizumab", "dose": "300 mg", "route": "iv", "every": "4 weeks"}
    lam = arm_ae_hazard_per_week(parse_regimen([ntz]), frozenset(), CONDUCT)
    excess = lam - _lam(0.03)
    assert excess == pytest.approx(_lam(rec.value, rec.weeks) - _lam(rec.comparator, rec.weeks))
    assert excess < _lam(rec.value) - _lam(rec.comparator)


def test_discontinuation_records_reject_impossible_fractions() -> None:
    from pydantic import ValidationError

    from immunobalance.knowledge.schema import Discontinuation

    with pytest.raises(ValidationError) as err:
        Discontinuation(value=1.2, source="label", comparator=1.5, weeks=0)
    text = str(err.value)
    assert "comparator" in text and "weeks" in text


def test_early_escape_moves_patients_without_20_percent_joint_improvement() -> None:
    times = np.array([0.0, 12.0, 16.0, 24.0])
    # patient 0: TJC 20 → 15 (25 %), SJC 10 → 10; patient 1: 20 → 17 (15 %), 10 → 9 (10 %)
    tjc = np.array([[20, 15, 15, 15], [20, 18, 17, 17]], dtype=float)
    sjc = np.array([[10, 10, 10, 10], [10, 9, 9, 9]], dtype=float)
    rules = TrialConduct(
        other_dropout_per_year=0.0,
        placebo_ae_fraction=0.0,
        discontinue_on_serious_infection=0.0,
        efficacy_rules=(RA_EARLY_ESCAPE,),
    )
    week, reason = discontinuation(
        conduct=rules,
        ae_hazard_per_week=0.0,
        first_serious_infection_week=np.full(2, np.inf),
        readouts={"TJC68": tjc, "SJC66": sjc},
        times_week=times,
        horizon_weeks=24.0,
        seed=1,
        patient_index=np.arange(2),
    )
    assert week[0] == np.inf and reason[0] == -1
    assert week[1] == 16.0 and reason[1] == 2


def test_serious_infection_ends_treatment_when_the_rule_says_so() -> None:
    rules = TrialConduct(other_dropout_per_year=0.0, placebo_ae_fraction=0.0)
    week, reason = discontinuation(
        conduct=rules,
        ae_hazard_per_week=0.0,
        first_serious_infection_week=np.array([5.5, 30.0]),
        readouts={},
        times_week=np.array([0.0, 24.0]),
        horizon_weeks=24.0,
        seed=1,
        patient_index=np.arange(2),
    )
    assert week.tolist() == [5.5, np.inf] and reason.tolist() == [1, -1]


def test_bad_conduct_parameters_are_all_reported() -> None:
    with pytest.raises(InvalidInputError) as err:
        TrialConduct(placebo_ae_fraction=1.5, ae_reference_weeks=0, other_dropout_per_year=-1)
    assert {p.path for p in err.value.problems} == {
        "placebo_ae_fraction",
        "ae_reference_weeks",
        "other_dropout_per_year",
    }
