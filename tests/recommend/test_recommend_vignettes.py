"""Clinical vignettes: no contraindicated option is ever ranked, and every agent approved or
studied for the disease appears (contracts/cli.md). Real candidates, real safety screen, real
engine and population behind the predictions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immunobalance.knowledge import load_knowledge_base
from immunobalance.patient.model import Condition, Medication, Observation, Patient
from immunobalance.recommend import Recommendation, recommend
from immunobalance.twin._outcomes import OutcomeCache

pytestmark = pytest.mark.xdist_group("recommend")

#: Virtual patients per population here: the contract checks do not need precision.
TEST_N = 60

DAY = date(2026, 9, 1)
KB = load_knowledge_base()


def _patient(
    conditions: list[str],
    obs: dict[str, object],
    meds: list[Medication],
    age: float = 55.0,
    disease_code: str = "M05.79",
) -> Patient:
    return Patient(
        id="vignette",
        sex="female",
        age_years=age,
        weight_kg=70.0,
        height_cm=165.0,
        conditions=tuple(Condition(code=c) for c in [disease_code, *conditions]),
        observations=tuple(Observation(code=k, value=v, date=DAY) for k, v in obs.items()),  # type: ignore[arg-type]
        medications=tuple(meds),
    )


def _check_contract(rec: Recommendation) -> None:
    data = rec.to_json()
    ranks = [o["rank"] for o in data["options"] if o["rank"] is not None]
    assert ranks == list(range(1, len(ranks) + 1))
    for o in data["options"]:
        if o["status"] == "contraindicated":
            assert o["rank"] is None and o["reasons"], o
        else:
            assert o["rank"] is not None
    listed = {i["agent"] for o in data["options"] for i in o["regimen"]}
    offered = {
        a.key
        for a in KB.agents.values()
        if (ap := a.approval_for(rec.disease))
        and ap.status in ("approved", "studied")
        and a.offered_as_treatment
    }
    assert offered <= listed, offered - listed
    not_offered = {x["agent"] for x in data["not_offered"]}
    assert not (offered & not_offered)


_CONDITIONS = [
    "I50.22",
    "G35",
    "Z22.7",
    "A15.0",
    "B18.1",
    "C50.911",
    "Z33.1",
    "I26.99",
    "F32.9",
    "K57.20",
    "Z86.15",
]
_CURRENT = ["prednisone", "adalimumab", "tofacitinib", "azathioprine"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    conditions=st.lists(st.sampled_from(_CONDITIONS), unique=True, max_size=4),
    igra=st.sampled_from(["positive", "negative", None]),
    hbsag=st.sampled_from(["positive", "negative", None]),
    nyha=st.sampled_from([None, 2.0, 3.0, 4.0]),
    smoking=st.booleans(),
    age=st.floats(25, 85),
    current=st.lists(st.sampled_from(_CURRENT), unique=True, max_size=2),
)
def test_no_contraindicated_option_is_ever_ranked(
    twin_cache: OutcomeCache,
    conditions: list[str],
    igra: str | None,
    hbsag: str | None,
    nyha: float | None,
    smoking: bool,
    age: float,
    current: list[str],
) -> None:
    obs: dict[str, object] = {
        "TJC28": 9.0,
        "SJC28": 7.0,
        "CRP": 14.0,
        "SMOKING": smoking,
        "ANTI_HBC": "negative",
    }
    if igra:
        obs["TB_IGRA"] = igra
    if hbsag:
        obs["HBSAG"] = hbsag
    if nyha:
        obs["NYHA_CLASS"] = nyha
    meds = [
        Medication(
            agent="methotrexate",
            dose="20 mg",
            every="1 week",
            route="oral",
            outcome="inadequate_response",
        )
    ]
    meds += [Medication(agent=a, start=date(2026, 1, 1)) for a in current]
    rec = recommend(_patient(conditions, obs, meds, age), n=TEST_N, cache=twin_cache)
    _check_contract(rec)
    for o in rec.options:
        assert (o.safety is None) or (o.status == o.safety.status) or o.candidate.excluded


def test_heart_failure_and_latent_tb_vignette(twin_cache: OutcomeCache) -> None:
    """NYHA III heart failure: every TNF inhibitor contraindicated with the heart-failure rule;
    untreated latent TB: biologics need prophylaxis first."""
    p = _patient(
        ["I50.22", "Z22.7"],
        {"NYHA_CLASS": 3.0, "TB_IGRA": "positive", "HBSAG": "negative", "ANTI_HBC": "negative"},
        [Medication(agent="methotrexate", outcome="inadequate_response")],
    )
    rec = recommend(p, n=TEST_N, cache=twin_cache)
    _check_contract(rec)
    tnf = [o for o in rec.options if KB.agents[o.candidate.agent].drug_class == "tnf_inhibitor"]
    assert tnf and all(o.status == "contraindicated" and o.rank is None for o in tnf)
    assert all(any("heart failure" in r for r in o.reasons) for o in tnf)
    assert all(x["rule_id"] for o in tnf for x in o.excluded_by)


def test_intolerance_excludes_and_drops_background(twin_cache: OutcomeCache) -> None:
    """Methotrexate stopped for intolerance: never offered again, and biologics come as
    monotherapy (stated); tocilizumab after an adverse event is excluded with the reason."""
    p = _patient(
        [],
        {"TB_IGRA": "negative", "HBSAG": "negative", "ANTI_HBC": "negative"},
        [
            Medication(agent="methotrexate", outcome="intolerance", stop=date(2025, 5, 1)),
            Medication(agent="tocilizumab", outcome="adverse_event"),
        ],
    )
    rec = recommend(p, n=TEST_N, cache=twin_cache)
    _check_contract(rec)
    by = {o.candidate.agent: o for o in rec.options}
    assert by["methotrexate"].rank is None and "intolerance" in by["methotrexate"].reasons[0]
    assert by["tocilizumab"].rank is None and "adverse event" in by["tocilizumab"].reasons[0]
    ada = by["adalimumab"]
    assert ada.candidate.agents == ("adalimumab",)
    assert any("did not tolerate" in r for r in ada.reasons)


def test_tnf_failure_down_ranks_the_class_and_says_so(twin_cache: OutcomeCache) -> None:
    p = _patient(
        [],
        {
            "TB_IGRA": "negative",
            "HBSAG": "negative",
            "ANTI_HBC": "negative",
            "TJC28": 10.0,
            "SJC28": 8.0,
        },
        [
            Medication(agent="methotrexate", outcome="inadequate_response"),
            Medication(agent="adalimumab", outcome="inadequate_response"),
        ],
    )
    rec = recommend(p, n=TEST_N, cache=twin_cache)
    assert rec.population == "tnf_ir"
    _check_contract(rec)
    by = {o.candidate.agent: o for o in rec.options}
    assert any("already had an inadequate" in r for r in by["adalimumab"].reasons)
    assert any("switching mechanism" in r for r in by["etanercept"].reasons)
    assert "TNF-inhibitor inadequate response" in rec.line.text
    assert any(e.key == "history:adalimumab" for e in rec.twin.evidence)


def test_ms_patient_never_gets_a_tnf_inhibitor(twin_cache: OutcomeCache) -> None:
    p = _patient(
        [],
        {
            "JCV_AB": "negative",
            "TB_IGRA": "negative",
            "HBSAG": "negative",
            "ANTI_HBC": "negative",
            "EDSS": 2.5,
        },
        [],
        age=35,
        disease_code="G35",
    )
    rec = recommend(p, n=TEST_N, cache=twin_cache)
    _check_contract(rec)
    not_offered = {x.agent: x for x in rec.not_offered}
    assert {"adalimumab", "infliximab", "etanercept"} <= set(not_offered)
    assert all(not_offered[a].status == "not_effective" for a in ("adalimumab", "etanercept"))


def test_record_without_an_index_disease_is_refused() -> None:
    from immunobalance.errors import InvalidInputError
    from immunobalance.knowledge import load_knowledge_base

    with pytest.raises(InvalidInputError, match="index disease") as err:
        recommend(Patient(id="x", conditions=(Condition(code="J45.909"),)), n=10)
    # the message lists what would have been recognised: every disease's codes, from the KB
    for disease in load_knowledge_base().diseases.values():
        assert all(code in str(err.value) for code in disease.icd10), disease.key
