"""Biomarker logic through the real pipeline (engine + calibrated population + twin + ranking):
in otherwise identical twins, B-cell depletion ranks higher in seropositive RA, and anifrolumab
higher in IFN-signature-high SLE (issue 6 'done when').

The mechanism is not coded in the recommender: the population layer links seropositivity to the
B-cell/autoantibody pathway weights and the IFN signature to the type I IFN pathway weight
(``immunobalance.population._biomarkers``), the engine turns pathway weights into response, and
the twin reweights virtual patients by the observed biomarker.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from immunobalance.patient.model import Condition, Medication, Observation, Patient
from immunobalance.recommend import Recommendation, recommend
from immunobalance.twin._outcomes import OutcomeCache

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("recommend")]

DAY = date(2026, 9, 1)
N = 300  # twins need enough virtual patients of each serostatus for stable weights
SCREENS = {"TB_IGRA": "negative", "HBSAG": "negative", "ANTI_HBC": "negative"}


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> OutcomeCache:
    return OutcomeCache(Path(tmp_path_factory.mktemp("biomarker-cache")))


def _obs(values: dict[str, object]) -> tuple[Observation, ...]:
    return tuple(Observation(code=k, value=v, date=DAY) for k, v in values.items())  # type: ignore[arg-type]


def _option(rec: Recommendation, agent: str) -> tuple[int, float]:
    (o,) = [o for o in rec.options if o.candidate.agent == agent]
    assert o.rank is not None and o.prediction is not None
    return o.rank, o.prediction.benefit.probability


def _ra(serostatus: str) -> Patient:
    return Patient(
        id=f"ra-{serostatus}",
        sex="female",
        age_years=55,
        weight_kg=70,
        height_cm=165,
        conditions=(Condition(code="M06.9"),),
        observations=_obs(
            {
                "RF": serostatus,
                "ACPA": serostatus,
                "TJC28": 12.0,
                "SJC28": 8.0,
                "CRP": 15.0,
                **SCREENS,
            }
        ),
        medications=(Medication(agent="methotrexate", outcome="inadequate_response"),),
    )


def _sle(signature: str) -> Patient:
    return Patient(
        id=f"sle-{signature}",
        sex="female",
        age_years=35,
        weight_kg=62,
        height_cm=165,
        conditions=(Condition(code="M32.9"),),
        observations=_obs(
            {"IFN_SIGNATURE": signature, "SLEDAI_ARTHRITIS": True, "SLEDAI_RASH": True, **SCREENS}
        ),
    )


def test_b_cell_depletion_ranks_with_seropositivity(cache: OutcomeCache) -> None:
    pos = recommend(_ra("positive"), n=N, cache=cache)
    neg = recommend(_ra("negative"), n=N, cache=cache)
    rank_pos, p_pos = _option(pos, "rituximab")
    rank_neg, p_neg = _option(neg, "rituximab")
    assert p_pos - p_neg > 0.05, (p_pos, p_neg)
    # the probability moves; the rank moves with it unless no neighbour lies in between
    assert rank_pos <= rank_neg, (rank_pos, rank_neg)
    (ritux,) = [o for o in pos.options if o.candidate.agent == "rituximab"]
    assert any(
        r.startswith("seropositive") and "B-cell depletion predicted more effective" in r
        for r in ritux.reasons
    ), ritux.reasons


def test_anifrolumab_ranks_with_the_interferon_signature(cache: OutcomeCache) -> None:
    high = recommend(_sle("high"), n=N, cache=cache)
    low = recommend(_sle("low"), n=N, cache=cache)
    rank_high, p_high = _option(high, "anifrolumab")
    rank_low, p_low = _option(low, "anifrolumab")
    assert p_high - p_low > 0.02, (p_high, p_low)
    assert rank_high <= rank_low, (rank_high, rank_low)
    # "high" is the majority status (~80 % of trial patients), so it moves the twin little;
    # "low" is the informative observation and must be named as the reason
    (ani,) = [o for o in low.options if o.candidate.agent == "anifrolumab"]
    assert any(
        r.startswith("type I interferon signature (IFN_SIGNATURE low)") and "less effective" in r
        for r in ani.reasons
    ), ani.reasons
